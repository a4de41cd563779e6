"""The bureau's clock: dates are Asia/Shanghai dates (UTC+8 all year since 1991)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated, Any, Final

from pydantic import BeforeValidator

CHINA_TZ: Final = timezone(timedelta(hours=8), "Asia/Shanghai")


def now_utc() -> datetime:
    return datetime.now(UTC)


def china_date(moment: datetime) -> date:
    """The calendar date in Kunming of an aware timestamp."""
    return moment.astimezone(CHINA_TZ).date()


def china_today() -> date:
    return china_date(now_utc())


def china_moment(value: date | datetime, *, day_end: bool = False) -> datetime:
    """A filter bound as an aware timestamp: a timestamp without an offset is the bureau's
    time; a date is the start of that day in Kunming, or with ``day_end`` the start of the next
    (for an exclusive upper bound that takes the whole day in)."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=CHINA_TZ)
    start = datetime(value.year, value.month, value.day, tzinfo=CHINA_TZ)
    return start + timedelta(days=1) if day_end else start


def _day_if_date_only(value: Any) -> Any:
    # "2026-11-01" is that day; anything longer is a timestamp (pydantic would read the day
    # alone as a naive midnight).
    if isinstance(value, str) and len(value) == 10:
        return date.fromisoformat(value)
    return value


MomentOrDay = Annotated[datetime | date, BeforeValidator(_day_if_date_only)]
"""A filter bound given as a timestamp or as a day (``YYYY-MM-DD``); see ``china_moment``."""
