import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI

from credit import api
from credit.check.service import CheckAudits
from credit.config import CreditSettings
from credit.listing.dependencies import build_calendar
from credit.listing.scan import scan_forever
from shared.app import create_base_app


def create_app(settings: CreditSettings | None = None, *, configure_logs: bool = True) -> FastAPI:
    settings = settings or CreditSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.calendar = build_calendar(settings)
        app.state.check_audits = audits = CheckAudits(app.state.db, settings.check_daily_quota)
        tasks: list[asyncio.Task[None]] = []
        if settings.background_tasks:
            # Listings whose term is over leave the list (期满移出); statement periods counted
            # again on the calendar read at start first. Safe on several replicas.
            scan = scan_forever(app.state.db, settings.expiry_scan_seconds, app.state.calendar)
            tasks.append(asyncio.create_task(scan))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            await audits.close()

    return create_base_app(
        settings,
        title="劳动保障信用服务",
        description="守法诚信档案、A/B/C 等级、失信联合惩戒名单与核查。",
        routers=api.routers,
        dependencies=api.dependencies,
        extra_lifespan=lifespan,
        configure_logs=configure_logs,
    )
