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
    upstream_timeout_seconds: float = 30.0
    upstream_max_connections: int = 256
    # Consecutive connection failures that mark an upstream down, and for how long.
    circuit_failure_threshold: int = 3
    circuit_open_seconds: int = 10

    max_body_bytes: int = 10 * 1024 * 1024
    # Token bucket per API client: sustained rate and burst. A client row may override both.
    rate_limit_per_minute: int = 6000
    rate_limit_burst: int = 500
    # Published endpoints (no key) are limited per client IP.
    public_rate_limit_per_minute: int = 600
    public_rate_limit_burst: int = 60
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    # Which service receives which events (fnmatch patterns), delivered by the gateway's relay.
    event_subscriptions: dict[str, list[str]] = Field(
        default_factory=lambda: {"credit": ["case.violation_established", "employer.repeated_complaints"]}
    )
    event_relay_seconds: float = 1.0
    event_retry_base_seconds: float = 1.0
    event_retry_max_seconds: float = 300.0
    background_tasks: bool = True
    # Authenticated keys are cached this long; a revocation made elsewhere takes effect after it.
    auth_cache_seconds: float = 10.0
