"""The period and district of the report as the caller asks for them (``year`` or ``from``/``to``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, true
from sqlalchemy.sql.elements import SQLCoreOperations

from shared.auth import Identity
from shared.errors import FieldError, Forbidden, ValidationFailed
from shared.timeutil import CHINA_TZ, china_today


@dataclass(frozen=True, slots=True)
class ReportScope:
    date_from: date
    date_to: date
    district_code: str | None

    @property
    def whole_year(self) -> int | None:
        """The year, when the period is exactly one calendar year."""
        year = self.date_from.year
        if self.date_from == date(year, 1, 1) and self.date_to == date(year, 12, 31):
            return year
        return None

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


def report_scope(
    identity: Identity,
    *,
    year: int | None,
    date_from: date | None,
    date_to: date | None,
    district_code: str | None,
) -> ReportScope:
    if year is not None and (date_from is not None or date_to is not None):
        raise ValidationFailed(
            [FieldError("query.year", "year_with_dates", "year 与 from/to 只能选用一种方式指定统计期")]
        )
    if year is not None:
        start, end = date(year, 1, 1), date(year, 12, 31)
    else:
        start = date_from or date(date_to.year if date_to else china_today().year, 1, 1)
        end = date_to or date(start.year, 12, 31)
    if start > end:
        raise ValidationFailed([FieldError("query.to", "date_range_invalid", "结束日期不能早于开始日期")])
    districts = identity.districts
    if districts:
        # The services are asked with the gateway's own identity: the caller's districts are
        # enforced here.
        if district_code is None and len(districts) == 1:
            district_code = districts[0]
        if district_code is None or not any(district_code.startswith(d) for d in districts):
            raise Forbidden("该客户端只能查询其所辖区县的统计", code="district_not_allowed")
    return ReportScope(start, end, district_code)


def in_district(column: SQLCoreOperations[str | None], code: str | None) -> ColumnElement[bool]:
    """As the services match districts: a city or province code covers the districts under it."""
    if code is None:
        return true()
    if code.endswith("0000"):
        return column.startswith(code[:2])
    if code.endswith("00"):
        return column.startswith(code[:4])
    return column == code
