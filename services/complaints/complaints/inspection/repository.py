"""Inspection queries: the list, one record, and the summary's aggregates (no rules, no commit)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from complaints.inspection.models import Inspection, InspectionFinding
from shared.reporting import COURIER_INDUSTRY_CODE, employer_key, fen_sum

# Integer figures summed per group, and money figures (summed in fen, see shared.reporting.fen_sum).
COUNT_COLUMNS: tuple[str, ...] = (
    "orders_to_correct",
    "contracts_signed",
    "wages_ordered_workers",
    "social_insurance_registrations",
    "social_insurance_ordered_workers",
    "penalties",
)
MONEY_COLUMNS: tuple[str, ...] = (
    "wages_ordered",
    "compensation_ordered",
    "social_insurance_ordered",
    "fines",
)


@dataclass(frozen=True, slots=True)
class Filters:
    kind: str | None = None
    campaign: str | None = None
    district_code: str | None = None
    industry_code: str | None = None
    uscc: str | None = None
    inspected_from: date | None = None
    inspected_to: date | None = None


def district_condition(code: str) -> ColumnElement[bool]:
    """A county code matches itself; a city (``530100``) or province (``530000``) code matches
    every district under it (GB/T 2260 zero-fills the lower levels)."""
    if code.endswith("0000"):
        return Inspection.district_code.startswith(code[:2])
    if code.endswith("00"):
        return Inspection.district_code.startswith(code[:4])
    return Inspection.district_code == code


def _apply_filters(query: Select[Any], filters: Filters) -> Select[Any]:
    if filters.kind is not None:
        query = query.where(Inspection.kind == filters.kind)
    if filters.campaign is not None:
        query = query.where(Inspection.campaign == filters.campaign)
    if filters.district_code is not None:
        query = query.where(district_condition(filters.district_code))
    if filters.industry_code is not None:
        query = query.where(Inspection.industry_code == filters.industry_code)
    if filters.uscc is not None:
        query = query.where(Inspection.employer_uscc == filters.uscc)
    if filters.inspected_from is not None:
        query = query.where(Inspection.inspected_on >= filters.inspected_from)
    if filters.inspected_to is not None:
        query = query.where(Inspection.inspected_on <= filters.inspected_to)
    return query


def add(session: AsyncSession, inspection: Inspection) -> None:
    session.add(inspection)


async def get(session: AsyncSession, inspection_id: str) -> Inspection | None:
    query = (
        select(Inspection).where(Inspection.id == inspection_id).options(selectinload(Inspection.findings))
    )
    return await session.scalar(query)


async def list_inspections(
    session: AsyncSession, filters: Filters, *, limit: int, after: tuple[date, str] | None
) -> Sequence[Inspection]:
    """Newest inspection first, keyset-paginated on (inspected_on, id)."""
    query = (
        select(Inspection)
        .options(selectinload(Inspection.findings))
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        .limit(limit)
    )
    if after is not None:
        inspected_on, inspection_id = after
        query = query.where(
            or_(
                Inspection.inspected_on < inspected_on,
                and_(Inspection.inspected_on == inspected_on, Inspection.id < inspection_id),
            )
        )
    return (await session.scalars(_apply_filters(query, filters))).all()


def _employer_key() -> ColumnElement[str]:
    # One employer: its USCC, or failing that its folded name (as cases do).
    return employer_key(Inspection.employer_uscc, Inspection.employer_name_norm)


def _figure_columns() -> list[ColumnElement[Any]]:
    courier = Inspection.industry_code == COURIER_INDUSTRY_CODE
    columns: list[ColumnElement[Any]] = [
        func.count(Inspection.id).label("inspections"),
        func.count(_employer_key().distinct()).label("employers"),
        func.coalesce(func.sum(Inspection.headcount), 0).label("workers_covered"),
        func.count(case((courier, Inspection.id))).label("courier_inspections"),
        func.count(case((courier, _employer_key())).distinct()).label("courier_employers"),
        func.coalesce(func.sum(case((courier, Inspection.headcount), else_=0)), 0).label(
            "courier_workers_covered"
        ),
        func.coalesce(func.sum(Inspection.inspector_count), 0).label("inspectors_deployed"),
    ]
    for name in COUNT_COLUMNS:
        columns.append(func.coalesce(func.sum(getattr(Inspection, name)), 0).label(name))
    for name in MONEY_COLUMNS:
        columns.append(fen_sum(getattr(Inspection, name)).label(f"{name}_fen"))
    return columns


async def summary_rows(session: AsyncSession, filters: Filters) -> dict[str, list[dict[str, Any]]]:
    """The §11 aggregates in three queries: over everything, per kind, per special campaign."""
    columns = _figure_columns()
    total = (await session.execute(_apply_filters(select(*columns), filters))).mappings().one()
    by_kind = (
        await session.execute(
            _apply_filters(select(Inspection.kind, *columns), filters).group_by(Inspection.kind)
        )
    ).mappings()
    by_campaign = (
        await session.execute(
            _apply_filters(select(Inspection.campaign, *columns), filters)
            .where(Inspection.kind == "special_campaign")
            .group_by(Inspection.campaign)
            .order_by(Inspection.campaign)
        )
    ).mappings()
    return {
        "total": [dict(total)],
        "by_kind": [dict(row) for row in by_kind],
        "by_campaign": [dict(row) for row in by_campaign],
    }


async def get_finding(session: AsyncSession, inspection_id: str, finding_id: int) -> InspectionFinding | None:
    query = (
        select(InspectionFinding)
        .where(InspectionFinding.id == finding_id, InspectionFinding.inspection_id == inspection_id)
        .with_for_update()
    )
    return await session.scalar(query)
