"""Queries of the listing domain: no rules, no commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from credit.listing import workflow
from credit.listing.models import Listing, ListingChange, ListingDecision, ListingEvent
from credit.subject.models import Subject
from shared.timeutil import now_utc

# Key of the PostgreSQL advisory lock that orders feed writers (any constant unique to it).
_FEED_LOCK_KEY = 4_503_201_001

Row = tuple[Listing, Subject, ListingDecision]

# The unit first, then the persons in the order 令45 art. 5 names them.
_ROLE_ORDER = case(
    {"unit": 0, "legal_representative": 1, "principal": 2, "directly_responsible": 3, "other_responsible": 4},
    value=Listing.role,
    else_=5,
)


async def lock_feed(session: AsyncSession) -> None:
    """Make ``seq`` order commit order before adding feed rows.

    A sequence hands out numbers at insert time, not at commit: without this a reader could see
    seq 11 committed while seq 10 is still in flight, move its ``since`` past 10 and never see
    it. Writers of the feed take one transaction-scoped lock first, so they commit in seq order.
    SQLite has a single writer already.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _FEED_LOCK_KEY})


async def open_listing(session: AsyncSession, subject_id: str, list_type: str) -> Listing | None:
    """A listing of this subject and type whose procedure or term is not over."""
    query = select(Listing).where(
        Listing.subject_id == subject_id,
        Listing.list_type == list_type,
        Listing.status.not_in(sorted(workflow.TERMINAL)),
    )
    return await session.scalar(query.limit(1))


async def get(session: AsyncSession, listing_id: str) -> Listing | None:
    return await session.get(Listing, listing_id)


async def decision_rows(session: AsyncSession, decision_id: str, *, for_update: bool = False) -> list[Row]:
    """Every listing of a decision with its subject, the unit first."""
    query = (
        select(Listing, Subject, ListingDecision)
        .join(Subject, Subject.id == Listing.subject_id)
        .join(ListingDecision, ListingDecision.id == Listing.decision_id)
        .where(Listing.decision_id == decision_id)
        .order_by(_ROLE_ORDER, Listing.id)
    )
    if for_update:
        # populate_existing: a listing read before the lock is refreshed, not trusted.
        query = query.with_for_update(of=Listing).execution_options(populate_existing=True)
    return [(lst, sub, dec) for lst, sub, dec in (await session.execute(query)).all()]


async def rows_by_ids(session: AsyncSession, listing_ids: Sequence[str]) -> list[Row]:
    query = (
        select(Listing, Subject, ListingDecision)
        .join(Subject, Subject.id == Listing.subject_id)
        .join(ListingDecision, ListingDecision.id == Listing.decision_id)
        .where(Listing.id.in_(list(listing_ids)))
        .order_by(Listing.decision_id, _ROLE_ORDER, Listing.id)
        .execution_options(populate_existing=True)
    )
    return [(lst, sub, dec) for lst, sub, dec in (await session.execute(query)).all()]


async def decision_no_taken(session: AsyncSession, decision_no: str) -> bool:
    query = select(ListingDecision.id).where(ListingDecision.decision_no == decision_no)
    return await session.scalar(query.limit(1)) is not None


async def events(session: AsyncSession, listing_id: str) -> Sequence[ListingEvent]:
    query = select(ListingEvent).where(ListingEvent.listing_id == listing_id).order_by(ListingEvent.id)
    return (await session.scalars(query)).all()


async def last_event(session: AsyncSession, listing_id: str, *actions: str) -> ListingEvent | None:
    query = (
        select(ListingEvent)
        .where(ListingEvent.listing_id == listing_id, ListingEvent.action.in_(actions))
        .order_by(ListingEvent.id.desc())
        .limit(1)
    )
    return await session.scalar(query)


@dataclass(frozen=True, slots=True)
class ListingFilter:
    list_type: str | None = None
    status: str | None = None
    uscc: str | None = None


