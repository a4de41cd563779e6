"""Tables of the 12345 and 110 links. Each outgoing effect is a row a relay delivers with retries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.base import Base
from shared.db import UTCDateTime, utcnow
from shared.outbox import DeliveryMixin

# A callback waits with this due time until the one before it (same ticket) is acknowledged.
PARKED: Final = datetime(9999, 12, 31, tzinfo=UTC)


class HotlineTicket(Base):
    """A 12345 ticket (工单) as the platform sent it, with its own clock (签收, reply due)."""

    __tablename__ = "hotline_tickets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ticket_no: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The ticket exactly as received (personal data included: it is re-filed from here).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reply_due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    due_source: Mapped[str] = mapped_column(String(16))
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # The last status sent back (signed, accepted, rejected, progress, replied, closed).
    status: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Inquiries (consultation, help, suggestion) are answered here by staff.
    reply: Mapped[str | None] = mapped_column(Text)
    replied_by: Mapped[str | None] = mapped_column(String(100))
    # 退单: once only.
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_reason: Mapped[str | None] = mapped_column(Text)
    returned_by: Mapped[str | None] = mapped_column(String(100))
    callback_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HotlineCallback(DeliveryMixin, Base):
    """One status event for the 12345 platform; sent in ``seq`` order per ticket."""

    __tablename__ = "hotline_callbacks"
    __table_args__ = (
        UniqueConstraint("ticket_no", "seq"),
        Index("ix_hotline_callbacks_pending", "delivered_at", "available_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_no: Mapped[str] = mapped_column(ForeignKey("hotline_tickets.ticket_no"))
    seq: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    case_no: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    # The complaints event that caused it: a redelivered event adds nothing.
    source_event_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeliveryAttempt(Base):
    """Every try of an outgoing delivery (12345 callback, 110 referral), kept for inspection."""

    __tablename__ = "hotline_delivery_attempts"
    __table_args__ = (Index("ix_hotline_delivery_attempts_target", "target", "delivery_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String(16))
    delivery_id: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class CaseFiling(DeliveryMixin, Base):
    """A case to open in the complaints service for a 12345 ticket, a 110 transfer or an Open311
    request; delivered with ``Idempotency-Key`` so a repeat opens no second case."""

    __tablename__ = "hotline_case_filings"
    __table_args__ = (
        UniqueConstraint("source", "source_id"),
        Index("ix_hotline_case_filings_pending", "delivered_at", "available_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    # The body of POST /api/v1/complaints, fixed once so every retry sends the same request.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    case_id: Mapped[str | None] = mapped_column(String(36))
    case_no: Mapped[str | None] = mapped_column(String(32))
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PoliceTransfer(Base):
    """A non-police wage matter passed on by 110 (非警务求助), idempotent on its transfer id."""

    __tablename__ = "police_transfers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    transfer_id: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PoliceReferral(DeliveryMixin, Base):
    """An emergency case referred to 110; then its incident number is noted on the case."""

    __tablename__ = "police_referrals"
    __table_args__ = (Index("ix_police_referrals_pending", "delivered_at", "available_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    case_no: Mapped[str] = mapped_column(String(32))
    # The referral exactly as the complaints service wrote it (contract.md, 110 shape).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    incident_no: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note_error: Mapped[str | None] = mapped_column(Text)
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
