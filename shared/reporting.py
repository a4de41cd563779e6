"""What every part of the yearly report shares (domain.md §11): the period and district asked
for, who may ask for which district, how a district code covers the ones under it, the courier
industry, one employer, exact money sums and month labels. The three services and the gateway
count their figures with these, so a district or a period means the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import Query
from sqlalchemy import BigInteger, ColumnElement, Integer, case, cast, extract, func, literal, true
from sqlalchemy.sql.elements import SQLCoreOperations

from shared.errors import FieldError, Forbidden, ValidationFailed
from shared.identifiers import DistrictCode
from shared.timeutil import CHINA_TZ, china_today

# GB/T 4754-2017 小类 6020 快递服务 (domain.md §7.4 [V2]); the courier break-out of §11.
COURIER_INDUSTRY_CODE: Final = "6020"
CENT: Final = Decimal("0.01")

# The query parameters of every report endpoint.
FromDate = Annotated[date | None, Query(alias="from", description="统计期起（含），默认本年1月1日")]
ToDate = Annotated[date | None, Query(alias="to", description="统计期止（含），默认起始年份12月31日")]
District = Annotated[DistrictCode | None, Query(description="行政区划代码；市级（如 530100）含其下各区县")]
Explain = Annotated[bool, Query(description="true：每项数字附口径说明和记录清单路径")]
CourierOnly = Annotated[bool, Query(description="true：只列快递业（6020）")]


@dataclass(frozen=True, slots=True)
class Scope:
    """The period (Asia/Shanghai dates, both ends included) and the district of a report."""

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
        """The first moment after the period (timestamps are compared with ``<``)."""
        return datetime.combine(self.date_to + timedelta(days=1), time(), CHINA_TZ)

    @property
    def first_period(self) -> str:
        """The first pay period (``YYYY-MM``) in the scope."""
        return self.date_from.strftime("%Y-%m")

    @property
    def last_period(self) -> str:
        return self.date_to.strftime("%Y-%m")

    def query(self, **extra: str) -> str:
        params = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        if self.district_code:
            params["district_code"] = self.district_code
        return urlencode({**extra, **params})


def make_scope(
    date_from: date | None,
    date_to: date | None,
    district_code: str | None,
    districts: tuple[str, ...],
    *,
    year: int | None = None,
) -> Scope:
    """The scope asked for (``year``, or ``from``/``to``; the current year by default), within
    the districts the caller is limited to (none: the whole city)."""
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
    if districts:
        # A client limited to some districts reports on one of them, never beyond.
        if district_code is None and len(districts) == 1:
            district_code = districts[0]
        if district_code is None or not any(district_code.startswith(d) for d in districts):
            raise Forbidden("该客户端只能查询其所辖区县的统计", code="district_not_allowed")
    return Scope(start, end, district_code)


def in_district(column: SQLCoreOperations[str | None], code: str | None) -> ColumnElement[bool]:
    """A county code matches itself; a city (``530100``) or province (``530000``) code every
    district under it (GB/T 2260 zero-fills the lower levels)."""
    if code is None:
        return true()
    if code.endswith("0000"):
        return column.startswith(code[:2])
    if code.endswith("00"):
        return column.startswith(code[:4])
    return column == code


def courier_flag(industry_code: SQLCoreOperations[str | None]) -> ColumnElement[int]:
    # An integer rather than a boolean: it survives UNION ALL alike on both databases.
    return case((industry_code == COURIER_INDUSTRY_CODE, 1), else_=0)


def employer_key(
    uscc: SQLCoreOperations[str | None], name_norm: SQLCoreOperations[str | None]
) -> ColumnElement[str]:
    """One employer: its USCC, or failing that its folded name."""
    return func.coalesce(uscc, literal("name:") + name_norm)


def fen_sum(amount: Any) -> ColumnElement[int]:
    # Summed as whole fen: exact on PostgreSQL (NUMERIC throughout) and on SQLite, where a
    # NUMERIC value is a float and a plain SUM could drift by a fen over many rows.
    return cast(func.coalesce(func.sum(func.round(amount * 100)), 0), BigInteger)


def yuan(fen: object) -> Decimal:
    return (Decimal(int(str(fen or 0))) / 100).quantize(CENT)


def year_month(column: Any) -> tuple[ColumnElement[int], ColumnElement[int]]:
    return cast(extract("year", column), Integer), cast(extract("month", column), Integer)


def month_label(year: object, month: object) -> str:
    return f"{int(str(year)):04d}-{int(str(month)):02d}"
