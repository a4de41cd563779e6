"""Queries of the case domain: no rules, no commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.case import workflow
from complaints.case.models import Case, CaseCounter, CaseEvent, CasePayment


async def next_case_number(session: AsyncSession, year: int) -> int:
    """Atomically take the next number of ``year`` (safe with concurrent writers)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(insert(CaseCounter).values(year=year, last_value=0).on_conflict_do_nothing())
    result = await session.execute(
        update(CaseCounter)
        .where(CaseCounter.year == year)
        .values(last_value=CaseCounter.last_value + 1)
        .returning(CaseCounter.last_value)
    )
    return int(result.scalar_one())


async def get(session: AsyncSession, case_id: str, *, for_update: bool = False) -> Case | None:
    query = select(Case).where(Case.id == case_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


def _same_employer(uscc: str | None, name_norm: str | None) -> ColumnElement[bool] | None:
    if uscc:
        return Case.employer_uscc == uscc
    if name_norm:
        return and_(Case.employer_uscc.is_(None), Case.employer_name_norm == name_norm)
    return None


async def open_cases_of_employer(
    session: AsyncSession, *, uscc: str | None, name_norm: str | None, limit: int = 20
) -> Sequence[Case]:
    same = _same_employer(uscc, name_norm)
    if same is None:
        return []
    query = (
        select(Case)
        .where(same, Case.status.in_(sorted(workflow.OPEN_STATES)))
        .order_by(Case.received_at.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def count_cases_of_employer(session: AsyncSession, *, uscc: str | None, name_norm: str | None) -> int:
    same = _same_employer(uscc, name_norm)
    if same is None:
        return 0
    return int(await session.scalar(select(func.count()).select_from(Case).where(same)) or 0)


@dataclass(frozen=True, slots=True)
class CaseFilter:
    filed_by_client: str | None = None
    districts: tuple[str, ...] = ()
    status: str | None = None
    channel: str | None = None
    kind: str | None = None
    district_code: str | None = None
    industry_code: str | None = None
    overdue_before: date | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    q: str | None = None


async def list_cases(
    session: AsyncSession, where: CaseFilter, *, limit: int, after: tuple[datetime, str] | None
) -> Sequence[Case]:
    """Newest first, keyset-paginated on (received_at, id)."""
    query = select(Case).order_by(Case.received_at.desc(), Case.id.desc()).limit(limit)
    if after is not None:
        received_at, case_id = after
        query = query.where(
            or_(Case.received_at < received_at, and_(Case.received_at == received_at, Case.id < case_id))
        )
    if where.filed_by_client is not None:
        query = query.where(Case.filed_by_client == where.filed_by_client)
    if where.districts:
        query = query.where(or_(*(Case.district_code.startswith(d) for d in where.districts)))
    for column, value in (
        (Case.status, where.status),
        (Case.channel, where.channel),
        (Case.kind, where.kind),
        (Case.district_code, where.district_code),
        (Case.industry_code, where.industry_code),
    ):
        if value is not None:
            query = query.where(column == value)
    if where.overdue_before is not None:
        # Served by ix_cases_next_deadline: only cases whose running deadline has passed.
        query = query.where(Case.next_deadline < where.overdue_before)
    if where.received_from is not None:
        query = query.where(Case.received_at >= where.received_from)
    if where.received_to is not None:
        query = query.where(Case.received_at < where.received_to)
    if where.q:
        pattern = f"%{where.q}%"
        query = query.where(
            or_(Case.case_no.like(pattern), Case.employer_name.like(pattern), Case.description.like(pattern))
        )
    return (await session.scalars(query)).all()


async def timeline(session: AsyncSession, case_ids: Sequence[str]) -> Sequence[CaseEvent]:
    query = select(CaseEvent).where(CaseEvent.case_id.in_(case_ids)).order_by(CaseEvent.at, CaseEvent.id)
    return (await session.scalars(query)).all()


async def merged_case_ids(session: AsyncSession, case_id: str) -> list[str]:
    """``case_id`` and every case merged into it, transitively."""
    found = [case_id]
    frontier = [case_id]
    while frontier:
        rows = await session.scalars(select(Case.id).where(Case.merged_into_id.in_(frontier)))
        frontier = [r for r in rows.all() if r not in found]
        found.extend(frontier)
    return found


async def payments(session: AsyncSession, case_ids: Sequence[str]) -> Sequence[CasePayment]:
    query = select(CasePayment).where(CasePayment.case_id.in_(case_ids)).order_by(CasePayment.id)
    return (await session.scalars(query)).all()
