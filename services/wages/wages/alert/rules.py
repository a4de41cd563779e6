"""Early-warning rules (domain.md §3.2): each a named check, configured by settings, that turns
one pay period's data into findings with their evidence and level.

Every rule is one or a few set-based SQL queries over the period's current ledgers and their lines,
grouped by employer (never a loop over ORM objects), so an evaluation costs the same few queries
for ten employers or ten thousand. Money is summed and compared in whole fen (``round(x * 100)``):
exact on PostgreSQL's numeric and on SQLite, where NUMERIC is a float.

What needs the calendar or the minimum-wage table is worked out in Python first and small:
the pay date depends only on the pay day (at most 31 values), the floor only on the district (a
handful of region classes). The SQL then filters by the pay days whose date has passed and by
the districts sharing one floor.

The thresholds are policy, not law (domain.md §3.2): settings, never constants.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import BigInteger, Select, and_, case, cast, distinct, exists, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from shared.calendar import WorkingDayCalendar
from shared.timeutil import china_date
from wages.alert.models import ProcessedEvent
from wages.config import WagesSettings
from wages.employer.models import MonitoredEmployer, RosterWorker
from wages.employer.payday import PayDate, pay_date
from wages.employer.period import first_day, last_day, next_month, parse_period
from wages.ledger.models import LabourCostTransfer, PayrollLedger, PayrollLine
from wages.minwage.service import floor_note
from wages.minwage.table import Floor, MinimumWageTable, NoMinimumWage

YELLOW: Final = "yellow"
ORANGE: Final = "orange"
RED: Final = "red"
LEVELS: Final = (YELLOW, ORANGE, RED)
LEVEL_RANK: Final = {level: rank for rank, level in enumerate(LEVELS)}
LEVEL_LABELS: Final = {YELLOW: "黄色", ORANGE: "橙色", RED: "红色"}

# Event types from the complaints service that count as a complaint against an employer.
COMPLAINT_EVENTS: Final = ("case.received", "employer.repeated_complaints")

_CENT: Final = Decimal("0.01")


# -- periods -------------------------------------------------------------------------------------


def shift_period(period: str, months: int) -> str:
    year, month = parse_period(period)
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def period_bounds(period: str) -> tuple[date, date]:
    year, month = parse_period(period)
    return first_day(year, month), last_day(year, month)


def fen_to_money(fen: int | Decimal | float | None) -> Decimal:
    return (Decimal(int(fen or 0)) * _CENT).quantize(_CENT)


def money_text(amount: Decimal) -> str:
    return format(amount.quantize(_CENT), "f")


# -- findings --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule firing for one employer and period."""

    rule: str
    employer_id: str
    period: str
    level: str
    # JSON-ready; also what the case a red alert opens is written from (service.case_payload).
    evidence: dict[str, Any]

    @property
    def dedupe_key(self) -> str:
        return f"{self.rule}:{self.employer_id}:{self.period}"


@dataclass(frozen=True, slots=True)
class Context:
    """What every rule needs: the period, the day it is evaluated as of, and the reference data."""

    period: str
    as_of: date
    settings: WagesSettings
    calendar: WorkingDayCalendar
    minimum_wages: MinimumWageTable
    # Only these employers (the after-ledger hook, a complaint event); None: every employer.
    employer_ids: Sequence[str] | None = None
    _pay_dates: dict[int, PayDate] = field(default_factory=dict, init=False, repr=False)

    def pay_date(self, pay_day: int) -> PayDate:
        known = self._pay_dates.get(pay_day)
        if known is None:
            known = self._pay_dates[pay_day] = pay_date(pay_day, self.period, self.calendar, self.settings)
        return known

    def paid_by_now(self) -> list[int]:
        """Pay days whose pay date for the period has passed: wages not paid by then are owed."""
        return [day for day in range(1, 32) if self.pay_date(day).due_on < self.as_of]

    def employer_filter(self, column: Any) -> ColumnElement[bool]:
        if self.employer_ids is None:
            return true()
        condition: ColumnElement[bool] = column.in_(list(self.employer_ids))
        return condition


