"""Open311 service requests and the cases they became (the case itself lives in complaints)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.base import Base
from shared.db import UTCDateTime, utcnow
from shared.idempotency import IdempotencyRecordMixin


class Open311Request(Base):
    """A GeoReport v2 service request; its case status is mirrored from the case events."""

    __tablename__ = "open311_requests"
    __table_args__ = (Index("ix_open311_requests_client_requested", "client_id", "requested_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    token: Mapped[str] = mapped_column(String(36), unique=True)
    client_id: Mapped[str] = mapped_column(String(64))
    service_code: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300))
    address_id: Mapped[str | None] = mapped_column(String(64))
    lat: Mapped[float | None] = mapped_column(Float)
    long: Mapped[float | None] = mapped_column(Float)
    media_url: Mapped[str | None] = mapped_column(String(500))
    account_id: Mapped[str | None] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # Case status from the latest case event applied (None until the first one).
    case_status: Mapped[str | None] = mapped_column(String(32))
    status_note: Mapped[str | None] = mapped_column(Text)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Open311IdempotencyRecord(IdempotencyRecordMixin, Base):
    """``Idempotency-Key`` of Open311 POSTs, per API client."""

    __tablename__ = "open311_idempotency_records"
