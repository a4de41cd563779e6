"""The compliance file (守法诚信档案): subjects, their names over time, the people behind an
employer, and every recorded violation. Nothing is hard-deleted: a correction supersedes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from credit.base import Base
from shared.db import UTCDateTime, utcnow

MONEY = Numeric(14, 2)


class Subject(Base):
    """An employer (by USCC) or a person (by 身份证号)."""

    __tablename__ = "subjects"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(16))  # employer | person
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    district_code: Mapped[str | None] = mapped_column(String(6), index=True)
    industry_code: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SubjectName(Base):
    """Name history: every name a subject has been known by, from when."""

    __tablename__ = "subject_names"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SubjectRole(Base):
    """A person's role at an employer (法定代表人, 主要负责人, 直接负责的主管人员, 其他直接责任人员)."""

    __tablename__ = "subject_roles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    employer_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Violation(Base):
    """A recorded violation: from a complaints-service event (deduplicated by event id) or
    entered by a credit officer. A correction is a new row whose ``supersedes_id`` points back."""

    __tablename__ = "violations"
    __table_args__ = (Index("ix_violations_subject_id_decided_on", "subject_id", "decided_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"))
    source: Mapped[str] = mapped_column(String(16))  # event | officer
    source_event_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
    case_no: Mapped[str | None] = mapped_column(String(32))
    decided_on: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(32))  # order_to_correct | administrative_penalty | ...
    punished: Mapped[bool] = mapped_column(Boolean)  # 查处: a penalty or handling decision was made
    issues: Mapped[list[str]] = mapped_column(JSON)
    workers: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    # C-grade and disclosure flags: group_incident, child_labor, forced_labor, refused_order,
    # obstructed_inspection, criminal_liability, serious_impact.
    flags: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(Text, default="")
    supersedes_id: Mapped[str | None] = mapped_column(ForeignKey("violations.id"))
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProcessedEvent(Base):
    """Event ids already applied: a redelivered event is acknowledged and ignored."""

    __tablename__ = "processed_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
