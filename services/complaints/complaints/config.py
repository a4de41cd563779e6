from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings, sqlite_url


class ComplaintsSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_", extra="ignore")

    service_name: str = "complaints"
    port: int = 8001
    database_url: str = sqlite_url("complaints")
