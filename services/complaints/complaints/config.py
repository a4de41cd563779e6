from decimal import Decimal

from pydantic import BaseModel, Field
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

    # Jurisdiction (条例 art. 13): district codes starting with these are the bureau's own.
    jurisdiction_prefixes: list[str] = Field(default_factory=lambda: ["5301"])
    # Legal clock. [V]/[V2] values from domain.md §2.4-2.5; settings so a rule change is config.
    accept_working_days: int = 5
    investigate_working_days: int = 60
    extension_working_days: int = 30
    hearing_request_working_days: int = 5
    fine_payment_days: int = 15
    # 保障农民工工资支付条例 art. 10 ¶3 [V]: the complainant is told the result; in writing within
    # this many working days of 结案 is policy [M] (domain.md §2.5).
    result_notice_working_days: int = 5
    limitation_years: int = 2
    # Local policy (Banan rule, not national law [V2-local]): the 5-day clock restarts when
    # the requested supplement arrives; otherwise it resumes with the days already used.
    supplement_restarts_clock: bool = True
    # Extra years of the official holiday schedule (JSON files, shared/data/calendar format).
    calendar_data_dir: str | None = None

    # Background work. Several replicas may run both safely.
    overdue_scan_seconds: float = 60.0
    outbox_relay_seconds: float = 1.0
    outbox_retry_base_seconds: float = 1.0
    outbox_retry_max_seconds: float = 300.0
    background_tasks: bool = True
    gateway_url: str = "http://127.0.0.1:8000"

    # Evidence attachments. None keeps them under VAR_DIR/attachments.
    attachments_dir: str | None = None
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachment_types: list[str] = Field(
        default_factory=lambda: [
            "application/pdf",
            "image/jpeg",
            "image/png",
            "image/webp",
            "text/plain",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ]
    )
