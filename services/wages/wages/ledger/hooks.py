"""Extension point: work to do right after a ledger is stored, in the same transaction.

``app.state.after_ledger_hooks`` (a list, set in ``wages.main.create_app``) holds coroutines
functions called in order with the session and the new ledger, after its lines are written and
before the request commits; an exception in a hook rolls the whole submission back. The early-
warning rules append their evaluation here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from wages.ledger.models import PayrollLedger

AfterLedgerHook = Callable[[AsyncSession, PayrollLedger], Awaitable[None]]


async def after_ledger_hooks(request: Request) -> tuple[AfterLedgerHook, ...]:
    hooks: list[AfterLedgerHook] = getattr(request.app.state, "after_ledger_hooks", [])
    return tuple(hooks)