def grade(
    settings: WagesSettings,
    *,
    amount: Decimal | None = None,
    workers: int | None = None,
    periods: int | None = None,
    complaints: int | None = None,
) -> str:
    """Red when any red threshold is reached, else orange likewise, else yellow."""

    def reaches(prefix: str) -> bool:
        checks = (
            (amount, getattr(settings, f"{prefix}_amount")),
            (workers, getattr(settings, f"{prefix}_workers")),
            (periods, getattr(settings, f"{prefix}_periods")),
            (complaints, getattr(settings, f"{prefix}_complaints")),
        )
        return any(value is not None and value >= threshold for value, threshold in checks)

    if reaches("red"):
        return RED
    if reaches("orange"):
        return ORANGE
    return YELLOW


def thresholds(settings: WagesSettings) -> dict[str, Any]:
    """The level thresholds in force, kept in the evidence so a level can be explained later."""
    return {
        level: {
            "amount": money_text(getattr(settings, f"{level}_amount")),
            "workers": getattr(settings, f"{level}_workers"),
            "periods": getattr(settings, f"{level}_periods"),
            "complaints": getattr(settings, f"{level}_complaints"),
        }
        for level in (RED, ORANGE)
    }


# -- SQL pieces ------------------------------------------------------------------------------------


def _fen(column: Any) -> ColumnElement[Any]:
    return func.round(column * 100)


def _exact_numeric(session: AsyncSession) -> bool:
    """PostgreSQL's numeric is exact, so the lines' amounts compare as they are there: the
    per-row ``round(x * 100)`` of a filter costs more than the rest of a scan of a big ledger."""
    return session.get_bind().dialect.name == "postgresql"


def _short_lines(session: AsyncSession) -> ColumnElement[bool]:
    """Lines paid less than payable."""
    if _exact_numeric(session):
        return PayrollLine.paid < PayrollLine.payable
    return _fen(PayrollLine.paid) < _fen(PayrollLine.payable)


def _fen_sum(expression: ColumnElement[Any]) -> ColumnElement[int]:
    return cast(func.coalesce(func.sum(expression), 0), BigInteger)


def _current_lines(ctx: Context, *columns: Any) -> Select[Any]:
    """Lines of the period's current ledgers, with their employer joined."""
    return (
        select(*columns)
        .select_from(PayrollLine)
        .join(PayrollLedger, PayrollLine.ledger_id == PayrollLedger.id)
        .join(MonitoredEmployer, MonitoredEmployer.id == PayrollLedger.employer_id)
        .where(
            PayrollLedger.current.is_(True),
            PayrollLedger.period == ctx.period,
            ctx.employer_filter(PayrollLedger.employer_id),
        )
    )


def _active_roster(ctx: Context) -> ColumnElement[bool]:
    start, end = period_bounds(ctx.period)
    return and_(
        RosterWorker.active_from <= end,
        or_(RosterWorker.active_to.is_(None), RosterWorker.active_to >= start),
    )


def _roster_counts(ctx: Context) -> Any:
    """Subquery: active roster workers per employer during the period."""
    return (
        select(
            RosterWorker.employer_id.label("employer_id"),
            func.count(distinct(RosterWorker.id_number)).label("workers"),
        )
        .where(_active_roster(ctx), ctx.employer_filter(RosterWorker.employer_id))
        .group_by(RosterWorker.employer_id)
        .subquery("roster")
    )


def _pay_date_evidence(ctx: Context, pay_day: int) -> dict[str, Any]:
    due = ctx.pay_date(pay_day)
    return {
        "pay_day": pay_day,
        "pay_date": due.due_on.isoformat(),
        "pay_date_moved_from": due.moved_from.isoformat() if due.moved_from else None,
        "calendar_provisional": due.calendar_provisional,
    }


# -- the rules -------------------------------------------------------------------------------------


