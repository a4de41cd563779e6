"""The periodic expiry scan: listings whose term is over leave the list (期满移出).

``repository.claim_expired`` claims the rows with ``UPDATE ... RETURNING`` (the status is the
claim), so replicas running the scan at the same time never expire a listing twice; the history
entry and the feed entry are written in the same transaction as the claim.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from credit.listing import repository, views, workflow
from credit.listing.models import ListingChange, ListingEvent
from credit.listing.redate import redate_statement_periods
from shared.calendar import WorkingDayCalendar
from shared.db import Database
from shared.timeutil import china_today, now_utc

log = logging.getLogger("credit.expiry")

SYSTEM_ACTOR = ("system:expiry-scan", "期满自动移出")


async def expire_due(session: AsyncSession, today: date) -> list[str]:
    claimed = dict(await repository.claim_expired(session, today))
    if not claimed:
        return []
    rows = await repository.rows_by_ids(session, list(claimed))
    await repository.lock_feed(session)
    now = now_utc()
    for listing, subject, decision in rows:
        assert listing.expires_on is not None
        session.add(
            ListingEvent(
                listing_id=listing.id,
                action="expire",
                from_status=claimed[listing.id],
                to_status=workflow.EXPIRED,
                actor_id=SYSTEM_ACTOR[0],
                actor_name=SYSTEM_ACTOR[1],
                at=now,
                reason="名单期限届满，自动移出",
                documents=[],
                data={
                    "expires_on": listing.expires_on.isoformat(),
                    "ended_on": listing.expires_on.isoformat(),
                },
            )
        )
        session.add(
            ListingChange(
                listing_id=listing.id,
                change="expire",
                snapshot=views.snapshot(listing, subject, decision),
                at=now,
            )
        )
    await session.flush()
    return [row[0].id for row in rows]


async def run_expiry_scan(database: Database) -> list[str]:
    """One pass in its own transaction; the ids of the listings it expired."""
    async with database.sessionmaker() as session, session.begin():
        return await expire_due(session, china_today())


async def scan_forever(database: Database, interval: float, calendar: WorkingDayCalendar) -> None:
    # The calendar is read at start: statement periods counted on weekdays alone for a year
    # whose schedule it now has are counted again once (credit.listing.redate).
    try:
        await redate_statement_periods(database.sessionmaker, calendar)
    except Exception:  # the next start tries again
        log.exception("counting statement periods again failed")
    while True:
        try:
            expired = await run_expiry_scan(database)
            if expired:
                log.info("expired %d listings", len(expired))
        except Exception:  # a failed pass is logged and retried on the next tick
            log.exception("expiry scan failed")
        await asyncio.sleep(interval)
