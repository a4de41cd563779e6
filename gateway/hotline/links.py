"""What the hotline code needs at run time, built once in the gateway's lifespan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import aiohttp
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.config import GatewaySettings
from gateway.hotline.complaints import ComplaintsClient
from shared.calendar import WorkingDayCalendar


@dataclass(frozen=True, slots=True)
class HotlineLinks:
    settings: GatewaySettings
    sessionmaker: async_sessionmaker[AsyncSession]
    calendar: WorkingDayCalendar
    complaints: ComplaintsClient
    # One pool for the outside endpoints (the 12345 callback URL, 110).
    http: aiohttp.ClientSession


async def get_links(request: Request) -> HotlineLinks:
    links: HotlineLinks = request.app.state.hotline
    return links


LinksDep = Annotated[HotlineLinks, Depends(get_links)]
