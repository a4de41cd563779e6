"""The case and everything kept with it: timeline, per-worker payments, number counter, PII audit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from complaints.base import Base
from shared.db import UTCDateTime, utcnow

MONEY = Numeric(14, 2)


class Case(Base):
    """A complaint (投诉) or report (举报) and the enforcement case that follows it."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_received_at_id", "received_at", "id"),
        # The overdue list and the deadline scan read only this index.
        Index("ix_cases_next_deadline", "next_deadline"),
        Index("ix_cases_employer_uscc_status", "employer_uscc", "status"),
        Index("ix_cases_employer_name_norm_status", "employer_name_norm", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_no: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_on: Mapped[date | None] = mapped_column(Date)
    external_system: Mapped[str | None] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(64))

    # The complainant (投诉人) or reporter (举报人); a reporter's identity is confidential.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    person_name: Mapped[str | None] = mapped_column(String(100))
    person_id_number: Mapped[str | None] = mapped_column(String(18))
    person_phone: Mapped[str | None] = mapped_column(String(20))

    employer_name: Mapped[str | None] = mapped_column(String(200))
    employer_name_norm: Mapped[str | None] = mapped_column(String(200))
    employer_uscc: Mapped[str | None] = mapped_column(String(18))
    employer_address: Mapped[str | None] = mapped_column(String(300))
    district_code: Mapped[str | None] = mapped_column(String(6), index=True)
    industry_code: Mapped[str | None] = mapped_column(String(8), index=True)
    employer_case_count: Mapped[int] = mapped_column(Integer, default=1)

    issues: Mapped[list[str]] = mapped_column(JSON)
    workers_affected: Mapped[int | None] = mapped_column(Integer)
    amount_claimed: Mapped[Decimal | None] = mapped_column(MONEY)
    occurred_on: Mapped[date | None] = mapped_column(Date)
    violation_ended_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    acceptance_checks: Mapped[dict[str, Any]] = mapped_column(JSON)

    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    emergency_detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    assignee: Mapped[str | None] = mapped_column(String(100))
    # Deadlines (dates in Asia/Shanghai). next_deadline is the one currently running.
    accept_clock_from: Mapped[date | None] = mapped_column(Date)
    accept_by: Mapped[date | None] = mapped_column(Date)
    filed_on: Mapped[date | None] = mapped_column(Date)
    investigate_by: Mapped[date | None] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    rectify_by: Mapped[date | None] = mapped_column(Date)
    hearing_request_by: Mapped[date | None] = mapped_column(Date)
    fine_due_by: Mapped[date | None] = mapped_column(Date)
    fine_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    fine_paid_on: Mapped[date | None] = mapped_column(Date)
    result_notice_by: Mapped[date | None] = mapped_column(Date)
    result_notified_on: Mapped[date | None] = mapped_column(Date)
    calendar_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    next_deadline: Mapped[date | None] = mapped_column(Date)
    next_deadline_kind: Mapped[str | None] = mapped_column(String(16))
    escalated_deadline: Mapped[date | None] = mapped_column(Date)
    escalation_count: Mapped[int] = mapped_column(Integer, default=0)

    disposition: Mapped[str | None] = mapped_column(String(32))
    merged_into_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The API client that filed it: complaints:read callers see only their own cases.
    filed_by_client: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class CaseEvent(Base):
    """The append-only timeline: who did what, when, why, and what it changed."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class CasePayment(Base):
    """Money recovered for one worker: wages, compensation, deposit refund, social insurance."""

    __tablename__ = "case_payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    worker_name: Mapped[str] = mapped_column(String(100))
    worker_id_number: Mapped[str] = mapped_column(String(18), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseCounter(Base):
    """Per-year sequence behind the human-readable case number."""

    __tablename__ = "case_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class PersonalDataAccess(Base):
    """Audit of every read that returned full personal data."""

    __tablename__ = "personal_data_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    client_name: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
