"""The §11 aggregates of the complaints database: each figure is one SQL aggregate (or a
GROUP BY of a handful of groups); no row is brought into Python to be counted."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    String,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.case.models import Case, CaseEvent, CasePayment
from complaints.inspection.models import Inspection
from shared.reporting import (
    COURIER_INDUSTRY_CODE,
    Scope,
    courier_flag,
    employer_key,
    fen_sum,
    in_district,
    year_month,
)

# Where a case came from, as §11 groups them.
ASSIGNED_CHANNELS: Final = ("assigned", "transferred", "petition")
COMPLAINANT_CHANNELS: Final = (
    "window",
    "phone",
    "hotline_12345",
    "police_110",
    "mobile_app",
    "web",
    "letter",
    "clue_platform",
)
HOTLINE_CHANNELS: Final = ("phone", "hotline_12345")
INSPECTION_SOURCES: Final = ("routine_patrol", "special_campaign", "annual_review")
PAYMENT_KINDS: Final = ("wages", "compensation", "deposit_refund", "social_insurance")
CASE_SOURCE: Final = "case"


def counted_cases(scope: Scope) -> list[ColumnElement[bool]]:
    """Cases received in the period; a merged case counts once, in the case it joined."""
    return [
        Case.received_at >= scope.start,
        Case.received_at < scope.end,
        Case.merged_into_id.is_(None),
        in_district(Case.district_code, scope.district_code),
    ]


def accepted_cases(scope: Scope) -> list[ColumnElement[bool]]:
    """Counted cases that were filed (立案): the employer was inspected on them."""
    return [*counted_cases(scope), Case.filed_on.is_not(None)]


def inspections_in(scope: Scope) -> list[ColumnElement[bool]]:
    return [
        Inspection.inspected_on >= scope.date_from,
        Inspection.inspected_on <= scope.date_to,
        in_district(Inspection.district_code, scope.district_code),
    ]


def touched(scope: Scope) -> Subquery:
    """One row per inspection and per accepted case of the period: whom it touched and how many
    workers it covered. ``source`` is the inspection kind, or ``case``."""
    inspections = select(
        Inspection.kind.label("source"),
        Inspection.id.label("record_id"),
        Inspection.campaign.label("ref"),
        Inspection.inspected_on.label("on"),
        employer_key(Inspection.employer_uscc, Inspection.employer_name_norm).label("employer_key"),
        Inspection.employer_name.label("employer_name"),
        Inspection.employer_uscc.label("uscc"),
        Inspection.district_code.label("district_code"),
        Inspection.industry_code.label("industry_code"),
        courier_flag(Inspection.industry_code).label("courier"),
        Inspection.headcount.label("workers"),
    ).where(*inspections_in(scope))
    cases = select(
        literal(CASE_SOURCE, String).label("source"),
        Case.id.label("record_id"),
        Case.case_no.label("ref"),
        Case.received_on.label("on"),
        employer_key(Case.employer_uscc, Case.employer_name_norm).label("employer_key"),
        Case.employer_name.label("employer_name"),
        Case.employer_uscc.label("uscc"),
        Case.district_code.label("district_code"),
        Case.industry_code.label("industry_code"),
        courier_flag(Case.industry_code).label("courier"),
        func.coalesce(Case.workers_affected, 0).label("workers"),
    ).where(*accepted_cases(scope))
    return union_all(inspections, cases).subquery("touched")


def penalised(scope: Scope) -> Subquery:
    """One row per penalty decision taken in the period on a case (the day entered with the
    ``penalize`` action) and per inspection of the period that recorded penalties or fines."""
    decided_on = CaseEvent.data["on"].as_string()
    cases = (
        select(
            literal(CASE_SOURCE, String).label("source"),
            Case.id.label("record_id"),
            Case.case_no.label("ref"),
            decided_on.label("on"),
            employer_key(Case.employer_uscc, Case.employer_name_norm).label("employer_key"),
            Case.employer_name.label("employer_name"),
            Case.employer_uscc.label("uscc"),
            Case.industry_code.label("industry_code"),
            courier_flag(Case.industry_code).label("courier"),
            literal(1).label("penalties"),
            func.coalesce(Case.fine_amount, 0).label("fines"),
        )
        .select_from(Case)
        .join(CaseEvent, and_(CaseEvent.case_id == Case.id, CaseEvent.action == "penalize"))
        .where(
            # ISO dates compare as strings, on both databases.
            decided_on >= scope.date_from.isoformat(),
            decided_on <= scope.date_to.isoformat(),
            in_district(Case.district_code, scope.district_code),
        )
    )
    inspections = select(
        literal("inspection", String).label("source"),
        Inspection.id.label("record_id"),
        Inspection.campaign.label("ref"),
        cast(Inspection.inspected_on, String).label("on"),
        employer_key(Inspection.employer_uscc, Inspection.employer_name_norm).label("employer_key"),
        Inspection.employer_name.label("employer_name"),
        Inspection.employer_uscc.label("uscc"),
        Inspection.industry_code.label("industry_code"),
        courier_flag(Inspection.industry_code).label("courier"),
        Inspection.penalties.label("penalties"),
        Inspection.fines.label("fines"),
    ).where(*inspections_in(scope), or_(Inspection.penalties > 0, Inspection.fines > 0))
    return union_all(cases, inspections).subquery("penalised")


async def touched_figures(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    rows = touched(scope)
    courier = rows.c.courier == 1
    from_cases = rows.c.source == CASE_SOURCE
    columns: list[ColumnElement[Any]] = [
        func.count(rows.c.employer_key.distinct()).label("employers"),
        func.count(case((courier, rows.c.employer_key)).distinct()).label("courier_employers"),
        func.coalesce(func.sum(rows.c.workers), 0).label("workers"),
        func.coalesce(func.sum(case((from_cases, rows.c.workers), else_=0)), 0).label("workers_from_cases"),
        func.coalesce(func.sum(case((courier, rows.c.workers), else_=0)), 0).label("courier_workers"),
    ]
    for source in (*INSPECTION_SOURCES, CASE_SOURCE):
        columns.append(
            func.count(case((rows.c.source == source, rows.c.employer_key)).distinct()).label(
                f"employers_{source}"
            )
        )
    return dict((await session.execute(select(*columns))).mappings().one())


async def case_groups(session: AsyncSession, scope: Scope) -> list[dict[str, Any]]:
    """The counted cases in one pass, grouped by channel, kind, industry and month received
    (at most a few thousand groups): the channel figures, the monthly chart and the industry
    chart are sums of these groups, so the cases are read once for all three."""
    year, month = year_month(Case.received_on)
    query = select(
        Case.channel,
        Case.kind,
        Case.industry_code,
        year.label("year"),
        month.label("month"),
        func.count().label("cases"),
    ).where(*counted_cases(scope))
    query = query.group_by(Case.channel, Case.kind, Case.industry_code, year, month)
    return [dict(row) for row in (await session.execute(query)).mappings()]


def _payments_in(scope: Scope) -> list[ColumnElement[bool]]:
    return [
        CasePayment.paid_on >= scope.date_from,
        CasePayment.paid_on <= scope.date_to,
        in_district(Case.district_code, scope.district_code),
    ]


async def payments_by_kind(session: AsyncSession, scope: Scope) -> list[dict[str, Any]]:
    """Per kind: workers by 身份证号 (distinct), payments (人次), amount in fen; couriers among them."""
    courier = Case.industry_code == COURIER_INDUSTRY_CODE
    worker = CasePayment.worker_id_number
    query = (
        select(
            CasePayment.kind,
            func.count(worker.distinct()).label("workers"),
            func.count().label("payments"),
            fen_sum(CasePayment.amount).label("amount_fen"),
            func.count(case((courier, worker)).distinct()).label("courier_workers"),
            fen_sum(case((courier, CasePayment.amount), else_=0)).label("courier_amount_fen"),
        )
        .join(Case, Case.id == CasePayment.case_id)
        .where(*_payments_in(scope))
        .group_by(CasePayment.kind)
    )
    return [dict(row) for row in (await session.execute(query)).mappings()]


async def penalty_figures(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    rows = penalised(scope)
    courier = rows.c.courier == 1
    columns: list[ColumnElement[Any]] = [
        func.count(rows.c.employer_key.distinct()).label("employers"),
        func.coalesce(func.sum(rows.c.penalties), 0).label("penalties"),
        fen_sum(rows.c.fines).label("fines_fen"),
        func.count(case((courier, rows.c.employer_key)).distinct()).label("courier_employers"),
        fen_sum(case((courier, rows.c.fines), else_=0)).label("courier_fines_fen"),
    ]
    for source in (CASE_SOURCE, "inspection"):
        mine = rows.c.source == source
        columns += [
            func.count(case((mine, rows.c.employer_key)).distinct()).label(f"{source}_employers"),
            func.coalesce(func.sum(case((mine, rows.c.penalties), else_=0)), 0).label(f"{source}_penalties"),
            fen_sum(case((mine, rows.c.fines), else_=0)).label(f"{source}_fines_fen"),
        ]
    return dict((await session.execute(select(*columns))).mappings().one())


async def payments_by_month(session: AsyncSession, scope: Scope) -> list[dict[str, Any]]:
    year, month = year_month(CasePayment.paid_on)
    query = (
        select(
            year.label("year"),
            month.label("month"),
            CasePayment.kind,
            func.count(CasePayment.worker_id_number.distinct()).label("workers"),
            func.count().label("payments"),
            fen_sum(CasePayment.amount).label("amount_fen"),
        )
        .join(Case, Case.id == CasePayment.case_id)
        .where(*_payments_in(scope))
        .group_by(year, month, CasePayment.kind)
        .order_by(year, month, CasePayment.kind)
    )
    return [dict(row) for row in (await session.execute(query)).mappings()]


async def by_industry(session: AsyncSession, scope: Scope) -> dict[str, list[dict[str, Any]]]:
    """Inspections and wages recovered per industry code (two small GROUP BYs; the cases per
    industry are summed from :func:`case_groups`)."""
    inspections = select(Inspection.industry_code, func.count().label("n")).where(*inspections_in(scope))
    wages = (
        select(
            Case.industry_code,
            func.count(CasePayment.worker_id_number.distinct()).label("workers"),
            fen_sum(CasePayment.amount).label("amount_fen"),
        )
        .join(Case, Case.id == CasePayment.case_id)
        .where(*_payments_in(scope), CasePayment.kind == "wages")
    )
    return {
        "inspections": [
            dict(r)
            for r in (await session.execute(inspections.group_by(Inspection.industry_code))).mappings()
        ],
        "wages": [dict(r) for r in (await session.execute(wages.group_by(Case.industry_code))).mappings()],
    }
