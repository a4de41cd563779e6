from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from credit.base import Base
from shared.db import UTCDateTime, utcnow


class DisclosureBatch(Base):
    """A quarterly publication (令29: city and county HRSS publish every quarter)."""

    __tablename__ = "disclosure_batches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), unique=True)  # e.g. 2026Q3
    status: Mapped[str] = mapped_column(String(16))  # draft | published
    published_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Disclosure(Base):
    """One published major violation with exactly the fields 令29 allows."""

    __tablename__ = "disclosures"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("disclosure_batches.id"), index=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"), index=True)
    violation_id: Mapped[str] = mapped_column(ForeignKey("violations.id"))
    category: Mapped[str] = mapped_column(String(32))
    unit_name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str | None] = mapped_column(String(18))
    address: Mapped[str | None] = mapped_column(String(300))
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    facts: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text)
