"""Payroll ledgers (工资支付台账), their lines, bank confirmations and labour-cost transfers.

Lines are written in bulk (COPY on PostgreSQL, multi-row INSERT on SQLite), never as ORM
objects one by one; every version of a period's ledger is kept (three years at least)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import UTCDateTime, utcnow
from wages.base import Base

MONEY = Numeric(14, 2)


class PayrollLedger(Base):
    __tablename__ = "payroll_ledgers"
    __table_args__ = (UniqueConstraint("employer_id", "period", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    employer_id: Mapped[str] = mapped_column(ForeignKey("monitored_employers.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    version: Mapped[int] = mapped_column(Integer)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    line_count: Mapped[int] = mapped_column(Integer)
    total_payable: Mapped[Decimal] = mapped_column(MONEY)
    total_paid: Mapped[Decimal] = mapped_column(MONEY)
    source_format: Mapped[str] = mapped_column(String(8))  # json | csv
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PayrollLine(Base):
    """One worker's line of a ledger (written by COPY right after its ledger, in the same
    transaction: ``ledger.service.submit_ledger``)."""

    __tablename__ = "payroll_lines"
    __table_args__ = (
        Index("ix_payroll_lines_ledger_id_id_number", "ledger_id", "id_number"),
        # Lines paid less than payable, which the arrears rules look for (alert/rules.py): a
        # ledger paid in full costs them an empty index probe instead of a scan of its lines.
        Index(
            "ix_payroll_lines_short",
            "ledger_id",
            postgresql_where=text("paid < payable"),
            sqlite_where=text("paid < payable"),
        ),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    ledger_id: Mapped[str] = mapped_column(ForeignKey("payroll_ledgers.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(100))
    payable: Mapped[Decimal] = mapped_column(MONEY)
    paid: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date | None] = mapped_column(Date)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))


class BankPayment(Base):
    """A bank's confirmation of a payment from a dedicated wage account (代发工资)."""

    __tablename__ = "bank_payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    employer_id: Mapped[str] = mapped_column(ForeignKey("monitored_employers.id"), index=True)
    bank_ref: Mapped[str] = mapped_column(String(64), unique=True)
    period: Mapped[str] = mapped_column(String(7))
    id_number: Mapped[str] = mapped_column(String(18))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date] = mapped_column(Date)
    matched_line_id: Mapped[int | None] = mapped_column(ForeignKey("payroll_lines.id"))
    received_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LabourCostTransfer(Base):
    """The developer's monthly transfer of the labour-cost part to the project's wage account."""

    __tablename__ = "labour_cost_transfers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    employer_id: Mapped[str] = mapped_column(ForeignKey("monitored_employers.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    transferred_on: Mapped[date] = mapped_column(Date)
    bank_ref: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
