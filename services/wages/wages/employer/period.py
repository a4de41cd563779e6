"""Monthly pay periods, written ``YYYY-MM`` everywhere (ledgers, payments, alerts)."""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Final

PERIOD_RE: Final = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
PERIOD_PATTERN: Final = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
# Sanity floor for a period: older ledgers are far beyond the 3-year retention (条例 art. 15).
FIRST_YEAR: Final = 2000


class PeriodError(ValueError):
    """``code`` is stable English, ``message`` Chinese."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


def parse_period(text: str) -> tuple[int, int]:
    """``"2026-09"`` -> ``(2026, 9)``; raises :class:`PeriodError`."""
    if not isinstance(text, str) or not PERIOD_RE.fullmatch(text):
        raise PeriodError("period_invalid", "工资所属期格式应为 YYYY-MM，例如 2026-10")
    year, month = int(text[:4]), int(text[5:])
    if year < FIRST_YEAR:
        raise PeriodError("period_invalid", f"工资所属期不能早于 {FIRST_YEAR} 年")
    return year, month


def check_period(text: str, today: date) -> tuple[int, int]:
    """A period that has begun: the current month or earlier."""
    year, month = parse_period(text)
    if (year, month) > (today.year, today.month):
        raise PeriodError("period_in_future", "工资所属期不能晚于本月")
    return year, month


def first_day(year: int, month: int) -> date:
    return date(year, month, 1)


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def day_in_month(year: int, month: int, day: int) -> date:
    """``day`` of the month, clamped to its last day (pay day 31 in February is the 28th/29th)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))
