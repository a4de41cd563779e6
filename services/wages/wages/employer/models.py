"""Monitored employers and construction projects, and their real-name rosters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import UTCDateTime, utcnow
from wages.base import Base

MONEY = Numeric(14, 2)


class MonitoredEmployer(Base):
    """An employer or construction project under wage-payment monitoring."""

    __tablename__ = "monitored_employers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="employer")  # employer | project
    district_code: Mapped[str] = mapped_column(String(6), index=True)
    industry_code: Mapped[str] = mapped_column(String(8), index=True)
    pay_cycle: Mapped[str] = mapped_column(String(16), default="monthly")
    pay_day: Mapped[int] = mapped_column(SmallInteger)
    # Construction projects (保障农民工工资支付条例 arts. 26, 32; 65号 deposit rules).
    project_name: Mapped[str | None] = mapped_column(String(200))
    wage_account_bank: Mapped[str | None] = mapped_column(String(100))
    wage_account_no: Mapped[str | None] = mapped_column(String(40), index=True)
    deposit_kind: Mapped[str | None] = mapped_column(String(16))  # deposit | guarantee | exempt
    deposit_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    deposit_rate: Mapped[Decimal | None] = mapped_column(Numeric(6, 4))
    contract_price: Mapped[Decimal | None] = mapped_column(MONEY)
    monthly_labour_cost: Mapped[Decimal | None] = mapped_column(MONEY)
    registered_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class RosterWorker(Base):
    """Real-name roster (实名制): who works for the employer, from when to when."""

    __tablename__ = "roster_workers"
    __table_args__ = (Index("ix_roster_workers_employer_id_id_number", "employer_id", "id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    employer_id: Mapped[str] = mapped_column(ForeignKey("monitored_employers.id"))
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(100))
    active_from: Mapped[date] = mapped_column(Date)
    active_to: Mapped[date | None] = mapped_column(Date)
