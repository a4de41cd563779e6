"""The minimum-wage table (domain.md §3.5): dated levels per region class, and district classes.

Every figure is data, never code: the Yunnan levels are [M] or [3P] and the Kunming class mapping
is [3P], so each row carries its status tag and every answer repeats it, letting a caller see
when a floor rests on unverified data. File format (``wages/data/minimum_wage.json``)::

    {
      "source_note": "...",
      "levels": [{"effective_from": "2025-10-01", "class": 1, "monthly": "2170.00",
                  "hourly": "21.00", "status": "3P", "source": "云人社发〔2025〕19号"}, ...],
      "districts": [{"district_code": "530102", "class": 1, "status": "3P", "name": "五华区"}, ...]
    }

A level applies from its ``effective_from`` until the next level of the same class. Status tags
are those of domain.md §0: ``V``, ``V2``, ``3P``, ``M``.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Final, Literal

import orjson
import pydantic
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.identifiers import DistrictCode
from shared.money import Money
from wages.config import WagesSettings

__all__ = [
    "DEFAULT_FILE",
    "VERIFIED_STATUSES",
    "Floor",
    "MinimumWageDataError",
    "MinimumWageTable",
    "NoMinimumWage",
    "load_table",
    "parse_table",
    "table_for",
]

DEFAULT_FILE: Final = Path(__file__).resolve().parent.parent / "data" / "minimum_wage.json"
VERIFIED_STATUSES: Final = frozenset({"V", "V2"})

Status = Literal["V", "V2", "3P", "M"]
RegionClass = Annotated[int, Field(ge=1, le=3)]


class MinimumWageDataError(ValueError):
    """The data file was rejected; ``message`` is Chinese and names the file and the entry."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NoMinimumWage(LookupError):
    """No level of the class is in force on the day asked (before the first row)."""

    def __init__(self, region_class: int, on: date) -> None:
        self.region_class = region_class
        self.on = on
        super().__init__(f"{on.isoformat()} 无已知的{region_class}类地区最低工资标准")


class _Level(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    effective_from: date
    region_class: RegionClass = Field(alias="class")
    monthly: Money
    hourly: Money
    status: Status
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _District(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    district_code: DistrictCode
    region_class: RegionClass = Field(alias="class")
    status: Status
    name: str | None = None


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_note: str = ""
    levels: Annotated[list[_Level], Field(min_length=1)]
    districts: list[_District]


@dataclass(frozen=True, slots=True)
class Floor:
    """The minimum wage in force for a district on a day, with how sure each part is."""

    district_code: str
    on: date
    region_class: int
    monthly: Decimal
    hourly: Decimal
    effective_from: date
    status: str  # of the level (the figures)
    source: str
    district_status: str | None  # of the class mapping; None when the district is not mapped
    district_known: bool  # False: the class is the configured default

    @property
    def verified(self) -> bool:
        """Both the figures and the district's class come from verified text."""
        return self.status in VERIFIED_STATUSES and self.district_status in VERIFIED_STATUSES


class MinimumWageTable:
    """Dated levels per region class plus the district → class mapping; immutable once built."""

    def __init__(
        self,
        levels: Sequence[_Level],
        districts: Sequence[_District],
        *,
        default_class: int = 1,
        source_note: str = "",
    ) -> None:
        self.default_class = default_class
        self.source_note = source_note
        by_class: dict[int, list[_Level]] = {}
        for level in sorted(levels, key=lambda lv: lv.effective_from):
            by_class.setdefault(level.region_class, []).append(level)
        self._levels = by_class
        self._starts = {c: [lv.effective_from for lv in rows] for c, rows in by_class.items()}
        self._districts = {d.district_code: d for d in districts}

    def district_class(self, district_code: str) -> tuple[int, str | None, bool]:
        """(class, status of the mapping, whether the district is mapped)."""
        entry = self._districts.get(district_code)
        if entry is None:
            return self.default_class, None, False
        return entry.region_class, entry.status, True

    def floor(self, district_code: str, on: date) -> Floor:
        """The floor in force in ``district_code`` on ``on``; raises :class:`NoMinimumWage`."""
        region_class, district_status, known = self.district_class(district_code)
        starts = self._starts.get(region_class, [])
        index = bisect_right(starts, on) - 1
        if index < 0:
            raise NoMinimumWage(region_class, on)
        level = self._levels[region_class][index]
        return Floor(
            district_code=district_code,
            on=on,
            region_class=region_class,
            monthly=level.monthly,
            hourly=level.hourly,
            effective_from=level.effective_from,
            status=level.status,
            source=level.source,
            district_status=district_status,
            district_known=known,
        )

    def floor_for_period(self, district_code: str, period: str) -> Floor:
        """The floor for a monthly pay period ``YYYY-MM``: the one in force on its first day.

        Every known change takes effect on the 1st; a change in mid-month would need pro rata.
        """
        year, month = period.split("-")
        return self.floor(district_code, date(int(year), int(month), 1))


def _describe(error: pydantic.ValidationError) -> str:
    parts = []
    for err in error.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"])
        parts.append(f"{loc}: {err['msg']}")
    return "；".join(parts)


def parse_table(data: object, *, default_class: int = 1, origin: str = "最低工资数据") -> MinimumWageTable:
    """Check the file content (already JSON-decoded) and build the table."""
    try:
        parsed = _File.model_validate(data)
    except pydantic.ValidationError as exc:
        raise MinimumWageDataError(f"{origin}：{_describe(exc)}") from None
    seen: set[tuple[int, date]] = set()
    for level in parsed.levels:
        key = (level.region_class, level.effective_from)
        if key in seen:
            raise MinimumWageDataError(
                f"{origin}：{level.region_class}类地区 {level.effective_from.isoformat()} 的标准重复"
            )
        seen.add(key)
    codes: set[str] = set()
    for district in parsed.districts:
        if district.district_code in codes:
            raise MinimumWageDataError(f"{origin}：行政区划代码 {district.district_code} 重复")
        codes.add(district.district_code)
    classes = {lv.region_class for lv in parsed.levels}
    for needed in sorted({d.region_class for d in parsed.districts} | {default_class}):
        if needed not in classes:
            raise MinimumWageDataError(f"{origin}：缺少{needed}类地区的最低工资标准")
    return MinimumWageTable(
        parsed.levels, parsed.districts, default_class=default_class, source_note=parsed.source_note
    )


@functools.cache
def load_table(path: Path = DEFAULT_FILE, default_class: int = 1) -> MinimumWageTable:
    """Read and check a table file (cached per path and default class)."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise MinimumWageDataError(f"{path}：无法读取（{exc.strerror or exc}）") from None
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise MinimumWageDataError(f"{path}：不是有效的 JSON（{exc}）") from None
    return parse_table(data, default_class=default_class, origin=str(path))


def table_for(settings: WagesSettings) -> MinimumWageTable:
    """The table the settings name (``minimum_wage_file``, ``minimum_wage_default_class``)."""
    path = Path(settings.minimum_wage_file) if settings.minimum_wage_file else DEFAULT_FILE
    return load_table(path.resolve(), settings.minimum_wage_default_class)