async def no_ledger(session: AsyncSession, ctx: Context) -> list[Finding]:
    """No current ledger for the period by its pay date plus a grace of working days (条例 art. 15)."""
    settings = ctx.settings
    grace = settings.no_ledger_grace_working_days
    due_dates = {}
    for day in range(1, 32):
        due = ctx.calendar.add_working_days(ctx.pay_date(day).due_on, grace)
        if due.day < ctx.as_of:
            due_dates[day] = due
    if not due_dates:
        return []
    roster = _roster_counts(ctx)
    has_ledger = exists().where(
        PayrollLedger.employer_id == MonitoredEmployer.id,
        PayrollLedger.period == ctx.period,
        PayrollLedger.current.is_(True),
    )
    query = (
        select(MonitoredEmployer.id, MonitoredEmployer.pay_day, func.coalesce(roster.c.workers, 0))
        .outerjoin(roster, roster.c.employer_id == MonitoredEmployer.id)
        .where(
            MonitoredEmployer.pay_day.in_(sorted(due_dates)),
            ~has_ledger,
            ctx.employer_filter(MonitoredEmployer.id),
        )
    )
    findings = []
    for employer_id, pay_day, workers in (await session.execute(query)).all():
        due = due_dates[pay_day]
        evidence = {
            **_pay_date_evidence(ctx, pay_day),
            "grace_working_days": grace,
            "ledger_due_by": due.day.isoformat(),
            "calendar_provisional": ctx.pay_date(pay_day).calendar_provisional or due.provisional,
            "roster_workers": int(workers),
        }
        findings.append(
            Finding(
                rule="no_ledger",
                employer_id=employer_id,
                period=ctx.period,
                level=grade(settings, workers=int(workers)),
                evidence=evidence,
            )
        )
    return findings


async def unpaid_or_short(session: AsyncSession, ctx: Context) -> list[Finding]:
    """Lines paid less than payable once the pay date has passed (条例 arts. 12-14)."""
    paid_days = ctx.paid_by_now()
    if not paid_days:
        return []
    paid, payable = _fen(PayrollLine.paid), _fen(PayrollLine.payable)
    query = _current_lines(
        ctx,
        PayrollLedger.employer_id,
        MonitoredEmployer.pay_day,
        func.max(PayrollLedger.id),
        func.max(PayrollLedger.version),
        func.count(distinct(PayrollLine.id_number)),
        func.count(PayrollLine.id),
        func.count(case((paid == 0, PayrollLine.id))),
        _fen_sum(payable - paid),
        _fen_sum(payable),
        _fen_sum(paid),
    ).where(_short_lines(session), MonitoredEmployer.pay_day.in_(paid_days))
    query = query.group_by(PayrollLedger.employer_id, MonitoredEmployer.pay_day)
    findings = []
    for row in (await session.execute(query)).all():
        employer_id, pay_day, ledger_id, version, workers, lines, unpaid, short, owed, paid_fen = row
        amount = fen_to_money(short)
        evidence = {
            **_pay_date_evidence(ctx, pay_day),
            "ledger_id": ledger_id,
            "ledger_version": int(version),
            "workers": int(workers),
            "lines": int(lines),
            "lines_unpaid": int(unpaid),
            "payable": money_text(fen_to_money(owed)),
            "paid": money_text(fen_to_money(paid_fen)),
            "amount_short": money_text(amount),
        }
        findings.append(
            Finding(
                rule="unpaid_or_short",
                employer_id=employer_id,
                period=ctx.period,
                level=grade(ctx.settings, amount=amount, workers=int(workers)),
                evidence=evidence,
            )
        )
    return findings


def _floor_evidence(floor: Floor) -> dict[str, Any]:
    return {
        "region_class": floor.region_class,
        "monthly": money_text(floor.monthly),
        "hourly": money_text(floor.hourly),
        "effective_from": floor.effective_from.isoformat(),
        "status": floor.status,
        "district_status": floor.district_status,
        "verified": floor.verified,
        "note": floor_note(floor),
    }


MINIMUM_WAGE_METHOD: Final = (
    "以实发工资（paid）近似正常工作时间工资：工时不少于 full_time_hours（或未填工时）的按月最低工资比较，"
    "其余按小时最低工资 × 工时比较；所属期适用该月1日有效的标准。台账未区分加班工资、特殊津贴及个人缴纳的"
    "社会保险费和住房公积金，结果仅作预警线索，须经核查认定。"
)


