from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from credit.base import Base
from shared.db import UTCDateTime, utcnow


class CheckAudit(Base):
    """Every joint-punishment check: who asked, about whom, for what, and what was answered."""

    __tablename__ = "check_audits"
    __table_args__ = (Index("ix_check_audits_client_id_at", "client_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64))
    client_name: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(32))
    as_of: Mapped[date] = mapped_column(Date)
    subject_count: Mapped[int] = mapped_column(Integer)
    restricted_count: Mapped[int] = mapped_column(Integer)
    # Subjects and answers, compact: [[identifier, restricted, [listing ids]], ...].
    answers: Mapped[list[Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CheckQuotaUsage(Base):
    """Subjects a client checked on one day (the China calendar day of the check), against
    its daily quota: raised as each audit row goes in, never over the quota (repository)."""

    __tablename__ = "check_quota_usage"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    # 64 bits: a quota may be set beyond 32.
    used: Mapped[int] = mapped_column(BigInteger)
