"""The wage-monitoring aggregates of the yearly report: one SQL aggregate per figure."""

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
    payable, paid and the shortfall, in fen; couriers among them."""
    courier = _courier()
    short = PayrollLine.paid < PayrollLine.payable
    gap = PayrollLine.payable - PayrollLine.paid
    worker = PayrollLine.id_number
    query = (
        select(
            func.count(PayrollLedger.id.distinct()).label("ledgers"),
            func.count(PayrollLedger.employer_id.distinct()).label("employers"),
            func.count(worker.distinct()).label("workers"),
            func.count(PayrollLine.id).label("lines"),
            fen_sum(PayrollLine.payable).label("payable_fen"),
            fen_sum(PayrollLine.paid).label("paid_fen"),
            fen_sum(case((short, gap), else_=0)).label("shortfall_fen"),
            func.count(case((short, worker)).distinct()).label("workers_underpaid"),
            func.count(case((courier, PayrollLedger.employer_id)).distinct()).label("courier_employers"),
            func.count(case((courier, worker)).distinct()).label("courier_workers"),
            fen_sum(case((courier, PayrollLine.paid), else_=0)).label("courier_paid_fen"),
            fen_sum(case((courier & short, gap), else_=0)).label("courier_shortfall_fen"),
        )
        .select_from(PayrollLine)
        .join(PayrollLedger, PayrollLedger.id == PayrollLine.ledger_id)
        .join(MonitoredEmployer, MonitoredEmployer.id == PayrollLedger.employer_id)
        .where(*ledgers_in(scope))
    )
    return dict((await session.execute(query)).mappings().one())


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
