"""The period and district of a report, and the helpers every report query of this service uses.

The same small rules as the complaints and wages reports (services share no code but ``shared/``):
a district code covers the districts under it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, true
from sqlalchemy.sql.elements import SQLCoreOperations

from shared.errors import FieldError, Forbidden, ValidationFailed
from shared.timeutil import CHINA_TZ, china_today

# GB/T 4754-2017 小类 6020 快递服务 (domain.md §7.4 [V2]); the courier break-out of §11.
COURIER_INDUSTRY_CODE: Final = "6020"


@dataclass(frozen=True, slots=True)
class Scope:
    """The period (Asia/Shanghai dates, both ends included) and the district of a report."""

    date_from: date
    date_to: date
    district_code: str | None

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time(), CHINA_TZ)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.date_to + timedelta(days=1), time(), CHINA_TZ)

    def query(self, **extra: str) -> str:
        params = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        if self.district_code:
            params["district_code"] = self.district_code
        return urlencode({**extra, **params})


def make_scope(
    date_from: date | None, date_to: date | None, district_code: str | None, districts: tuple[str, ...]
) -> Scope:
    """The scope asked for: the current year by default, within the caller's districts."""
    year = china_today().year
    start = date_from or date(date_to.year if date_to else year, 1, 1)
    end = date_to or date(start.year, 12, 31)
    if start > end:
        raise ValidationFailed([FieldError("query.to", "date_range_invalid", "结束日期不能早于开始日期")])
    if districts:
        if district_code is None and len(districts) == 1:
            district_code = districts[0]
        if district_code is None or not any(district_code.startswith(d) for d in districts):
            raise Forbidden("该客户端只能查询其所辖区县的统计", code="district_not_allowed")
    return Scope(start, end, district_code)


def in_district(column: SQLCoreOperations[str | None], code: str | None) -> ColumnElement[bool]:
    if code is None:
        return true()
    if code.endswith("0000"):
        return column.startswith(code[:2])
    if code.endswith("00"):
        return column.startswith(code[:4])
    return column == code
