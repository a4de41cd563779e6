"""Queries of employers and rosters: no rules, no commit."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from wages.employer.models import MonitoredEmployer, RosterWorker


async def list_employers(
    session: AsyncSession, *, limit: int, after_uscc: str | None, district_code: str | None
) -> Sequence[MonitoredEmployer]:
    query = select(MonitoredEmployer).order_by(MonitoredEmployer.uscc).limit(limit)
    if after_uscc is not None:
        query = query.where(MonitoredEmployer.uscc > after_uscc)
    if district_code is not None:
        query = query.where(MonitoredEmployer.district_code == district_code)
    return (await session.scalars(query)).all()


async def get_by_uscc(
    session: AsyncSession, uscc: str, *, for_update: bool = False
) -> MonitoredEmployer | None:
    query = select(MonitoredEmployer).where(MonitoredEmployer.uscc == uscc)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def get_by_account(session: AsyncSession, account_no: str) -> MonitoredEmployer | None:
    query = select(MonitoredEmployer).where(MonitoredEmployer.wage_account_no == account_no).limit(1)
    return await session.scalar(query)


def _active_on(today: date) -> ColumnElement[bool]:
    return or_(RosterWorker.active_to.is_(None), RosterWorker.active_to >= today)


async def active_roster(session: AsyncSession, employer_id: str, today: date) -> Sequence[RosterWorker]:
    """Roster rows not ended before ``today`` (including those starting later)."""
    query = (
        select(RosterWorker)
        .where(RosterWorker.employer_id == employer_id, _active_on(today))
        .order_by(RosterWorker.id)
    )
    return (await session.scalars(query)).all()


async def end_workers(session: AsyncSession, ids: Sequence[int], on: date) -> None:
    if ids:
        await session.execute(update(RosterWorker).where(RosterWorker.id.in_(ids)).values(active_to=on))


async def delete_workers(session: AsyncSession, ids: Sequence[int]) -> None:
    if ids:
        await session.execute(delete(RosterWorker).where(RosterWorker.id.in_(ids)))


async def count_active(session: AsyncSession, employer_id: str, today: date) -> int:
    query = (
        select(func.count())
        .select_from(RosterWorker)
        .where(
            RosterWorker.employer_id == employer_id,
            RosterWorker.active_from <= today,
            _active_on(today),
        )
    )
    return int(await session.scalar(query) or 0)


async def list_roster(
    session: AsyncSession,
    employer_id: str,
    *,
    limit: int,
    after_id: int | None,
    active_on: date | None,
) -> Sequence[RosterWorker]:
    query = (
        select(RosterWorker)
        .where(RosterWorker.employer_id == employer_id)
        .order_by(RosterWorker.id)
        .limit(limit)
    )
    if after_id is not None:
        query = query.where(RosterWorker.id > after_id)
    if active_on is not None:
        query = query.where(RosterWorker.active_from <= active_on, _active_on(active_on))
    return (await session.scalars(query)).all()
