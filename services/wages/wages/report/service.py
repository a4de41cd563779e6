"""The wage-monitoring part of the yearly report, and the records behind each figure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, cast

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import FieldError, ValidationFailed
from shared.money import format_money
from shared.pagination import Page, PageParams, encode_cursor
from shared.reporting import COURIER_INDUSTRY_CODE, Scope, yuan
from wages.alert.models import Alert
from wages.employer.models import MonitoredEmployer
from wages.ledger.models import PayrollLedger
from wages.report import repository
from wages.report.schemas import (
    Alerts,
    AlertsCourier,
    CourierEmployerCount,
    FigureName,
    MonitoredEmployers,
    Payroll,
    PayrollCourier,
    RecordItem,
    WagesExplain,
    WagesFigures,
    WagesReport,
)

RECORDS_PATH: Final = "/api/v1/wages/reports/records"
LABELS: Final[dict[FigureName, str]] = {
    "monitored_employers": "工资支付监控单位",
    "payroll": "工资支付台账",
    "alerts": "欠薪预警",
}
COUNTED_AS: Final[dict[FigureName, str]] = {
    "monitored_employers": (
        "统计期末已纳入工资支付监控的用人单位和工程建设项目（按统一社会信用代码，每户一条）；"
        "快递企业为行业代码6020的单位"
    ),
    "payroll": (
        "工资所属期在统计期内的各期台账（同一所属期多次提交只计当前版本）的逐行合计：人数按身份证号去重，"
        "行数为人次，金额按分精确求和；差额为实发少于应发的行的差额之和"
    ),
    "alerts": (
        "产生时间在统计期内的预警（每条规则、单位、所属期一条），按等级分列；已转案件为已取得案件编号的预警"
    ),
}


def _explain(figure: FigureName, scope: Scope, with_explain: bool) -> dict[str, Any]:
    if not with_explain:
        return {"label": LABELS[figure]}
    return {
        "label": LABELS[figure],
        "explain": WagesExplain(
            counted_as=COUNTED_AS[figure],
            records=f"{RECORDS_PATH}?{scope.query(figure=figure)}",
            courier_records=f"{RECORDS_PATH}?{scope.query(figure=figure, courier='true')}",
        ),
    }


async def annual_report(session: AsyncSession, scope: Scope, *, with_explain: bool) -> WagesReport:
    employers = await repository.employer_figures(session, scope)
    payroll = await repository.payroll_figures(session, scope)
    alerts = await repository.alert_figures(session, scope)
    figures = WagesFigures(
        monitored_employers=MonitoredEmployers(
            **_explain("monitored_employers", scope, with_explain),
            employers=int(employers["employers"]),
            projects=int(employers["projects"]),
            registered_in_period=int(employers["registered"]),
            courier=CourierEmployerCount(employers=int(employers["courier_employers"])),
        ),
        payroll=Payroll(
            **_explain("payroll", scope, with_explain),
            ledgers=int(payroll["ledgers"]),
            employers=int(payroll["employers"]),
            workers=int(payroll["workers"]),
            lines=int(payroll["lines"]),
            payable=yuan(payroll["payable_fen"]),
            paid=yuan(payroll["paid_fen"]),
            shortfall=yuan(payroll["shortfall_fen"]),
            workers_underpaid=int(payroll["workers_underpaid"]),
            courier=PayrollCourier(
                employers=int(payroll["courier_employers"]),
                workers=int(payroll["courier_workers"]),
                paid=yuan(payroll["courier_paid_fen"]),
                shortfall=yuan(payroll["courier_shortfall_fen"]),
            ),
        ),
        alerts=Alerts(
            **_explain("alerts", scope, with_explain),
            alerts=int(alerts["alerts"]),
            employers=int(alerts["employers"]),
            by_level={level: int(alerts[level]) for level in repository.LEVELS},
            escalated_to_cases=int(alerts["escalated"]),
            courier=AlertsCourier(
                alerts=int(alerts["courier_alerts"]), employers=int(alerts["courier_employers"])
            ),
        ),
    )
    return WagesReport(
        from_=scope.date_from,
        to=scope.date_to,
        district_code=scope.district_code,
        courier_industry_code=COURIER_INDUSTRY_CODE,
        figures=figures,
    )


# --- records ---------------------------------------------------------------------------------


def _after(columns: Sequence[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    first, *rest = columns
    if not rest:
        return cast(ColumnElement[bool], first > values[0])
    return or_(first > values[0], and_(first == values[0], _after(rest, values[1:])))


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _query(figure: FigureName, scope: Scope) -> tuple[Select[*tuple[Any, ...]], list[Any], list[str]]:
    """The rows behind ``figure``, their keyset order, and the names of the order's columns."""
    employer = (
        MonitoredEmployer.uscc,
        MonitoredEmployer.name.label("employer_name"),
        MonitoredEmployer.district_code,
        MonitoredEmployer.industry_code,
    )
    query: Select[*tuple[Any, ...]]
    if figure == "monitored_employers":
        query = select(
            *employer, MonitoredEmployer.kind, MonitoredEmployer.created_at.label("registered_at")
        ).where(*repository.monitored(scope))
        return query, [MonitoredEmployer.uscc], ["uscc"]
    if figure == "payroll":
        query = (
            select(
                PayrollLedger.id,
                PayrollLedger.period,
                PayrollLedger.version,
                PayrollLedger.line_count,
                PayrollLedger.total_payable,
                PayrollLedger.total_paid,
                *employer,
            )
            .join(MonitoredEmployer, MonitoredEmployer.id == PayrollLedger.employer_id)
            .where(*repository.ledgers_in(scope))
        )
        return query, [PayrollLedger.period, PayrollLedger.id], ["period", "id"]
    query = (
        select(
            Alert.id,
            Alert.rule,
            Alert.level,
            Alert.status,
            Alert.period,
            Alert.case_no,
            Alert.opened_at,
            *employer,
        )
        .join(MonitoredEmployer, MonitoredEmployer.id == Alert.employer_id)
        .where(*repository.alerts_in(scope))
    )
    return query, [Alert.opened_at, Alert.id], ["opened_at", "id"]


def _parse_after(figure: FigureName, after: list[Any]) -> list[Any]:
    if figure == "alerts":
        return [datetime.fromisoformat(str(after[0])), str(after[1])]
    return [str(value) for value in after]


async def list_records(
    session: AsyncSession, scope: Scope, figure: FigureName, page: PageParams, *, courier: bool
) -> Page[RecordItem]:
    query, order, names = _query(figure, scope)
    if courier:
        query = query.where(MonitoredEmployer.industry_code == COURIER_INDUSTRY_CODE)
    if page.after is not None:
        try:
            if len(page.after) != len(order):
                raise ValueError("cursor size")
            after = _parse_after(figure, page.after)
        except (TypeError, ValueError) as exc:
            raise ValidationFailed([FieldError("query.cursor", "cursor_invalid", "分页游标无效")]) from exc
        query = query.where(_after(order, after))
    rows = [dict(r) for r in (await session.execute(query.order_by(*order).limit(page.limit + 1))).mappings()]
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        next_cursor = encode_cursor([_plain(rows[-1][name]) for name in names])
    return Page[RecordItem](
        items=[{k: _plain(v) for k, v in row.items()} for row in rows], next_cursor=next_cursor
    )
