from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.base import Base
from shared.db import UTCDateTime, utcnow


class ApiClient(Base):
    """A system allowed to call the API. Only a hash of its key is kept."""

    __tablename__ = "api_clients"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The key's public prefix finds the row; the SHA-256 of the whole key proves it.
    key_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(Text)
    # Shared secret for signed webhooks (12345 tickets, callbacks); HMAC needs the value itself.
    signing_secret: Mapped[str | None] = mapped_column(String(128))
    # Comma-separated district codes (or prefixes) an inspector client is restricted to.
    districts: Mapped[str | None] = mapped_column(String(200))
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer)
    rate_limit_burst: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s for s in self.scopes.split(",") if s)

    @property
    def district_tuple(self) -> tuple[str, ...]:
        return tuple(d for d in (self.districts or "").split(",") if d)
