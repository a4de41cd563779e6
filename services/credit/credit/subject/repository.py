"""Queries of the compliance file: no rules, no commit.

Listings belong to the listing domain; the file only reads them (``listings_of``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from credit.listing.models import Listing, ListingDecision, ListingEvent
from credit.subject.models import ProcessedEvent, Subject, SubjectName, SubjectRole, Violation
from shared.ids import new_uuid
from shared.timeutil import now_utc


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


# --- processed events ----------------------------------------------------------------------


async def claim_event(session: AsyncSession, event_id: str, event_type: str) -> bool:
    """Record ``event_id`` as processed; False when it already was (a redelivery).

    One ``INSERT ... ON CONFLICT DO NOTHING``: two concurrent deliveries of one event cannot
    both apply it (on PostgreSQL the second waits for the first to commit, then finds it).
    """
    statement = (
        _insert(session)(ProcessedEvent)
        .values(id=event_id, event_type=event_type, received_at=now_utc(), result={})
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(ProcessedEvent.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def set_event_result(session: AsyncSession, event_id: str, result: dict[str, Any]) -> None:
    await session.execute(update(ProcessedEvent).where(ProcessedEvent.id == event_id).values(result=result))


# --- subjects ------------------------------------------------------------------------------


async def get_by_uscc(session: AsyncSession, uscc: str) -> Subject | None:
    return await session.scalar(select(Subject).where(Subject.uscc == uscc))


async def get_by_id_number(session: AsyncSession, id_number: str) -> Subject | None:
    return await session.scalar(select(Subject).where(Subject.id_number == id_number))


async def get_unidentified_employer(session: AsyncSession, name: str) -> Subject | None:
    """An employer known by name alone (no USCC yet), the oldest if several."""
    query = (
        select(Subject)
        .where(Subject.subject_type == "employer", Subject.uscc.is_(None), Subject.name == name)
        .order_by(Subject.created_at, Subject.id)
        .limit(1)
    )
    return await session.scalar(query)


async def insert_identified(
    session: AsyncSession, *, subject_type: str, key: str, name: str, **fields: Any
) -> bool:
    """Insert a subject keyed by USCC or 身份证号 unless one exists; True when inserted.

    ``ON CONFLICT DO NOTHING`` keeps two concurrent first sightings of one employer from failing.
    """
    column = "uscc" if subject_type == "employer" else "id_number"
    now = now_utc()
    statement = (
        _insert(session)(Subject)
        .values(
            id=new_uuid(),
            subject_type=subject_type,
            name=name,
            created_at=now,
            updated_at=now,
            **{column: key},
            **fields,
        )
        .on_conflict_do_nothing(index_elements=[column])
        .returning(Subject.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def names(session: AsyncSession, subject_id: str) -> Sequence[SubjectName]:
    query = (
        select(SubjectName)
        .where(SubjectName.subject_id == subject_id)
        .order_by(SubjectName.valid_from.is_(None).desc(), SubjectName.valid_from, SubjectName.id)
    )
    return (await session.scalars(query)).all()


async def has_name(session: AsyncSession, subject_id: str, name: str) -> bool:
    query = select(SubjectName.id).where(SubjectName.subject_id == subject_id, SubjectName.name == name)
    return await session.scalar(query.limit(1)) is not None


# --- roles ---------------------------------------------------------------------------------


async def current_roles(session: AsyncSession, employer_id: str, role: str) -> Sequence[SubjectRole]:
    query = select(SubjectRole).where(
        SubjectRole.employer_id == employer_id, SubjectRole.role == role, SubjectRole.valid_to.is_(None)
    )
    return (await session.scalars(query.with_for_update())).all()


async def roles_of_employer(session: AsyncSession, employer_id: str) -> Sequence[tuple[SubjectRole, Subject]]:
    query = (
        select(SubjectRole, Subject)
        .join(Subject, Subject.id == SubjectRole.person_id)
        .where(SubjectRole.employer_id == employer_id)
        .order_by(SubjectRole.role, SubjectRole.valid_from, SubjectRole.id)
    )
    return [(r, s) for r, s in (await session.execute(query)).all()]


async def roles_of_person(session: AsyncSession, person_id: str) -> Sequence[tuple[SubjectRole, Subject]]:
    query = (
        select(SubjectRole, Subject)
        .join(Subject, Subject.id == SubjectRole.employer_id)
        .where(SubjectRole.person_id == person_id)
        .order_by(SubjectRole.valid_from, SubjectRole.id)
    )
    return [(r, s) for r, s in (await session.execute(query)).all()]


# --- violations ----------------------------------------------------------------------------


async def get_violation(
    session: AsyncSession, violation_id: str, *, for_update: bool = False
) -> Violation | None:
    query = select(Violation).where(Violation.id == violation_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def violations_of(
    session: AsyncSession, subject_id: str, *, include_superseded: bool
) -> Sequence[Violation]:
    query = (
        select(Violation)
        .where(Violation.subject_id == subject_id)
        .order_by(Violation.decided_on.desc(), Violation.recorded_at.desc(), Violation.id)
    )
    if not include_superseded:
        query = query.where(Violation.superseded.is_(False))
    return (await session.scalars(query)).all()


async def superseding(session: AsyncSession, violation_ids: Sequence[str]) -> dict[str, str]:
    """``{old id: id of the row that corrected it}`` for the given rows."""
    if not violation_ids:
        return {}
    query = select(Violation.supersedes_id, Violation.id).where(Violation.supersedes_id.in_(violation_ids))
    return {old: new for old, new in (await session.execute(query)).all() if old is not None}


# --- listings (read-only) ------------------------------------------------------------------


async def listings_of(
    session: AsyncSession, subject_id: str
) -> Sequence[tuple[Listing, str | None, Sequence[ListingEvent]]]:
    """A subject's listings, newest first, with their decision number and their history."""
    query = (
        select(Listing, ListingDecision.decision_no)
        .outerjoin(ListingDecision, ListingDecision.id == Listing.decision_id)
        .where(Listing.subject_id == subject_id)
        .order_by(Listing.created_at.desc(), Listing.id)
    )
    rows = (await session.execute(query)).all()
    if not rows:
        return []
    events_query = (
        select(ListingEvent)
        .where(ListingEvent.listing_id.in_([listing.id for listing, _ in rows]))
        .order_by(ListingEvent.at, ListingEvent.id)
    )
    events: dict[str, list[ListingEvent]] = {}
    for event in (await session.scalars(events_query)).all():
        events.setdefault(event.listing_id, []).append(event)
    return [(listing, decision_no, events.get(listing.id, [])) for listing, decision_no in rows]
