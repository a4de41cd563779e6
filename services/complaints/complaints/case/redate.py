"""Deadlines counted on weekdays alone, counted again once their year's schedule is known.

A working-day deadline that reaches into a year with no published holiday schedule is
computed on Monday to Friday and the case is marked ``calendar_provisional`` (shared.calendar).
When the year is added (``shared/data/calendar/YYYY.json`` or ``CALENDAR_DATA_DIR``, read at
start), every open provisional case is counted again from what its timeline recorded: the
acceptance clock (with its supplement, restarted or resumed as recorded), 立案 plus 60 or 90
working days, and the hearing request period from the penalty notice. A case whose dates or
flag change gets them in the same transaction as one timeline entry (``redate``) naming each
old and new date, so the legal clock shown to people is the official one and its change is on
the record. The working-day counts are today's settings, as for any new deadline.

Cases are taken in id order, a batch per transaction, each row locked (``FOR UPDATE`` on
PostgreSQL): a second replica doing the same pass waits for the first's rows and then finds
them already counted, so nothing is written twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.case import deadlines, workflow
from complaints.case.deadlines import Clock
from complaints.case.models import Case, CaseEvent
from shared.calendar import CalendarResult
from shared.timeutil import china_date, now_utc

log = logging.getLogger("complaints.redate")

SYSTEM_ACTOR = ("system:calendar", "工作日历")
REASON = "所涉年度节假日安排已公布，法定时限按官方工作日历重新计算"
ACTION = "redate"
_CLOCK_ACTIONS = ("request_supplement", "supplement_received", "notify_penalty")


@dataclass(frozen=True)
class Recorded:
    """What a case's timeline says its working-day clocks started from."""

    # The last supplement received: its day, whether it restarted the clock, and the day the
    # supplement had been requested (the clock's pause) when it did not.
    supplement_on: date | None = None
    supplement_restarted: bool = True
    supplement_requested_on: date | None = None
    notified_on: date | None = None


def recorded(events: list[tuple[str, dict[str, Any], date]]) -> Recorded:
    """``events``: the case's clock events (action, data, the day it was recorded in China),
    oldest first. An action's day is the ``on`` it was done with, else the day it was recorded."""
    supplement_on = requested_on = notified_on = last_request = None
    restarted = True
    for action, data, recorded_on in events:
        on = date.fromisoformat(data["on"]) if data.get("on") else recorded_on
        if action == "request_supplement":
            last_request = date.fromisoformat(data["requested_on"]) if data.get("requested_on") else on
        elif action == "supplement_received":
            supplement_on, restarted, requested_on = on, bool(data.get("clock_restarted", True)), last_request
        elif action == "notify_penalty":
            notified_on = on
    return Recorded(supplement_on, restarted, requested_on, notified_on)


def recount(case: Case, facts: Recorded, clock: Clock) -> tuple[dict[str, date], bool]:
    """The working-day deadlines of ``case`` counted again, and whether any is still provisional."""
    results: dict[str, CalendarResult] = {}
    if case.accept_by is not None and case.accept_clock_from is not None:
        if facts.supplement_on is None:
            results["accept_by"] = clock.accept_by(case.accept_clock_from)
        elif facts.supplement_restarted:
            results["accept_by"] = clock.accept_by(facts.supplement_on)
        else:
            requested = facts.supplement_requested_on or facts.supplement_on
            results["accept_by"] = clock.accept_by_resumed(
                case.accept_clock_from, requested, facts.supplement_on
            )
    if case.investigate_by is not None and case.filed_on is not None:
        results["investigate_by"] = clock.investigate_by(case.filed_on, extended=case.extended)
    if case.hearing_request_by is not None and facts.notified_on is not None:
        results["hearing_request_by"] = clock.hearing_request_by(facts.notified_on)
    provisional = any(result.provisional for result in results.values())
    return {name: result.day for name, result in results.items()}, provisional


async def redate_batch(
    session: AsyncSession, clock: Clock, *, after: str, limit: int
) -> tuple[int, str | None]:
    """Count again up to ``limit`` open provisional cases with ids after ``after``: the number
    changed, and the last id seen (None when there are no more)."""
    cases = list(
        (
            await session.scalars(
                select(Case)
                .where(
                    Case.calendar_provisional.is_(True),
                    Case.status.in_(workflow.OPEN_STATES),
                    Case.id > after,
                )
                .order_by(Case.id)
                .limit(limit)
                .with_for_update()
            )
        ).all()
    )
    if not cases:
        return 0, None
    rows = await session.execute(
        select(CaseEvent.case_id, CaseEvent.action, CaseEvent.data, CaseEvent.at)
        .where(CaseEvent.case_id.in_([case.id for case in cases]), CaseEvent.action.in_(_CLOCK_ACTIONS))
        .order_by(CaseEvent.id)
    )
    history: dict[str, list[tuple[str, dict[str, Any], date]]] = {}
    for case_id, action, data, at in rows:
        history.setdefault(case_id, []).append((action, data, china_date(at)))
    changed = 0
    at = now_utc()
    for case in cases:
        dates, provisional = recount(case, recorded(history.get(case.id, [])), clock)
        moved = {
            name: {"from": getattr(case, name).isoformat(), "to": day.isoformat()}
            for name, day in dates.items()
            if getattr(case, name) != day
        }
        if not moved and provisional:
            continue
        for name, day in dates.items():
            setattr(case, name, day)
        case.calendar_provisional = provisional
        deadlines.refresh_running_deadline(case)
        session.add(
            CaseEvent(
                case_id=case.id,
                action=ACTION,
                from_status=case.status,
                to_status=case.status,
                actor_id=SYSTEM_ACTOR[0],
                actor_name=SYSTEM_ACTOR[1],
                at=at,
                reason=REASON,
                data={"deadlines": moved, "calendar_provisional": provisional},
            )
        )
        changed += 1
    await session.flush()
    return changed, cases[-1].id


async def redate_provisional(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, *, batch: int = 500
) -> int:
    """One pass over every open provisional case; the number whose deadlines changed."""
    total, after = 0, ""
    while True:
        async with sessionmaker() as session, session.begin():
            changed, last = await redate_batch(session, clock, after=after, limit=batch)
        if last is None:
            break
        total, after = total + changed, last
    if total:
        log.info("deadlines of %d cases counted again on the published calendar", total)
    return total
