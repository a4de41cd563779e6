"""Request dependencies of the listing domain: the settings and the working-day calendar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from credit.config import CreditSettings
from shared.calendar import WorkingDayCalendar, default_calendar, load_year_dir


def get_settings(request: Request) -> CreditSettings:
    settings: CreditSettings = request.app.state.settings
    return settings


def build_calendar(settings: CreditSettings) -> WorkingDayCalendar:
    if not settings.calendar_data_dir:
        return default_calendar()
    return WorkingDayCalendar(load_year_dir(Path(settings.calendar_data_dir)))


async def get_calendar(request: Request) -> WorkingDayCalendar:
    # Built once per app (the lifespan may have set it already); loading year files per
    # request would be wasted work.
    calendar: WorkingDayCalendar | None = getattr(request.app.state, "calendar", None)
    if calendar is None:
        calendar = build_calendar(get_settings(request))
        request.app.state.calendar = calendar
    return calendar


SettingsDep = Annotated[CreditSettings, Depends(get_settings)]
CalendarDep = Annotated[WorkingDayCalendar, Depends(get_calendar)]
