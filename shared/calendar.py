"""The working-day calendar behind every deadline (domain.md §1 and §10).

A day is a working day when it is Monday to Friday and not a statutory holiday, or when it is a
Saturday or Sunday made into a working day (调休). The schedule of each year comes from the
国务院办公厅 notice published the autumn before. Years 2004-2026 come from the
``chinesecalendar`` package; later years (or corrections) are loaded from JSON files or at run
time with :meth:`WorkingDayCalendar.load_year`. A year with no schedule never raises: it is
computed on weekdays alone and every result that depends on it says ``provisional=True``.

Periods follow 民法典 arts. 201 and 203: the trigger day is not counted, and a period whose last
day is a rest day ends on the next working day.

Year file format (one year per ``*.json`` file; the default directory is ``shared/data/calendar/``)::

    {
      "year": 2027,
      "source": "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）",
      "holidays": ["2027-01-01", "..."],
      "workdays": ["2027-02-20", "..."],
      "note": "optional free text"
    }

* ``holidays``: every rest day the notice lists (放假), weekend days inside a holiday block may be
  included or left out, it makes no difference. At least one date.
* ``workdays``: the Saturdays and Sundays the notice makes working days (调休上班); only weekend
  days are allowed here.
* Every date is ``YYYY-MM-DD`` inside ``year``; no date may be in both lists; no other keys.

A loaded year replaces any schedule the calendar already had for that year, built-in included.
Loading at run time changes only this process: every replica must load the same data.
"""

from __future__ import annotations

import functools
import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from chinese_calendar import constants as _chinese_calendar

__all__ = [
    "DEFAULT_DATA_DIR",
    "CalendarDataError",
    "CalendarResult",
    "WorkingDayCalendar",
    "YearSchedule",
    "builtin_schedules",
    "default_calendar",
    "load_year_dir",
    "load_year_file",
    "parse_year_data",
]

DEFAULT_DATA_DIR: Final = Path(__file__).parent / "data" / "calendar"
BUILTIN_SOURCE: Final = "chinesecalendar 1.11.0（国务院办公厅历年节假日安排通知）"

_ISO_DATE_RE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_REQUIRED_KEYS: Final = frozenset({"year", "source", "holidays", "workdays"})
_OPTIONAL_KEYS: Final = frozenset({"note"})
_SATURDAY: Final = 5


class CalendarDataError(ValueError):
    """A holiday schedule was rejected; ``message`` is Chinese and names the file and the entry."""

    code = "calendar_data_invalid"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class CalendarResult:
    """A computed day; ``provisional`` when it rests on a year with no published schedule."""

    day: date
    provisional: bool


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """One year's official schedule: rest days and weekend days made working days."""

    year: int
    source: str
    holidays: frozenset[date]
    workdays: frozenset[date]

    def as_dict(self) -> dict[str, Any]:
        """The year-file form of this schedule (the inverse of :func:`parse_year_data`)."""
        return {
            "year": self.year,
            "source": self.source,
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "workdays": [d.isoformat() for d in sorted(self.workdays)],
        }


def _make_schedule(
    year: int, holidays: Iterable[date], workdays: Iterable[date], source: str, *, origin: str
) -> YearSchedule:
    def fail(problem: str) -> CalendarDataError:
        return CalendarDataError(f"{origin}：{problem}")

    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9998:
        raise fail(f"year 应为 1900 至 9998 之间的整数，实际为 {year!r}")
    if not isinstance(source, str) or not source.strip():
        raise fail("source 不能为空，应写明国务院办公厅通知的文号")
    holiday_set = frozenset(holidays)
    workday_set = frozenset(workdays)
    if not holiday_set:
        raise fail("holidays 不能为空")
    for d in sorted(holiday_set | workday_set):
        if d.year != year:
            raise fail(f"日期 {d.isoformat()} 不在 {year} 年内")
    for d in sorted(workday_set):
        if d.weekday() < _SATURDAY:
            raise fail(f"workdays 只能列出调休上班的周六、周日，{d.isoformat()} 是工作日")
    both = sorted(holiday_set & workday_set)
    if both:
        raise fail(f"日期 {both[0].isoformat()} 同时出现在 holidays 和 workdays 中")
    return YearSchedule(year, source.strip(), holiday_set, workday_set)


