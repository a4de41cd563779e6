"""Queries of 令29 disclosure: no rules, no commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from credit.disclosure.models import Disclosure, DisclosureBatch
from credit.subject.models import Subject, SubjectRole, Violation

LEGAL_REPRESENTATIVE = "legal_representative"


async def batch_of_period(session: AsyncSession, period: str) -> DisclosureBatch | None:
    return await session.scalar(select(DisclosureBatch).where(DisclosureBatch.period == period))


async def get_batch(
    session: AsyncSession, batch_id: str, *, for_update: bool = False
) -> DisclosureBatch | None:
    query = select(DisclosureBatch).where(DisclosureBatch.id == batch_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(query)


async def decided_violations(
    session: AsyncSession, start: date, end: date
) -> Sequence[tuple[Violation, Subject]]:
    """Current (not superseded) violations punished with a decision dated in [start, end]."""
    query = (
        select(Violation, Subject)
        .join(Subject, Subject.id == Violation.subject_id)
        .where(
            Violation.superseded.is_(False),
            Violation.punished.is_(True),
            Violation.decided_on >= start,
            Violation.decided_on <= end,
        )
        .order_by(Violation.decided_on, Violation.id)
    )
    return [(v, s) for v, s in (await session.execute(query)).all()]


async def legal_representatives(session: AsyncSession, employer_ids: Sequence[str]) -> Sequence[Any]:
    """(employer_id, valid_from, valid_to, name) of every recorded 法定代表人 of these employers."""
    if not employer_ids:
        return []
    query = (
        select(SubjectRole.employer_id, SubjectRole.valid_from, SubjectRole.valid_to, Subject.name)
        .join(Subject, Subject.id == SubjectRole.person_id)
        .where(
            SubjectRole.employer_id.in_(sorted(set(employer_ids))), SubjectRole.role == LEGAL_REPRESENTATIVE
        )
        .order_by(SubjectRole.employer_id, SubjectRole.recorded_at, SubjectRole.id)
    )
    return (await session.execute(query)).all()


async def disclosures_of(session: AsyncSession, batch_id: str) -> Sequence[Disclosure]:
    query = (
        select(Disclosure).where(Disclosure.batch_id == batch_id).order_by(Disclosure.category, Disclosure.id)
    )
    return (await session.scalars(query)).all()


async def published(
    session: AsyncSession, *, limit: int, after: tuple[str, str] | None
) -> Sequence[tuple[Disclosure, DisclosureBatch]]:
    """Disclosures of published batches, latest period first."""
    query = (
        select(Disclosure, DisclosureBatch)
        .join(DisclosureBatch, DisclosureBatch.id == Disclosure.batch_id)
        .where(DisclosureBatch.status == "published")
    )
    if after is not None:
        period, disclosure_id = after
        query = query.where(
            or_(
                DisclosureBatch.period < period,
                and_(DisclosureBatch.period == period, Disclosure.id > disclosure_id),
            )
        )
    query = query.order_by(DisclosureBatch.period.desc(), Disclosure.id).limit(limit)
    return [(d, b) for d, b in (await session.execute(query)).all()]
