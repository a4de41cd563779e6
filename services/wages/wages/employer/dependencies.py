"""Request dependencies of the employer and ledger domains."""

from typing import Annotated

from fastapi import Depends, Request

from shared.calendar import WorkingDayCalendar, default_calendar
from wages.config import WagesSettings


async def get_settings(request: Request) -> WagesSettings:
    settings: WagesSettings = request.app.state.settings
    return settings


async def get_calendar(request: Request) -> WorkingDayCalendar:
    # A lifespan may install a calendar with more years loaded; otherwise the process-wide one
    # (built-in years plus shared/data/calendar/*.json).
    calendar: WorkingDayCalendar | None = getattr(request.app.state, "calendar", None)
    return calendar if calendar is not None else default_calendar()


SettingsDep = Annotated[WagesSettings, Depends(get_settings)]
CalendarDep = Annotated[WorkingDayCalendar, Depends(get_calendar)]