def _parse_dates(value: object, key: str, origin: str) -> list[date]:
    if not isinstance(value, list):
        raise CalendarDataError(f"{origin}：{key} 应为日期字符串数组")
    dates: list[date] = []
    for item in value:
        if not isinstance(item, str) or not _ISO_DATE_RE.fullmatch(item):
            raise CalendarDataError(f"{origin}：{key} 中的 {item!r} 不是 YYYY-MM-DD 格式的日期")
        try:
            dates.append(date.fromisoformat(item))
        except ValueError:
            raise CalendarDataError(f"{origin}：{key} 中的 {item!r} 不是有效日期") from None
    return dates


def parse_year_data(data: object, *, origin: str = "节假日数据") -> YearSchedule:
    """Check one year in the file format above (already JSON-decoded) and build its schedule."""
    if not isinstance(data, Mapping):
        raise CalendarDataError(f"{origin}：应为 JSON 对象")
    keys = set(data)
    missing = sorted(_REQUIRED_KEYS - keys)
    if missing:
        raise CalendarDataError(f"{origin}：缺少字段 {', '.join(missing)}")
    unknown = sorted(str(k) for k in keys - _REQUIRED_KEYS - _OPTIONAL_KEYS)
    if unknown:
        raise CalendarDataError(f"{origin}：未知字段 {', '.join(unknown)}")
    return _make_schedule(
        data["year"],
        _parse_dates(data["holidays"], "holidays", origin),
        _parse_dates(data["workdays"], "workdays", origin),
        data["source"],
        origin=origin,
    )


def load_year_file(path: str | Path) -> YearSchedule:
    """Read and check one year file; raises :class:`CalendarDataError` naming the file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CalendarDataError(f"{path}：无法读取（{exc.strerror or exc}）") from None
    except UnicodeDecodeError:
        raise CalendarDataError(f"{path}：不是 UTF-8 编码") from None
    except json.JSONDecodeError as exc:
        where = f"第 {exc.lineno} 行第 {exc.colno} 列"
        raise CalendarDataError(f"{path}：JSON 格式错误（{where}：{exc.msg}）") from None
    return parse_year_data(data, origin=str(path))


def load_year_dir(directory: str | Path) -> list[YearSchedule]:
    """Read every ``*.json`` year file in ``directory`` (other files are ignored), by year."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CalendarDataError(f"{directory}：目录不存在")
    by_year: dict[int, tuple[Path, YearSchedule]] = {}
    for path in sorted(directory.glob("*.json")):
        schedule = load_year_file(path)
        if schedule.year in by_year:
            raise CalendarDataError(f"{path}：{schedule.year} 年已由 {by_year[schedule.year][0]} 定义")
        by_year[schedule.year] = (path, schedule)
    return [schedule for _, schedule in sorted(by_year.values(), key=lambda item: item[1].year)]


def builtin_schedules() -> list[YearSchedule]:
    """The schedules published in the ``chinesecalendar`` package, one per year."""
    holidays: dict[int, set[date]] = {}
    workdays: dict[int, set[date]] = {}
    for d in _chinese_calendar.holidays:
        holidays.setdefault(d.year, set()).add(d)
    for d in _chinese_calendar.workdays:
        workdays.setdefault(d.year, set()).add(d)
    return [
        YearSchedule(year, BUILTIN_SOURCE, frozenset(days), frozenset(workdays.get(year, ())))
        for year, days in sorted(holidays.items())
    ]


@dataclass(frozen=True, slots=True)
class _Year:
    """A year ready for counting: its working days as sorted ordinals, and as a set."""

    schedule: YearSchedule | None
    working: tuple[int, ...]
    working_set: frozenset[int]

    @classmethod
    def build(cls, year: int, schedule: YearSchedule | None) -> _Year:
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        if schedule is None:
            rest: frozenset[int] = frozenset()
            extra: frozenset[int] = frozenset()
        else:
            rest = frozenset(d.toordinal() for d in schedule.holidays)
            extra = frozenset(d.toordinal() for d in schedule.workdays)
        # date.weekday() is (ordinal + 6) % 7, Monday = 0.
        working = tuple(
            o for o in range(first, last + 1) if o in extra or ((o + 6) % 7 < _SATURDAY and o not in rest)
        )
        return cls(schedule, working, frozenset(working))


