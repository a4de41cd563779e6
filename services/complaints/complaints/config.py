from decimal import Decimal

from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings, sqlite_url


class CrimeThresholds(BaseModel):
    """拒不支付劳动报酬罪 amount thresholds (法释〔2013〕3号 art. 3).

    The interpretation gives ranges; each province's High Court fixes the figure and Yunnan's
    is not verified [M], so these are settings. Defaults are the bottom of each range.
    """

    single_worker_months: int = 3
    single_worker_amount: Decimal = Decimal("5000")
    group_workers: int = 10
    group_amount: Decimal = Decimal("30000")


class ComplaintsSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_", extra="ignore", env_nested_delimiter="__")

    service_name: str = "complaints"
    port: int = 8001
    database_url: str = sqlite_url("complaints")
    crime_thresholds: CrimeThresholds = CrimeThresholds()
