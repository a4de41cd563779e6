"""The alert domain's part of the process: the after-ledger hook, the scheduled evaluation and
the case-request relay, wired in the app's lifespan (``wages/main.py``).

Every replica may run both loops. An evaluation inserts alerts and case requests with ON CONFLICT
DO NOTHING and locks the alerts it updates, so two replicas evaluating at once end with one alert
and one case request; the relay claims rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database
from shared.outbox import OutboxRelay
from shared.timeutil import china_today
from wages.alert.relay import case_request_relay
from wages.alert.rules import shift_period
from wages.alert.service import Evaluation, Evaluator, evaluate
from wages.config import WagesSettings
from wages.ledger.hooks import AfterLedgerHook
from wages.ledger.models import PayrollLedger

log = logging.getLogger("wages.alert")


def recent_periods(settings: WagesSettings) -> list[str]:
    """The current period and the ones before it that a scheduled run evaluates."""
    today = china_today()
    current = f"{today.year:04d}-{today.month:02d}"
    return [shift_period(current, -n) for n in range(max(settings.alert_scheduled_periods, 1))]


async def run_scheduled_evaluation(
    database: Database, evaluator: Evaluator, stop: asyncio.Event | None = None
) -> list[Evaluation]:
    """One pass: each recent period in its own transaction, so one failure costs one period;
    a shutdown (``stop``) lets the period in hand finish and skips the rest."""
    done = []
    for period in recent_periods(evaluator.settings):
        if stop is not None and stop.is_set():
            break
        try:
            async with database.sessionmaker() as session, session.begin():
                done.append(await evaluate(session, evaluator, period, as_of=china_today()))
        except Exception:  # logged; the next pass retries
            log.exception("alert evaluation failed", extra={"period": period})
    return done


async def _every(
    interval: float, stop: asyncio.Event, work: Callable[[], Awaitable[object]], name: str
) -> None:
    """Run ``work`` now and then every ``interval`` seconds until ``stop`` is set.

    Shutdown sets ``stop`` and waits for the pass in flight instead of cancelling it: a
    transaction cut off mid-way by a cancellation can leave its connection (and, on SQLite, the
    write lock) behind."""
    while not stop.is_set():
        try:
            await work()
        except Exception:  # a database hiccup must not end the loop; the next pass retries
            log.exception("background pass failed", extra={"task": name})
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)


def _relay_pass(relay: OutboxRelay, stop: asyncio.Event) -> Callable[[], Awaitable[object]]:
    async def drain() -> None:
        # Full batches mean more is waiting: go on without sleeping (as OutboxRelay.run_forever).
        while await relay.run_once() == relay.batch_size and not stop.is_set():
            pass

    return drain


def after_ledger_hook(evaluator: Evaluator) -> AfterLedgerHook:
    """The hook the ledger service calls after storing a ledger, in its transaction: evaluates
    that employer and period. It runs in a SAVEPOINT and never fails the ledger: a failed
    evaluation is logged and the scheduled run catches up."""

    async def hook(session: AsyncSession, ledger: PayrollLedger) -> None:
        try:
            async with session.begin_nested():
                await evaluate(
                    session, evaluator, ledger.period, as_of=china_today(), employer_ids=[ledger.employer_id]
                )
        except Exception:
            log.exception("alert evaluation after ledger failed", extra={"period": ledger.period})

    return hook


@asynccontextmanager
async def alert_lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: WagesSettings = app.state.settings
    database: Database = app.state.db
    evaluator = Evaluator.for_settings(settings, getattr(app.state, "calendar", None))
    app.state.alert_evaluator = evaluator
    hooks = getattr(app.state, "after_ledger_hooks", None)
    if hooks is None:
        hooks = app.state.after_ledger_hooks = []
    hook = after_ledger_hook(evaluator)
    hooks.append(hook)
    http = httpx.AsyncClient(timeout=httpx.Timeout(settings.case_request_timeout_seconds, connect=2.0))
    app.state.case_request_relay = case_request_relay(database.sessionmaker, http, settings)
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    if settings.background_tasks:
        relay = app.state.case_request_relay
        tasks.append(
            asyncio.create_task(
                _every(
                    settings.case_request_relay_seconds, stop, _relay_pass(relay, stop), "case_request_relay"
                )
            )
        )

        async def evaluation_pass() -> None:
            await run_scheduled_evaluation(database, evaluator, stop)

        tasks.append(
            asyncio.create_task(
                _every(settings.alert_evaluation_seconds, stop, evaluation_pass, "alert_evaluation")
            )
        )
    try:
        yield
    finally:
        stop.set()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=settings.background_shutdown_seconds)
            for task in pending:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
        await http.aclose()
        with suppress(ValueError):
            hooks.remove(hook)
