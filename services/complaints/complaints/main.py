import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import httpx
from fastapi import FastAPI
from starlette.types import ASGIApp

from complaints import api
from complaints.case import intake
from complaints.case.deadlines import Clock
from complaints.case.dependencies import Intake
from complaints.case.fastpath import IntakeFastPath
from complaints.case.redate import redate_provisional
from complaints.case.scan import escalate_overdue
from complaints.config import ComplaintsSettings
from complaints.outbox.models import OutboxEvent
from shared.app import create_base_app
from shared.batching import GroupCommit
from shared.calendar import WorkingDayCalendar, default_calendar, load_year_dir
from shared.db import Database, is_sqlite
from shared.outbox import GatewayEventSender, OutboxRelay
from shared.timeutil import china_today

log = logging.getLogger("complaints.scan")


def _calendar(settings: ComplaintsSettings) -> WorkingDayCalendar:
    if not settings.calendar_data_dir:
        return default_calendar()
    return WorkingDayCalendar(load_year_dir(Path(settings.calendar_data_dir)))


async def run_deadline_scan(database: Database) -> list[str]:
    async with database.sessionmaker() as session, session.begin():
        return await escalate_overdue(session, china_today())


async def _scan_forever(database: Database, interval: float, clock: Clock) -> None:
    # The calendar is read at start: deadlines counted on weekdays alone for a year whose
    # schedule it now has are counted again once, before the first scan looks at them.
    try:
        await redate_provisional(database.sessionmaker, clock)
    except Exception:  # the next start tries again; the provisional flag stays meanwhile
        log.exception("counting provisional deadlines again failed")
    while True:
        try:
            await run_deadline_scan(database)
        except Exception:  # a failed pass is logged and retried on the next tick
            log.exception("deadline scan failed")
        await asyncio.sleep(interval)


def create_app(settings: ComplaintsSettings | None = None, *, configure_logs: bool = True) -> FastAPI:
    settings = settings or ComplaintsSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.clock = Clock(_calendar(settings), settings)
        http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=2.0))
        sender = GatewayEventSender(
            http, source="complaints", secret=settings.internal_token_secret, gateway_url=settings.gateway_url
        )
        app.state.outbox_relay = OutboxRelay(
            app.state.db.sessionmaker,
            OutboxEvent,
            sender,
            interval_seconds=settings.outbox_relay_seconds,
            base_backoff_seconds=settings.outbox_retry_base_seconds,
            max_backoff_seconds=settings.outbox_retry_max_seconds,
        )
        # Filings are written by group commit (complaints.case.intake.store_batch).
        # Two transactions at once on PostgreSQL (one prepares while the other commits), the
        # second for eight waiting filings or more (shared.batching).
        writers = 1 if is_sqlite(settings.database_url) else 2
        filings = GroupCommit(app.state.db.sessionmaker, intake.store_batch, writers=writers, extra_batch=8)
        app.state.intake = Intake(app.state.db, filings, app.state.clock)
        tasks: list[asyncio.Task[None]] = []
        if settings.background_tasks:
            tasks.append(asyncio.create_task(app.state.outbox_relay.run_forever()))
            scan = _scan_forever(app.state.db, settings.overdue_scan_seconds, app.state.clock)
            tasks.append(asyncio.create_task(scan))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            await filings.close()
            await http.aclose()

    app = create_base_app(
        settings,
        title="投诉举报与案件服务",
        description="投诉、举报受理与劳动保障监察案件办理（含法定时限）。",
        routers=api.routers,
        dependencies=api.dependencies,
        extra_lifespan=lifespan,
        configure_logs=configure_logs,
    )
    # Filings skip the stack (the fast path does the request context's work itself); the stack
    # is built here, so middleware cannot be added after create_app.
    app.middleware_stack = IntakeFastPath(app.build_middleware_stack(), owner=app)
    return app


def create_server_app() -> ASGIApp:
    """What ``python -m complaints`` serves: the intake's fast path in front of the FastAPI app
    itself, so filings also skip FastAPI's per-request telemetry check."""
    app = create_app()
    fast = app.middleware_stack
    assert isinstance(fast, IntakeFastPath)
    return fast.in_front_of(app)
