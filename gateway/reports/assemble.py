"""The services' parts put together as the figures of domain.md §11, in its order, and the same
figures as rows (item, unit, value, couriers among them) for the Markdown, XLSX and HTML forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from gateway.reports import hotline
from shared.reporting import Scope

COURIER_INDUSTRY_CODE: Final = "6020"
# Figure name -> the part that holds it; the order is the order of §11.
FIGURE_SOURCES: Final[tuple[tuple[str, str], ...]] = (
    ("employers_inspected", "complaints"),
    ("workers_covered", "complaints"),
    ("routine_patrols", "complaints"),
    ("assigned_transferred_petition", "complaints"),
    ("complaints_and_reports", "complaints"),
    ("wages_recovered", "complaints"),
    ("compensation_recovered", "complaints"),
    ("hotline_calls", "gateway"),
    ("deposits_refunded", "complaints"),
    ("social_insurance_backpaid", "complaints"),
    ("penalties", "complaints"),
    ("special_campaigns", "complaints"),
    ("annual_reviews", "complaints"),
    ("blacklist", "credit"),
    ("major_violation_disclosures", "credit"),
    ("monitored_employers", "wages"),
    ("payroll", "wages"),
    ("alerts", "wages"),
)
HOTLINE_COUNTED_AS: Final = (
    "经电话（phone）和12345热线（hotline_12345）提出的投诉举报案件（投诉举报服务按收到时间计数，"
    "已并案的不重复计），加上收到时间在统计期内、已由工作人员答复的12345咨询、求助和建议工单；"
    "直接拨打本局热线的政策咨询未单独登记，不在此数内"
)


def period_text(scope: Scope) -> str:
    if scope.whole_year is not None:
        return f"{scope.whole_year}年"
    a, b = scope.date_from, scope.date_to
    return f"{a.year}年{a.month}月{a.day}日至{b.year}年{b.month}月{b.day}日"


def _hotline_calls(cases: dict[str, Any], inquiries: int, scope: Scope, explain: bool) -> dict[str, Any]:
    figure: dict[str, Any] = {
        "label": "咨询和举报投诉电话",
        "calls": int(cases["cases"]) + inquiries,
        "complaints_and_reports": int(cases["cases"]),
        "inquiries_answered": inquiries,
        "by_channel": cases["by_channel"],
        "courier": {"complaints_and_reports": int(cases["courier"]["cases"])},
    }
    if explain:
        figure["explain"] = {
            "counted_as": HOTLINE_COUNTED_AS,
            "records": cases["explain"]["records"],
            "courier_records": cases["explain"]["courier_records"],
            "inquiry_records": hotline.records_path(scope),
        }
    return figure


def assemble(
    scope: Scope,
    parts: dict[str, dict[str, Any]],
    *,
    inquiries_answered: int,
    explain: bool,
    generated_at: datetime,
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for name, source in FIGURE_SOURCES:
        if source == "gateway":
            cases = parts["complaints"]["figures"]["hotline_calls"]
            figures[name] = _hotline_calls(cases, inquiries_answered, scope, explain)
        else:
            figures[name] = parts[source]["figures"][name]
    return {
        "title": f"{period_text(scope)}劳动保障监察工作基本情况",
        "period": {
            "from": scope.date_from.isoformat(),
            "to": scope.date_to.isoformat(),
            "year": scope.whole_year,
        },
        "district_code": scope.district_code,
        "courier_industry_code": COURIER_INDUSTRY_CODE,
        "generated_at": generated_at.isoformat(),
        "figures": figures,
        "charts": parts["complaints"]["charts"],
    }


@dataclass(frozen=True, slots=True)
class Row:
    figure: str
    group: str
    item: str
    unit: str
    value: int | Decimal
    courier: int | Decimal | None
    counted_as: str | None


# (figure, item, unit, field, courier field or None): what each figure shows as table rows.
ROW_SPECS: Final[tuple[tuple[str, str, str, str, str | None], ...]] = (
    ("employers_inspected", "实施劳动监察的用人单位", "户", "employers", "employers"),
    ("workers_covered", "涉及劳动者", "人次", "workers", "workers"),
    ("routine_patrols", "日常巡查用人单位", "户", "employers", "employers"),
    ("routine_patrols", "日常巡查涉及劳动者", "人次", "workers_covered", "workers_covered"),
    ("assigned_transferred_petition", "交办、转办、信访件", "件", "cases", "cases"),
    ("complaints_and_reports", "举报投诉案件", "件", "cases", "cases"),
    ("wages_recovered", "追发工资劳动者", "人", "workers", "workers"),
    ("wages_recovered", "追发工资金额", "元", "amount", "amount"),
    ("compensation_recovered", "支付经济补偿金、赔偿金劳动者", "人", "workers", "workers"),
    ("compensation_recovered", "支付经济补偿金、赔偿金金额", "元", "amount", "amount"),
    ("hotline_calls", "咨询和举报投诉电话", "个", "calls", None),
    ("deposits_refunded", "清退风险抵押金劳动者", "人", "workers", "workers"),
    ("deposits_refunded", "清退风险抵押金金额", "元", "amount", "amount"),
    ("social_insurance_backpaid", "补缴社会保险劳动者", "人", "workers", "workers"),
    ("social_insurance_backpaid", "补缴社会保险金额", "元", "amount", "amount"),
    ("penalties", "行政处罚用人单位", "户", "employers", "employers"),
    ("penalties", "行政处罚罚款", "元", "fines", "fines"),
    ("special_campaigns", "专项检查出动检查人员", "人次", "inspectors_deployed", None),
    ("special_campaigns", "专项检查用人单位", "户", "employers", "employers"),
    ("special_campaigns", "专项检查涉及劳动者", "人次", "workers_covered", "workers_covered"),
    ("special_campaigns", "责令改正", "件", "orders_to_correct", None),
    ("special_campaigns", "专项检查行政处罚", "件", "penalties", None),
    ("special_campaigns", "专项检查罚款", "元", "fines", None),
    ("special_campaigns", "责令补签劳动合同", "份", "contracts_signed", None),
    ("special_campaigns", "责令支付工资及补偿金", "元", "wages_and_compensation_ordered", None),
    ("special_campaigns", "督促社会保险登记", "户", "social_insurance_registrations", None),
    ("special_campaigns", "督促缴纳社会保险费", "元", "social_insurance_ordered", None),
    ("annual_reviews", "年审用人单位", "户", "employers", "employers"),
    ("annual_reviews", "年审涉及劳动者", "人次", "workers_covered", "workers_covered"),
    ("blacklist", "列入失信联合惩戒对象名单", "件", "decisions", "decisions"),
    ("blacklist", "黑名单向社会公布", "件", "published", "published"),
    ("major_violation_disclosures", "公布重大劳动保障违法行为", "件", "disclosures", "disclosures"),
    ("monitored_employers", "工资支付监控单位", "户", "employers", "employers"),
    ("payroll", "工资支付台账劳动者", "人", "workers", "workers"),
    ("payroll", "台账实发工资", "元", "paid", "paid"),
    ("payroll", "台账少发工资", "元", "shortfall", "shortfall"),
    ("alerts", "欠薪预警", "条", "alerts", "alerts"),
)


def _number(value: Any, unit: str) -> int | Decimal:
    # Money arrives as a decimal string and stays a Decimal; counts are ints.
    return Decimal(str(value)) if unit == "元" else int(value)


def rows(document: dict[str, Any]) -> list[Row]:
    figures: dict[str, Any] = document["figures"]
    out: list[Row] = []
    for name, item, unit, field, courier_field in ROW_SPECS:
        figure = figures[name]
        courier = None
        if courier_field is not None:
            courier = _number(figure["courier"][courier_field], unit)
        explain = figure.get("explain")
        out.append(
            Row(
                figure=name,
                group=figure["label"],
                item=item,
                unit=unit,
                value=_number(figure[field], unit),
                courier=courier,
                counted_as=explain["counted_as"] if explain else None,
            )
        )
    return out
