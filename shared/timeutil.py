"""The bureau's clock: dates are Asia/Shanghai dates (UTC+8 all year since 1991)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Final

CHINA_TZ: Final = timezone(timedelta(hours=8), "Asia/Shanghai")


def now_utc() -> datetime:
    return datetime.now(UTC)


def china_date(moment: datetime) -> date:
    """The calendar date in Kunming of an aware timestamp."""
    return moment.astimezone(CHINA_TZ).date()


def china_today() -> date:
    return china_date(now_utc())
