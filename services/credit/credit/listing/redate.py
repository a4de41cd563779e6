"""The 陈述申辩 period of notified listings, counted again on the calendar the service started with.

A notice's statement period (令45: N working days from service [M]) that reaches into a year
with no published holiday schedule is counted on Monday to Friday (shared.calendar). When the
year's schedule is added (``CALENDAR_DATA_DIR`` or ``shared/data/calendar``, read at start),
every listing still in its statement period (``notified``) is counted again from what its
``notify`` entry recorded (the day of service and the number of working days then in force),
so no decision is refused or allowed on a weekday-only count. A listing whose ``statement_due``
changes gets it with one history entry (``redate``) naming the old and new dates, in the same
transaction. The rows are locked (``FOR UPDATE`` on PostgreSQL): a replica doing the same pass
waits, then finds them counted and writes nothing.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from credit.listing import workflow
from credit.listing.models import Listing, ListingEvent
from shared.calendar import WorkingDayCalendar
from shared.timeutil import now_utc

log = logging.getLogger("credit.redate")

SYSTEM_ACTOR = ("system:calendar", "工作日历")
REASON = "所涉年度节假日安排已公布，陈述申辩期限按官方工作日历重新计算"


async def redate_statement_periods(
    sessionmaker: async_sessionmaker[AsyncSession], calendar: WorkingDayCalendar
) -> int:
    """One pass over the notified listings; the number whose statement_due changed."""
    async with sessionmaker() as session, session.begin():
        listings = list(
            (
                await session.scalars(
                    select(Listing)
                    .where(Listing.status == workflow.NOTIFIED, Listing.statement_due.is_not(None))
                    .order_by(Listing.id)
                    .with_for_update()
                )
            ).all()
        )
        if not listings:
            return 0
        notices: dict[str, ListingEvent] = {}
        rows = await session.scalars(
            select(ListingEvent)
            .where(ListingEvent.listing_id.in_([row.id for row in listings]), ListingEvent.action == "notify")
            .order_by(ListingEvent.id)
        )
        for event in rows:
            notices[event.listing_id] = event  # the last notice of each listing
        changed = 0
        now = now_utc()
        for listing in listings:
            notice = notices.get(listing.id)
            if notice is None or "statement_working_days" not in notice.data:
                continue
            served_on = date.fromisoformat(notice.data["served_on"])
            due = calendar.add_working_days(served_on, int(notice.data["statement_working_days"]))
            assert listing.statement_due is not None
            if due.day == listing.statement_due:
                continue
            previous, listing.statement_due, listing.updated_at = listing.statement_due, due.day, now
            session.add(
                ListingEvent(
                    listing_id=listing.id,
                    action="redate",
                    from_status=listing.status,
                    to_status=listing.status,
                    actor_id=SYSTEM_ACTOR[0],
                    actor_name=SYSTEM_ACTOR[1],
                    at=now,
                    reason=REASON,
                    documents=[],
                    data={
                        "statement_due": {"from": previous.isoformat(), "to": due.day.isoformat()},
                        "calendar_provisional": due.provisional,
                    },
                )
            )
            changed += 1
    if changed:
        log.info("statement periods of %d listings counted again on the published calendar", changed)
    return changed
