"""Settings base shared by every process.

Each process subclasses :class:`BaseServiceSettings` with its own ``env_prefix``
(``COMPLAINTS_``, ``WAGES_``, ``CREDIT_``, ``GATEWAY_``). Secrets that every process
must agree on (the gateway's identity-token key) are read without a prefix.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# SQLite files and the development admin key live here (`KM_VAR_DIR` moves it, e.g. in tests).
VAR_DIR = Path(os.environ.get("KM_VAR_DIR", PROJECT_ROOT / "var"))

# Placeholder secrets are fine on a developer's laptop and refused anywhere else.
DEV_INTERNAL_TOKEN_SECRET = "dev-only-internal-token-secret-change-me"
PLACEHOLDER_SECRETS = frozenset({DEV_INTERNAL_TOKEN_SECRET, "changeme", "secret", ""})

Environment = Literal["development", "test", "production"]


def sqlite_url(name: str) -> str:
    return f"sqlite+aiosqlite:///{VAR_DIR / name}.db"


class BaseServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", env_file=None, populate_by_name=True)

    service_name: str = "service"
    environment: Environment = Field(default="development", validation_alias="ENVIRONMENT")
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = ""
    db_pool_size: int = 10
    db_echo: bool = False
    log_level: str = "INFO"
    # HMAC key of the short-lived identity token the gateway attaches to every call it
    # forwards; every process must hold the same value.
    internal_token_secret: str = Field(
        default=DEV_INTERNAL_TOKEN_SECRET, validation_alias="INTERNAL_TOKEN_SECRET"
    )
    internal_token_ttl_seconds: int = Field(default=60, validation_alias="INTERNAL_TOKEN_TTL_SECONDS")

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> BaseServiceSettings:
        if self.environment == "production" and self.internal_token_secret in PLACEHOLDER_SECRETS:
            raise ValueError("INTERNAL_TOKEN_SECRET must be set to a real secret in production")
        if self.environment == "production" and len(self.internal_token_secret) < 32:
            raise ValueError("INTERNAL_TOKEN_SECRET must be at least 32 characters in production")
        return self
