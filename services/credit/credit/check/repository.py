"""Queries of the check: a constant number per batch, whatever its size. No rules, no commit."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from credit.check.models import CheckAudit
from credit.listing import repository as listings
from credit.listing import workflow
from credit.listing.models import Listing, ListingDecision
from credit.subject.models import Subject


async def subjects_by_uscc(session: AsyncSession, usccs: Collection[str]) -> dict[str, str]:
    """USCC -> subject id, for those the registry knows."""
    if not usccs:
        return {}
    rows = await session.execute(select(Subject.uscc, Subject.id).where(Subject.uscc.in_(sorted(usccs))))
    return {str(uscc): subject_id for uscc, subject_id in rows.all()}


async def subjects_by_id_number(session: AsyncSession, id_numbers: Collection[str]) -> dict[str, str]:
    if not id_numbers:
        return {}
    query = select(Subject.id_number, Subject.id).where(Subject.id_number.in_(sorted(id_numbers)))
    return {str(number): subject_id for number, subject_id in (await session.execute(query)).all()}


async def restricting_listings(
    session: AsyncSession, subject_ids: Collection[str], as_of: date
) -> Sequence[Any]:
    """Blacklist listings of these subjects in force on ``as_of`` (watch and red lists are not
    sanctions and never restrict)."""
    if not subject_ids:
        return []
    query = (
        select(
            Listing.id,
            Listing.subject_id,
            Listing.list_type,
            Listing.role,
            Listing.listed_on,
            Listing.expires_on,
            Listing.restrictions,
            ListingDecision.decision_no,
        )
        .join(ListingDecision, ListingDecision.id == Listing.decision_id)
        .where(
            Listing.subject_id.in_(sorted(subject_ids)),
            Listing.list_type == workflow.BLACKLIST,
            *listings.in_force(as_of),
        )
        .order_by(Listing.listed_on, Listing.id)
    )
    return (await session.execute(query)).all()


async def subjects_checked(session: AsyncSession, client_id: str, start: datetime, end: datetime) -> int:
    """Subjects this client checked in [start, end), read through ``ix_check_audits_client_id_at``."""
    query = select(func.coalesce(func.sum(CheckAudit.subject_count), 0)).where(
        CheckAudit.client_id == client_id, CheckAudit.at >= start, CheckAudit.at < end
    )
    return int(await session.scalar(query) or 0)
