from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings, sqlite_url


class CreditSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CREDIT_", extra="ignore")

    service_name: str = "credit"
    port: int = 8003
    database_url: str = sqlite_url("credit")
