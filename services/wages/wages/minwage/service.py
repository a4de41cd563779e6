"""Answers about the minimum wage, always with how sure the figures and the class mapping are."""

from __future__ import annotations

from datetime import date

from shared.errors import FieldError, NotFound, ValidationFailed
from wages.minwage.schemas import MinimumWageOut
from wages.minwage.table import VERIFIED_STATUSES, Floor, MinimumWageTable, NoMinimumWage

_STATUS_WORDS = {"3P": "仅有第三方来源", "M": "凭记忆、未核实"}


def floor_note(floor: Floor) -> str:
    """A Chinese sentence saying what the floor rests on when that is not verified text."""
    notes = []
    if floor.status not in VERIFIED_STATUSES:
        notes.append(f"最低工资标准{_STATUS_WORDS.get(floor.status, '未核实')}（{floor.status}）")
    if not floor.district_known:
        notes.append(f"该行政区划未列入地区类别对照表，按默认{floor.region_class}类地区计算")
    elif floor.district_status not in VERIFIED_STATUSES:
        status = floor.district_status or ""
        notes.append(f"地区类别对照{_STATUS_WORDS.get(status, '未核实')}（{status}）")
    if not notes:
        return "标准与地区类别均已核实"
    return "；".join(notes) + "，须以官方文件为准，仅供预警参考"


def floor_out(floor: Floor) -> MinimumWageOut:
    return MinimumWageOut(
        district_code=floor.district_code,
        on=floor.on,
        region_class=floor.region_class,
        monthly=floor.monthly,
        hourly=floor.hourly,
        effective_from=floor.effective_from,
        status=floor.status,
        source=floor.source,
        district_status=floor.district_status,
        district_known=floor.district_known,
        verified=floor.verified,
        note=floor_note(floor),
    )


def minimum_wage(
    table: MinimumWageTable, district_code: str, *, on: date | None, period: str | None, today: date
) -> MinimumWageOut:
    if on is not None and period is not None:
        raise ValidationFailed([FieldError("query.period", "conflicting_query", "on 与 period 只能指定一个")])
    try:
        if period is not None:
            floor = table.floor_for_period(district_code, period)
        else:
            floor = table.floor(district_code, on or today)
    except NoMinimumWage as exc:
        raise NotFound(str(exc), code="minimum_wage_not_found") from None
    return floor_out(floor)
