"""Early warnings: one row per (rule, employer, period), with their life and the case they open."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import UTCDateTime, utcnow
from shared.outbox import DeliveryMixin
from wages.base import Base


class Alert(Base):
    __tablename__ = "alerts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # rule:employer:period — a second evaluation finds the same alert instead of a new one.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    rule: Mapped[str] = mapped_column(String(40), index=True)
    employer_id: Mapped[str] = mapped_column(ForeignKey("monitored_employers.id"), index=True)
    period: Mapped[str | None] = mapped_column(String(7))
    level: Mapped[str] = mapped_column(String(8), index=True)  # yellow | orange | red
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | acknowledged | resolved | escalated
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    case_id: Mapped[str | None] = mapped_column(String(36))
    case_no: Mapped[str | None] = mapped_column(String(32))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AlertEvent(Base):
    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class CaseRequest(DeliveryMixin, Base):
    """A red alert's request to open a case, relayed to the gateway with the alert id as the
    Idempotency-Key: the case is opened exactly once however often it is sent."""

    __tablename__ = "case_requests"

    id: Mapped[str] = mapped_column(ForeignKey("alerts.id"), primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class ProcessedEvent(Base):
    """Events from other services already applied (deduplicated by event id)."""

    __tablename__ = "processed_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
