from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings, sqlite_url


class WagesSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WAGES_", extra="ignore")

    service_name: str = "wages"
    port: int = 8002
    database_url: str = sqlite_url("wages")

    # --- employers, ledgers, minimum wage ---
    # 保障农民工工资支付条例 art. 14: the pay date falls in the current or the next period, as agreed.
    # True: the pay for 2026-10 is due on the pay day of 2026-11.
    pay_day_in_next_month: bool = True
    # domain.md §3.5: the minimum-wage table is data ([M]/[3P] rows); None = wages/data/minimum_wage.json.
    minimum_wage_file: str | None = None
    # Region class assumed for a district the table does not map (answers flag it).
    minimum_wage_default_class: int = 1
    # 人社部发〔2021〕65号 [V2]: 1%-3% of the contract price, lowered for good records to no less than 0.5%.
    deposit_rate_min: Decimal = Decimal("0.005")
    deposit_rate_max: Decimal = Decimal("0.03")
    # One ledger submission: at most this many lines; rows per multi-row INSERT on SQLite.
    ledger_max_lines: int = 2_000_000
    ledger_sqlite_chunk: int = 5_000
    # PostgreSQL: lines are COPYed in chunks of this many while the next ones are checked.
    ledger_copy_chunk_lines: int = 20_000

    # --- early warnings ---
    # Background work of this service (scheduled evaluation, case-request relay); tests turn it off.
    background_tasks: bool = True
    # Red alerts open cases through the gateway (POST /api/v1/complaints, scope internal).
    gateway_url: str = "http://127.0.0.1:8000"
    # Scheduled evaluation: every so often, the current period and the ones before it (3 reaches the
    # labour-cost transfers, which are due by the end of the month after their period).
    alert_evaluation_seconds: float = 3600.0
    alert_scheduled_periods: int = 3
    # Case-request relay: how often it looks, and its retry back-off after a failure.
    case_request_relay_seconds: float = 5.0
    case_request_retry_base_seconds: float = 2.0
    case_request_retry_max_seconds: float = 600.0
    case_request_timeout_seconds: float = 10.0
    # On shutdown the background passes in flight may finish for this long before being cancelled.
    background_shutdown_seconds: float = 15.0
    # Rules and thresholds are policy, not law (domain.md §3.2): all of them are settings.
    alert_rules: list[str] = Field(
        default_factory=lambda: [
            "no_ledger",
            "unpaid_or_short",
            "below_minimum_wage",
            "consecutive_arrears",
            "roster_missing",
            "labour_cost_missing",
            "no_deposit",
            "complaints",
        ]
    )
    no_ledger_grace_working_days: int = 3
    # Monthly normal hours (21.75 days x 8 h); a line with fewer hours is tested on the hourly floor.
    full_time_hours: Decimal = Decimal("174")
    consecutive_periods: int = 2
    consecutive_lookback_periods: int = 12
    # 条例 art. 24: labour costs reach the wage account at least monthly; due by the end of the
    # month this many months after the period.
    labour_cost_due_months: int = 1
    # 人社部发〔2021〕65号 [V2]: the wage deposit (or a bank guarantee) is in place within this many
    # working days; counted here from the project's registration for monitoring.
    deposit_due_working_days: int = 20
    # Complaints recorded against an employer in one month before a warning.
    complaints_threshold: int = 2
    # Levels: red when any red threshold is reached, else orange likewise, else yellow.
    red_amount: Decimal = Decimal("30000")
    red_workers: int = 10
    red_periods: int = 3
    red_complaints: int = 5
    orange_amount: Decimal = Decimal("10000")
    orange_workers: int = 5
    orange_periods: int = 2
    orange_complaints: int = 3
