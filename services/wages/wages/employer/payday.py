"""The day wages for a period are due (保障农民工工资支付条例 arts. 12-14).

Art. 14: the pay date may fall in the current or the next period, as agreed; when it falls on a
rest day or a statutory holiday, wages are paid *before* it. So the agreed day is moved earlier,
to the last working day before it, on the official calendar (调休 make-up days count as working
days). A year with no published schedule is computed on weekdays alone and the answer says
``calendar_provisional``.

Pure: no database, no clock. Callers (the pay-date endpoint, the early-warning rules) pass the
employer's ``pay_day``, the period, the calendar and the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from shared.calendar import WorkingDayCalendar
from wages.employer.period import day_in_month, next_month, parse_period

__all__ = ["PayDate", "PayDaySettings", "pay_date"]

_ONE_DAY = timedelta(days=1)


class PayDaySettings(Protocol):
    @property
    def pay_day_in_next_month(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class PayDate:
    period: str
    due_on: date
    # The agreed day when it was a rest day or holiday and payment moved earlier; else None.
    moved_from: date | None
    calendar_provisional: bool


def pay_date(pay_day: int, period: str, calendar: WorkingDayCalendar, settings: PayDaySettings) -> PayDate:
    """When the wages of the monthly ``period`` (``YYYY-MM``) are due.

    The agreed day is ``pay_day`` of the month after the period (or of the period itself when
    ``settings.pay_day_in_next_month`` is false), clamped to that month's last day, then moved
    earlier to the previous working day while it is a rest day or holiday.
    Raises ``PeriodError`` for a malformed period and ``ValueError`` for a pay day outside 1-31.
    """
    if not 1 <= pay_day <= 31:
        raise ValueError(f"pay_day must be 1-31, got {pay_day}")
    year, month = parse_period(period)
    if settings.pay_day_in_next_month:
        year, month = next_month(year, month)
    agreed = day_in_month(year, month, pay_day)
    due = agreed
    provisional = calendar.is_provisional(due)
    while not calendar.is_working_day(due):
        due -= _ONE_DAY
        provisional = provisional or calendar.is_provisional(due)
    return PayDate(
        period=period,
        due_on=due,
        moved_from=agreed if due != agreed else None,
        calendar_provisional=provisional,
    )
