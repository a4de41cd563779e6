"""The wage-monitoring aggregates of the yearly report: SQL aggregates, the payroll lines read once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.reporting import COURIER_INDUSTRY_CODE, Scope, fen_sum, in_district
from wages.alert.models import Alert
from wages.employer.models import MonitoredEmployer
from wages.ledger.models import PayrollLedger, PayrollLine

LEVELS = ("yellow", "orange", "red")


def monitored(scope: Scope) -> list[ColumnElement[bool]]:
    """Employers under monitoring by the end of the period."""
    return [
        MonitoredEmployer.created_at < scope.end,
        in_district(MonitoredEmployer.district_code, scope.district_code),
    ]


def ledgers_in(scope: Scope) -> list[ColumnElement[bool]]:
    """The current version of each ledger whose pay period (YYYY-MM) lies in the period."""
    return [
        PayrollLedger.current.is_(True),
        PayrollLedger.period >= scope.first_period,
        PayrollLedger.period <= scope.last_period,
        in_district(MonitoredEmployer.district_code, scope.district_code),
    ]


def alerts_in(scope: Scope) -> list[ColumnElement[bool]]:
    return [
        Alert.opened_at >= scope.start,
        Alert.opened_at < scope.end,
        in_district(MonitoredEmployer.district_code, scope.district_code),
    ]


def _courier() -> ColumnElement[bool]:
    return MonitoredEmployer.industry_code == COURIER_INDUSTRY_CODE


async def employer_figures(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    query = select(
        func.count().label("employers"),
        func.count(case((MonitoredEmployer.kind == "project", 1))).label("projects"),
        func.count(case((MonitoredEmployer.created_at >= scope.start, 1))).label("registered"),
        func.count(case((_courier(), 1))).label("courier_employers"),
    ).where(*monitored(scope))
    return dict((await session.execute(query)).mappings().one())


async def payroll_figures(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    """Lines of the period's current ledgers: workers by 身份证号 (distinct), lines (人次),
    payable, paid and the shortfall, in fen; couriers among them.

    The lines are read once, for the distinct workers only: the counts and sums come from the
    ledgers' own totals (``line_count``, ``total_payable``, ``total_paid`` are those of the
    lines, written with them in one transaction by ``ledger.service``), and the shortfall
    from the lines paid less than payable through their partial index."""
    courier = _courier()
    has_lines = PayrollLedger.line_count > 0
    ledgers = (
        select(
            func.count(case((has_lines, PayrollLedger.id))).label("ledgers"),
            func.count(case((has_lines, PayrollLedger.employer_id)).distinct()).label("employers"),
            func.coalesce(func.sum(PayrollLedger.line_count), 0).label("lines"),
            fen_sum(PayrollLedger.total_payable).label("payable_fen"),
            fen_sum(PayrollLedger.total_paid).label("paid_fen"),
            func.count(case((has_lines & courier, PayrollLedger.id))).label("courier_ledgers"),
            func.count(case((has_lines & courier, PayrollLedger.employer_id)).distinct()).label(
                "courier_employers"
            ),
            fen_sum(case((courier, PayrollLedger.total_paid), else_=0)).label("courier_paid_fen"),
        )
        .select_from(PayrollLedger)
        .join(MonitoredEmployer, MonitoredEmployer.id == PayrollLedger.employer_id)
        .where(*ledgers_in(scope))
    )
    figures = dict((await session.execute(ledgers)).mappings().one())

    # The predicate of ix_payroll_lines_short, so that only the short lines are read.
    gap = PayrollLine.payable - PayrollLine.paid
    short = (
        select(
            fen_sum(gap).label("shortfall_fen"),
            func.count(PayrollLine.id_number.distinct()).label("workers_underpaid"),
            fen_sum(case((courier, gap), else_=0)).label("courier_shortfall_fen"),
        )
        .select_from(PayrollLine)
        .join(PayrollLedger, PayrollLedger.id == PayrollLine.ledger_id)
        .join(MonitoredEmployer, MonitoredEmployer.id == PayrollLedger.employer_id)
        .where(*ledgers_in(scope), PayrollLine.paid < PayrollLine.payable)
    )
    figures.update((await session.execute(short)).mappings().one())

    # Counting distinct workers sorts every line once per count; the courier count is the same
    # as the whole when every ledger is a courier's, and nothing when none is.
    worker = PayrollLine.id_number
    columns: list[ColumnElement[Any]] = [func.count(worker.distinct()).label("workers")]
    every_courier = int(figures["courier_ledgers"]) == int(figures["ledgers"])
    if int(figures["courier_ledgers"]) and not every_courier:
        columns.append(func.count(case((courier, worker)).distinct()).label("courier_workers"))
    workers = (
        select(*columns)
        .select_from(PayrollLine)
        .join(PayrollLedger, PayrollLedger.id == PayrollLine.ledger_id)
        .join(MonitoredEmployer, MonitoredEmployer.id == PayrollLedger.employer_id)
        .where(*ledgers_in(scope))
    )
    counted = dict((await session.execute(workers)).mappings().one())
    figures["workers"] = counted["workers"]
    if "courier_workers" in counted:
        figures["courier_workers"] = counted["courier_workers"]
    else:
        figures["courier_workers"] = counted["workers"] if every_courier else 0
    return figures


async def alert_figures(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    courier = _courier()
    columns: list[ColumnElement[Any]] = [
        func.count(Alert.id).label("alerts"),
        func.count(Alert.employer_id.distinct()).label("employers"),
        func.count(Alert.case_id).label("escalated"),
        func.count(case((courier, Alert.id))).label("courier_alerts"),
        func.count(case((courier, Alert.employer_id)).distinct()).label("courier_employers"),
    ]
    columns += [func.count(case((Alert.level == level, 1))).label(level) for level in LEVELS]
    query = (
        select(*columns)
        .select_from(Alert)
        .join(MonitoredEmployer, MonitoredEmployer.id == Alert.employer_id)
        .where(*alerts_in(scope))
    )
    return dict((await session.execute(query)).mappings().one())