async def list_rows(
    session: AsyncSession, where: ListingFilter, *, limit: int, after: tuple[datetime, str] | None
) -> list[Row]:
    """Newest first; keyset on (created_at, id)."""
    query = (
        select(Listing, Subject, ListingDecision)
        .join(Subject, Subject.id == Listing.subject_id)
        .join(ListingDecision, ListingDecision.id == Listing.decision_id)
    )
    if where.list_type:
        query = query.where(Listing.list_type == where.list_type)
    if where.status:
        query = query.where(Listing.status == where.status)
    if where.uscc:
        query = query.where(Subject.uscc == where.uscc)
    if after is not None:
        created_at, listing_id = after
        query = query.where(
            or_(
                Listing.created_at < created_at,
                and_(Listing.created_at == created_at, Listing.id < listing_id),
            )
        )
    query = query.order_by(Listing.created_at.desc(), Listing.id.desc()).limit(limit)
    return [(lst, sub, dec) for lst, sub, dec in (await session.execute(query)).all()]


# --- the feed ------------------------------------------------------------------------------


async def feed(session: AsyncSession, since: int, limit: int) -> Sequence[ListingChange]:
    query = select(ListingChange).where(ListingChange.seq > since).order_by(ListingChange.seq).limit(limit)
    return (await session.scalars(query)).all()


# --- expiry --------------------------------------------------------------------------------


async def claim_expired(session: AsyncSession, today: date) -> list[tuple[str, str]]:
    """End every listing whose term is over; (id, former status) of each one this call claimed.

    One ``UPDATE ... RETURNING`` per former status (the status is the claim): on PostgreSQL a
    second replica running the same statement waits for the first, re-checks the row, finds it
    expired and skips it, so no listing is expired twice.
    """
    claimed: list[tuple[str, str]] = []
    for status in sorted(workflow.EXPIRABLE):
        result = await session.execute(
            update(Listing)
            .where(Listing.status == status, Listing.expires_on.is_not(None), Listing.expires_on <= today)
            .values(status=workflow.EXPIRED, ended_on=Listing.expires_on, updated_at=now_utc())
            .returning(Listing.id)
            .execution_options(synchronize_session=False)
        )
        claimed.extend((listing_id, status) for listing_id in result.scalars().all())
    return claimed


# --- public --------------------------------------------------------------------------------


async def public_units(
    session: AsyncSession, today: date, *, limit: int, after: tuple[date, str] | None
) -> list[Row]:
    """Units of published blacklist decisions in force today, newest listing first."""
    query = (
        select(Listing, Subject, ListingDecision)
        .join(Subject, Subject.id == Listing.subject_id)
        .join(ListingDecision, ListingDecision.id == Listing.decision_id)
        .where(
            Listing.list_type == workflow.BLACKLIST,
            Listing.role == "unit",
            *in_force(today, statuses=workflow.RESTRICTING),
            Listing.published_on.is_not(None),
        )
    )
    if after is not None:
        listed_on, decision_id = after
        query = query.where(
            or_(
                Listing.listed_on < listed_on,
                and_(Listing.listed_on == listed_on, Listing.decision_id < decision_id),
            )
        )
    query = query.order_by(Listing.listed_on.desc(), Listing.decision_id.desc()).limit(limit)
    return [(lst, sub, dec) for lst, sub, dec in (await session.execute(query)).all()]


async def persons_of_decisions(
    session: AsyncSession, decision_ids: Sequence[str], today: date
) -> Sequence[tuple[Listing, Subject]]:
    query = (
        select(Listing, Subject)
        .join(Subject, Subject.id == Listing.subject_id)
        .where(
            Listing.decision_id.in_(list(decision_ids)),
            Listing.role != "unit",
            *in_force(today, statuses=workflow.RESTRICTING),
        )
        .order_by(Listing.decision_id, _ROLE_ORDER, Listing.id)
    )
    return [(lst, sub) for lst, sub in (await session.execute(query)).all()]


def in_force(
    as_of: date | ColumnElement[date], *, statuses: frozenset[str] = workflow.DECIDED
) -> list[ColumnElement[bool]]:
    """Conditions for "this listing applied on ``as_of``" (a date, or a bound parameter for one).

    Listed by then, not ended by then (``ended_on`` is the first day it no longer applied), and
    not past its term even if the expiry scan has not run yet.
    """
    return [
        Listing.status.in_(sorted(statuses)),
        Listing.listed_on.is_not(None),
        Listing.listed_on <= as_of,
        or_(Listing.ended_on.is_(None), Listing.ended_on > as_of),
        or_(Listing.expires_on.is_(None), Listing.expires_on > as_of),
    ]