class WorkingDayCalendar:
    """Working days, deadlines and day counts on the official calendar.

    Per-year tables are built once (a scheduled year when loaded, an unscheduled year on first
    use), so counting 90 working days is a few binary searches. Replacing a year is one dict
    assignment, so readers never see half a year.
    """

    def __init__(self, schedules: Iterable[YearSchedule] = (), *, builtin: bool = True) -> None:
        self._years: dict[int, _Year] = {}
        for schedule in [*(builtin_schedules() if builtin else []), *schedules]:
            self.load_schedule(schedule)

    @classmethod
    def from_directory(cls, directory: str | Path, *, builtin: bool = True) -> WorkingDayCalendar:
        """The built-in years plus every year file in ``directory``."""
        return cls(load_year_dir(directory), builtin=builtin)

    # -- loading ----------------------------------------------------------------------------

    def load_schedule(self, schedule: YearSchedule) -> None:
        """Install ``schedule``, replacing whatever the calendar had for that year."""
        self._years[schedule.year] = _Year.build(schedule.year, schedule)

    def load_year(self, year: int, holidays: Iterable[date], workdays: Iterable[date], source: str) -> None:
        """Install a year from the 国务院办公厅 notice (e.g. from an admin endpoint).

        Raises :class:`CalendarDataError` on inconsistent data, like the file loader.
        """
        self.load_schedule(_make_schedule(year, holidays, workdays, source, origin=f"{year} 年节假日安排"))

    def loaded_years(self) -> tuple[int, ...]:
        """Every year with a published schedule (built-in or loaded), ascending."""
        return tuple(sorted(y for y, entry in list(self._years.items()) if entry.schedule is not None))

    def schedule(self, year: int) -> YearSchedule | None:
        """The schedule in force for ``year``, or None when that year is provisional."""
        entry = self._years.get(year)
        return entry.schedule if entry is not None else None

    def _year(self, year: int) -> _Year:
        entry = self._years.get(year)
        if entry is None:
            # setdefault: a schedule loaded meanwhile by another thread wins over this guess.
            entry = self._years.setdefault(year, _Year.build(year, None))
        return entry

    # -- questions --------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day (on weekdays alone for a provisional year)."""
        return day.toordinal() in self._year(day.year).working_set

    def is_provisional(self, day: date) -> bool:
        """Whether ``day`` falls in a year with no published schedule."""
        return self._year(day.year).schedule is None

    def add_working_days(self, start: date, n: int) -> CalendarResult:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted, art. 201).

        Provisional when any counted day, or the result, lies in a year with no schedule.
        ``n == 0`` returns ``start``.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if n == 0:
            return CalendarResult(date.fromordinal(start.toordinal()), False)
        after = start.toordinal()
        year = start.year
        remaining = n
        provisional = False
        while True:
            entry = self._year(year)
            index = bisect_right(entry.working, after)
            available = len(entry.working) - index
            if available and entry.schedule is None:
                provisional = True
            if remaining <= available:
                return CalendarResult(date.fromordinal(entry.working[index + remaining - 1]), provisional)
            remaining -= available
            year += 1

    def add_calendar_days(self, start: date, n: int) -> CalendarResult:
        """``n`` calendar days after ``start``; a last day that is a rest day moves to the next working day.

        民法典 art. 203 names 法定休假日; we read it, as courts do, to include the weekly rest days,
        so any rest day moves the end, and a make-up working day (调休) does not.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        end = date.fromordinal(start.toordinal() + n)
        provisional = self.is_provisional(end)
        while not self.is_working_day(end):
            end = date.fromordinal(end.toordinal() + 1)
            provisional = provisional or self.is_provisional(end)
        return CalendarResult(end, provisional)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days strictly after ``a`` up to and including ``b``; negative when ``b < a``."""
        low, high = a.toordinal(), b.toordinal()
        if high < low:
            return -self.working_days_between(b, a)
        count = 0
        for year in range(a.year, b.year + 1):
            working = self._year(year).working
            count += bisect_right(working, high) - bisect_right(working, low)
        return count


@functools.cache
def default_calendar() -> WorkingDayCalendar:
    """The process-wide calendar: built-in years plus the files in :data:`DEFAULT_DATA_DIR`."""
    if DEFAULT_DATA_DIR.is_dir():
        return WorkingDayCalendar.from_directory(DEFAULT_DATA_DIR)
    return WorkingDayCalendar()