async def below_minimum_wage(session: AsyncSession, ctx: Context) -> list[Finding]:
    """Normal-hours pay below the floor in force for the period and the employer's district.

    Simplification (documented in the evidence): the ledger does not split normal-hours pay from
    overtime and allowances, nor add back the worker's own social-insurance shares, so ``paid`` is
    the proxy. Lines with ``hours >= full_time_hours`` (or no hours recorded: the ledger must
    record them, art. 15, and a missing figure must not hide a shortfall) are tested against the
    monthly floor; other lines against ``hourly * hours``, rounded to the fen.
    """
    paid_days = ctx.paid_by_now()
    if not paid_days:
        return []
    districts_query = (
        select(MonitoredEmployer.district_code)
        .distinct()
        .join(PayrollLedger, PayrollLedger.employer_id == MonitoredEmployer.id)
        .where(
            PayrollLedger.current.is_(True),
            PayrollLedger.period == ctx.period,
            ctx.employer_filter(MonitoredEmployer.id),
        )
    )
    groups: dict[tuple[Decimal, Decimal], list[str]] = defaultdict(list)
    floors: dict[tuple[Decimal, Decimal], Floor] = {}
    no_floor: list[str] = []
    for (district_code,) in (await session.execute(districts_query)).all():
        try:
            floor = ctx.minimum_wages.floor_for_period(district_code, ctx.period)
        except NoMinimumWage:
            no_floor.append(district_code)
            continue
        key = (floor.monthly, floor.hourly)
        groups[key].append(district_code)
        floors.setdefault(key, floor)

    full_time_fen = int(ctx.settings.full_time_hours * 100)
    findings = []
    for key, district_codes in groups.items():
        floor = floors[key]
        monthly_fen = int(floor.monthly * 100)
        hourly_fen = int(floor.hourly * 100)
        paid = _fen(PayrollLine.paid)
        full_time = or_(PayrollLine.hours.is_(None), _fen(PayrollLine.hours) >= full_time_fen)
        floor_fen = case((full_time, monthly_fen), else_=func.round(PayrollLine.hours * hourly_fen))
        below_floor = paid < floor_fen
        if _exact_numeric(session):
            # The same test in yuan: numeric is exact, and rounding hours x hourly to the fen is
            # rounding hours x hourly_fen to a whole number.
            exact_full_time = or_(
                PayrollLine.hours.is_(None), PayrollLine.hours >= Decimal(full_time_fen) / 100
            )
            exact_floor = case(
                (exact_full_time, Decimal(monthly_fen) / 100),
                else_=func.round(PayrollLine.hours * (Decimal(hourly_fen) / 100), 2),
            )
            below_floor = PayrollLine.paid < exact_floor
        query = (
            _current_lines(
                ctx,
                PayrollLedger.employer_id,
                MonitoredEmployer.pay_day,
                MonitoredEmployer.district_code,
                func.max(PayrollLedger.id),
                func.count(distinct(PayrollLine.id_number)),
                func.count(PayrollLine.id),
                func.count(case((full_time, PayrollLine.id))),
                _fen_sum(floor_fen - paid),
            )
            .where(
                MonitoredEmployer.district_code.in_(district_codes),
                MonitoredEmployer.pay_day.in_(paid_days),
                below_floor,
            )
            .group_by(PayrollLedger.employer_id, MonitoredEmployer.pay_day, MonitoredEmployer.district_code)
        )
        for row in (await session.execute(query)).all():
            employer_id, pay_day, district_code, ledger_id, workers, lines, full_lines, short = row
            amount = fen_to_money(short)
            district_floor = ctx.minimum_wages.floor_for_period(district_code, ctx.period)
            evidence = {
                **_pay_date_evidence(ctx, pay_day),
                "ledger_id": ledger_id,
                "district_code": district_code,
                "floor": _floor_evidence(district_floor),
                "full_time_hours": str(ctx.settings.full_time_hours),
                "workers": int(workers),
                "lines": int(lines),
                "lines_full_time": int(full_lines),
                "lines_part_time": int(lines) - int(full_lines),
                "amount_short": money_text(amount),
                "method": MINIMUM_WAGE_METHOD,
            }
            findings.append(
                Finding(
                    rule="below_minimum_wage",
                    employer_id=employer_id,
                    period=ctx.period,
                    level=grade(ctx.settings, amount=amount, workers=int(workers)),
                    evidence=evidence,
                )
            )
    return findings


