"""An inspection of one employer and the findings it made (one row per finding)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.base import Base
from shared.db import UTCDateTime, utcnow

MONEY = Numeric(14, 2)


class Inspection(Base):
    """A routine patrol, special campaign inspection or annual review of one employer."""

    __tablename__ = "inspections"
    __table_args__ = (
        # The list's keyset order, newest inspection first.
        Index("ix_inspections_inspected_on_id", "inspected_on", "id"),
        # The summary scans by kind within a date range.
        Index("ix_inspections_kind_inspected_on", "kind", "inspected_on"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    campaign: Mapped[str | None] = mapped_column(String(200), index=True)
    inspected_on: Mapped[date] = mapped_column(Date)

    employer_name: Mapped[str] = mapped_column(String(200))
    # Same folding as cases.employer_name_norm, so employers without a USCC can be counted
    # once across inspections and cases.
    employer_name_norm: Mapped[str] = mapped_column(String(200))
    employer_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    employer_address: Mapped[str | None] = mapped_column(String(300))
    district_code: Mapped[str | None] = mapped_column(String(6), index=True)
    industry_code: Mapped[str | None] = mapped_column(String(8), index=True)

    inspectors: Mapped[list[str]] = mapped_column(JSON)
    # Kept beside the list: "inspectors deployed" is summed in SQL on both databases.
    inspector_count: Mapped[int] = mapped_column(Integer)
    headcount: Mapped[int] = mapped_column(Integer)

    orders_to_correct: Mapped[int] = mapped_column(Integer, default=0)
    contracts_signed: Mapped[int] = mapped_column(Integer, default=0)
    wages_ordered: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    wages_ordered_workers: Mapped[int] = mapped_column(Integer, default=0)
    compensation_ordered: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    social_insurance_registrations: Mapped[int] = mapped_column(Integer, default=0)
    social_insurance_ordered: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    social_insurance_ordered_workers: Mapped[int] = mapped_column(Integer, default=0)
    penalties: Mapped[int] = mapped_column(Integer, default=0)
    fines: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))

    # The API client that recorded it.
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    findings: Mapped[list[InspectionFinding]] = relationship(
        back_populates="inspection",
        order_by="InspectionFinding.position",
        cascade="all, delete-orphan",
        lazy="raise",
    )


class InspectionFinding(Base):
    """One violation found; ``case_id`` is set when the finding opens a case."""

    __tablename__ = "inspection_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspections.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    issue: Mapped[str] = mapped_column(String(32), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    workers_affected: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)

    inspection: Mapped[Inspection] = relationship(back_populates="findings", lazy="raise")
