from datetime import time

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings, sqlite_url


class GatewaySettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    port: int = 8000
    database_url: str = sqlite_url("gateway")

    complaints_url: str = "http://127.0.0.1:8001"
    wages_url: str = "http://127.0.0.1:8002"
    credit_url: str = "http://127.0.0.1:8003"
    upstream_connect_timeout_seconds: float = 2.0
    # Long enough for a month's payroll ledger to be validated and stored upstream.
    upstream_timeout_seconds: float = 120.0
    upstream_max_connections: int = 256
    # Consecutive connection failures that mark an upstream down, and for how long.
    circuit_failure_threshold: int = 3
    circuit_open_seconds: int = 10

    max_body_bytes: int = 10 * 1024 * 1024
    # Path prefixes with their own cap: a month's payroll ledger (about 130 MB of JSON for a
    # million lines) goes through the gateway whole.
    body_limit_overrides: dict[str, int] = Field(
        default_factory=lambda: {"/api/v1/wages/payrolls": 512 * 1024 * 1024}
    )
    # Token bucket per API client: sustained rate and burst. A client row may override both.
    rate_limit_per_minute: int = 6000
    rate_limit_burst: int = 500
    # Published endpoints (no key) are limited per client IP.
    public_rate_limit_per_minute: int = 600
    public_rate_limit_burst: int = 60
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    # Which service receives which events (fnmatch patterns), delivered by the gateway's relay.
    # "hotline" is handled in this process (gateway.hotline.events): 12345 status and 110 referrals.
    event_subscriptions: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "credit": ["case.violation_established", "employer.repeated_complaints"],
            "wages": ["case.received", "employer.repeated_complaints"],
            "hotline": [
                "case.accepted",
                "case.rejected",
                "case.progress",
                "case.closed",
                "case.merged",
                "case.emergency",
            ],
        }
    )
    event_relay_seconds: float = 1.0
    event_retry_base_seconds: float = 1.0
    event_retry_max_seconds: float = 300.0
    background_tasks: bool = True
    # Authenticated keys are cached this long; a revocation made elsewhere takes effect after it.
    auth_cache_seconds: float = 10.0

    # -- 12345 and 110 links (issue #6, domain.md §6) --
    # The API client (created with --secret) whose signing secret signs status callbacks to 12345.
    hotline_12345_client: str = "hotline-12345"
    hotline_12345_callback_url: str | None = None
    # Signed tickets older (or newer) than this are refused 401.
    hotline_signature_max_age_seconds: int = 300
    # Ticket clock when the platform sends no due_at: POLICY defaults (domain.md §6.2, the
    # Jinan/Weifang model of 5 working days; emergencies 2 h), not Kunming law [M].
    hotline_reply_working_days: dict[str, int] = Field(
        default_factory=lambda: {"complaint": 5, "report": 5, "consultation": 5, "help": 5, "suggestion": 5}
    )
    hotline_urgent_reply_hours: dict[str, float] = Field(
        default_factory=lambda: {"urgent": 2.0, "critical": 2.0}
    )
    hotline_close_of_business: time = time(18, 0)
    hotline_due_soon_hours: float = 24.0
    # The ticket request tries the complaints service this long before answering 202 queued.
    hotline_forward_timeout_seconds: float = 5.0
    hotline_relay_seconds: float = 1.0
    hotline_retry_base_seconds: float = 1.0
    hotline_retry_max_seconds: float = 300.0
    # A delivery (callback, filing, 110 referral) failing more often than this raises an alert.
    hotline_alert_after_attempts: int = 10
    police_110_url: str | None = None
    # When this client exists with a signing secret, 110 referrals are signed like 12345 callbacks.
    police_110_client: str = "police-110"
    police_110_retry_max_seconds: float = 30.0
    # GeoReport v2 jurisdiction_id of this endpoint.
    open311_jurisdiction_id: str = "km-hrss"