async def consecutive_arrears(session: AsyncSession, ctx: Context) -> list[Finding]:
    """Arrears (lines paid less than payable) in at least ``consecutive_periods`` periods in a
    row, ending with the evaluated one. A period without a ledger breaks the run (it has its own
    rule); the run is looked for at most ``consecutive_lookback_periods`` back."""
    settings = ctx.settings
    paid_days = ctx.paid_by_now()
    if not paid_days:
        return []
    lookback = max(settings.consecutive_lookback_periods, settings.consecutive_periods, 1)
    periods = [shift_period(ctx.period, -n) for n in range(lookback)]
    paid, payable = _fen(PayrollLine.paid), _fen(PayrollLine.payable)
    query = (
        select(
            PayrollLedger.employer_id,
            PayrollLedger.period,
            func.count(distinct(PayrollLine.id_number)),
            _fen_sum(payable - paid),
        )
        .select_from(PayrollLine)
        .join(PayrollLedger, PayrollLine.ledger_id == PayrollLedger.id)
        .join(MonitoredEmployer, MonitoredEmployer.id == PayrollLedger.employer_id)
        .where(
            PayrollLedger.current.is_(True),
            PayrollLedger.period.in_(periods),
            _short_lines(session),
            ctx.employer_filter(PayrollLedger.employer_id),
            # The evaluated period counts only once its pay date has passed.
            or_(PayrollLedger.period != ctx.period, MonitoredEmployer.pay_day.in_(paid_days)),
        )
        .group_by(PayrollLedger.employer_id, PayrollLedger.period)
    )
    by_employer: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for employer_id, period, workers, short in (await session.execute(query)).all():
        by_employer[employer_id][period] = (int(workers), int(short))
    findings = []
    for employer_id, arrears in by_employer.items():
        run = []
        for period in periods:
            if period not in arrears:
                break
            run.append(period)
        if len(run) < settings.consecutive_periods:
            continue
        amount = fen_to_money(sum(arrears[p][1] for p in run))
        workers = max(arrears[p][0] for p in run)
        evidence = {
            "periods": len(run),
            "run": [
                {
                    "period": p,
                    "workers": arrears[p][0],
                    "amount_short": money_text(fen_to_money(arrears[p][1])),
                }
                for p in sorted(run)
            ],
            "first_period": min(run),
            "amount_short": money_text(amount),
            "workers_max": workers,
            "lookback_periods": lookback,
            "capped": len(run) == lookback,
        }
        findings.append(
            Finding(
                rule="consecutive_arrears",
                employer_id=employer_id,
                period=ctx.period,
                level=grade(settings, amount=amount, workers=workers, periods=len(run)),
                evidence=evidence,
            )
        )
    return findings


async def roster_missing(session: AsyncSession, ctx: Context) -> list[Finding]:
    """Real-name roster workers active in the period with no line in its current ledger (条例
    arts. 15, 28)."""
    ledger = PayrollLedger
    has_line = exists().where(
        PayrollLine.ledger_id == ledger.id, PayrollLine.id_number == RosterWorker.id_number
    )
    query = (
        select(
            RosterWorker.employer_id,
            func.max(ledger.id),
            func.max(ledger.line_count),
            func.count(distinct(RosterWorker.id_number)),
        )
        .join(
            ledger,
            and_(
                ledger.employer_id == RosterWorker.employer_id,
                ledger.period == ctx.period,
                ledger.current.is_(True),
            ),
        )
        .where(_active_roster(ctx), ~has_line, ctx.employer_filter(RosterWorker.employer_id))
        .group_by(RosterWorker.employer_id)
    )
    roster = _roster_counts(ctx)
    rows = (await session.execute(query)).all()
    if not rows:
        return []
    counted = await session.execute(select(roster.c.employer_id, roster.c.workers))
    totals: dict[str, int] = {employer_id: int(workers) for employer_id, workers in counted.all()}
    findings = []
    for employer_id, ledger_id, line_count, missing in rows:
        start, end = period_bounds(ctx.period)
        evidence = {
            "ledger_id": ledger_id,
            "ledger_lines": int(line_count or 0),
            "roster_workers": int(totals.get(employer_id, missing)),
            "workers_missing": int(missing),
            "roster_window": [start.isoformat(), end.isoformat()],
        }
        findings.append(
            Finding(
                rule="roster_missing",
                employer_id=employer_id,
                period=ctx.period,
                level=grade(ctx.settings, workers=int(missing)),
                evidence=evidence,
            )
        )
    return findings


