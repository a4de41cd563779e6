from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings, sqlite_url


class WagesSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WAGES_", extra="ignore")

    service_name: str = "wages"
    port: int = 8002
    database_url: str = sqlite_url("wages")
