from decimal import Decimal

from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings, sqlite_url


class BlacklistThresholds(BaseModel):
    """令45 art. 5 (1): arrears reaching the 拒不支付劳动报酬罪 amount (法释〔2013〕3号 art. 3).

    The interpretation gives ranges; Yunnan's figures are not verified [M], so these are settings.
    Defaults are the bottom of each range, as in the complaints service's ``CrimeThresholds``.
    """

    single_worker_months: int = 3
    single_worker_amount: Decimal = Decimal("5000")
    group_workers: int = 10
    group_amount: Decimal = Decimal("30000")


class CreditSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CREDIT_", extra="ignore", env_nested_delimiter="__")

    service_name: str = "credit"
    port: int = 8003
    database_url: str = sqlite_url("credit")

    # --- lists, checks and disclosure ---
    # Blacklist (人社部令第45号, domain.md §4.3). Term 3 years and early removal after 6 full
    # months are [V2]; the 陈述申辩 period (5 working days) and the thresholds are [M].
    blacklist_thresholds: BlacklistThresholds = BlacklistThresholds()
    blacklist_term_years: int = 3
    statement_working_days: int = 5
    early_removal_months: int = 6
    # 重点关注名单 and 红名单 have no verified national rule [M]: criteria are a note shown to
    # officers, terms are settings (the red-list default of 2 years is unverified).
    watch_term_years: int = 1
    watch_criteria_note: str = "重点关注名单认定标准尚无国家层面规定，按云南省/昆明市实施细则执行（待核实）"
    red_term_years: int = 2
    red_criteria_note: str = "红名单认定标准尚无国家层面规定，按地方政策执行（待核实）"
    # Joint-punishment checks: subjects per request, and subjects per client per day.
    check_max_subjects: int = 1000
    check_daily_quota: int = 1_000_000
    # 令29 disclosure (domain.md §4.4): "数额较大" and "情节严重" are not defined nationally [M].
    disclosure_wage_amount: Decimal = Decimal("30000")
    disclosure_serious_amount: Decimal = Decimal("50000")
    # Expiry scan (periodic; several replicas may run it) and the working-day calendar's extra years.
    expiry_scan_seconds: float = 600.0
    background_tasks: bool = True
    calendar_data_dir: str | None = None

    # --- compliance file and grades ---
    # A/B/C grades (人社部规〔2016〕1号 art. 7, domain.md §4.2). "查处三次以上(含三次)" is [V2]; the
    # window it is counted in is not verified [M]: 1 = the evaluation year alone, 2 adds the year
    # before, and so on. Both must be positive; evaluations refuse to run otherwise.
    grade_c_min_punished: int = 3
    grade_lookback_years: int = 1