async def labour_cost_missing(session: AsyncSession, ctx: Context) -> list[Finding]:
    """Construction projects whose labour costs for the period did not reach the wage account by
    the end of the month ``labour_cost_due_months`` after it (条例 arts. 24, 27, 29); short when
    the project states its monthly labour cost and less arrived in time."""
    settings = ctx.settings
    year, month = parse_period(ctx.period)
    for _ in range(settings.labour_cost_due_months):
        year, month = next_month(year, month)
    due = last_day(year, month)
    if not due < ctx.as_of:
        return []
    transfers = (
        select(
            LabourCostTransfer.employer_id.label("employer_id"),
            _fen_sum(
                case((LabourCostTransfer.transferred_on <= due, _fen(LabourCostTransfer.amount)), else_=0)
            ).label("on_time"),
            _fen_sum(
                case((LabourCostTransfer.transferred_on > due, _fen(LabourCostTransfer.amount)), else_=0)
            ).label("late"),
            func.max(LabourCostTransfer.transferred_on).label("last_on"),
        )
        .where(LabourCostTransfer.period == ctx.period, ctx.employer_filter(LabourCostTransfer.employer_id))
        .group_by(LabourCostTransfer.employer_id)
        .subquery("transfers")
    )
    roster = _roster_counts(ctx)
    on_time = func.coalesce(transfers.c.on_time, 0)
    # Without a stated monthly labour cost, any transfer in time will do.
    expected = func.coalesce(_fen(MonitoredEmployer.monthly_labour_cost), 1)
    query = (
        select(
            MonitoredEmployer.id,
            cast(_fen(MonitoredEmployer.monthly_labour_cost), BigInteger),
            on_time,
            func.coalesce(transfers.c.late, 0),
            transfers.c.last_on,
            func.coalesce(roster.c.workers, 0),
        )
        .outerjoin(transfers, transfers.c.employer_id == MonitoredEmployer.id)
        .outerjoin(roster, roster.c.employer_id == MonitoredEmployer.id)
        .where(
            MonitoredEmployer.kind == "project",
            on_time < expected,
            ctx.employer_filter(MonitoredEmployer.id),
        )
    )
    findings = []
    for employer_id, expected_fen, on_time_fen, late_fen, last_on, workers in (
        await session.execute(query)
    ).all():
        short = None if expected_fen is None else fen_to_money(int(expected_fen) - int(on_time_fen))
        evidence = {
            "due_by": due.isoformat(),
            "expected": None if expected_fen is None else money_text(fen_to_money(expected_fen)),
            "transferred_on_time": money_text(fen_to_money(on_time_fen)),
            "transferred_late": money_text(fen_to_money(late_fen)),
            "last_transfer_on": last_on.isoformat() if isinstance(last_on, date) else last_on,
            "amount_short": None if short is None else money_text(short),
            "roster_workers": int(workers),
        }
        findings.append(
            Finding(
                rule="labour_cost_missing",
                employer_id=employer_id,
                period=ctx.period,
                level=grade(settings, amount=short, workers=int(workers)),
                evidence=evidence,
            )
        )
    return findings


async def no_deposit(session: AsyncSession, ctx: Context) -> list[Finding]:
    """Construction projects with neither a wage deposit, a bank guarantee nor a recorded
    exemption once ``deposit_due_working_days`` have passed since registration (条例 art. 32;
    人社部发〔2021〕65号)."""
    roster = _roster_counts(ctx)
    query = (
        select(MonitoredEmployer.id, MonitoredEmployer.created_at, func.coalesce(roster.c.workers, 0))
        .outerjoin(roster, roster.c.employer_id == MonitoredEmployer.id)
        .where(
            MonitoredEmployer.kind == "project",
            MonitoredEmployer.deposit_kind.is_(None),
            ctx.employer_filter(MonitoredEmployer.id),
        )
    )
    findings = []
    days = ctx.settings.deposit_due_working_days
    for employer_id, registered_at, workers in (await session.execute(query)).all():
        registered_on = china_date(registered_at)
        due = ctx.calendar.add_working_days(registered_on, days)
        if not due.day < ctx.as_of:
            continue
        evidence = {
            "registered_on": registered_on.isoformat(),
            "due_by": due.day.isoformat(),
            "due_working_days": days,
            "calendar_provisional": due.provisional,
            "roster_workers": int(workers),
        }
        findings.append(
            Finding(
                rule="no_deposit",
                employer_id=employer_id,
                period=ctx.period,
                level=grade(ctx.settings, workers=int(workers)),
                evidence=evidence,
            )
        )
    return findings


async def complaints(session: AsyncSession, ctx: Context) -> list[Finding]:
    """Complaints and reports recorded against a monitored employer in the month (from the
    complaints service's events, domain.md §3.2: complaint counts per employer)."""
    data = ProcessedEvent.data
    employer_id = data["employer_id"].as_string()
    case_id = data["case_id"].as_string()
    query = (
        select(
            employer_id,
            func.count(distinct(case_id)),
            func.max(data["count"].as_integer()),
        )
        .where(
            ProcessedEvent.event_type.in_(COMPLAINT_EVENTS),
            data["month"].as_string() == ctx.period,
            employer_id.is_not(None),
            ctx.employer_filter(employer_id),
        )
        .group_by(employer_id)
        .having(func.count(distinct(case_id)) >= ctx.settings.complaints_threshold)
    )
    findings = []
    for employer, count, total in (await session.execute(query)).all():
        evidence = {
            "complaints": int(count),
            "threshold": ctx.settings.complaints_threshold,
            "employer_case_count": None if total is None else int(total),
        }
        findings.append(
            Finding(
                rule="complaints",
                employer_id=employer,
                period=ctx.period,
                level=grade(ctx.settings, complaints=int(count)),
                evidence=evidence,
            )
        )
    return findings


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    title: str  # Chinese, shown to people
    issue: str  # the complaint issue a case opened from it carries
    check: Callable[[AsyncSession, Context], Awaitable[list[Finding]]]


RULES: Final[Mapping[str, Rule]] = {
    rule.name: rule
    for rule in (
        Rule("no_ledger", "未按期报送工资支付台账", "other", no_ledger),
        Rule("unpaid_or_short", "未足额支付工资", "wage_arrears", unpaid_or_short),
        Rule("below_minimum_wage", "工资低于最低工资标准", "below_minimum_wage", below_minimum_wage),
        Rule("consecutive_arrears", "连续多期拖欠工资", "wage_arrears", consecutive_arrears),
        Rule("roster_missing", "实名制花名册人员未列入工资支付台账", "other", roster_missing),
        Rule(
            "labour_cost_missing", "人工费用未按期足额拨付至农民工工资专用账户", "other", labour_cost_missing
        ),
        Rule("no_deposit", "工程建设项目未存储农民工工资保证金或提交银行保函", "other", no_deposit),
        Rule("complaints", "同一单位投诉举报集中", "other", complaints),
    )
}


async def run_rules(session: AsyncSession, ctx: Context, names: Sequence[str] | None = None) -> list[Finding]:
    """Every enabled rule (``settings.alert_rules``), or the named subset of them."""
    enabled = [name for name in ctx.settings.alert_rules if name in RULES]
    if names is not None:
        enabled = [name for name in enabled if name in names]
    findings: list[Finding] = []
    for name in enabled:
        findings.extend(await RULES[name].check(session, ctx))
    return findings
