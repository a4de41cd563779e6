"""Queries of the hotline links; no rules, no commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from gateway.hotline.models import (
    PARKED,
    CaseFiling,
    DeliveryAttempt,
    HotlineCallback,
    HotlineTicket,
    PoliceReferral,
    PoliceTransfer,
)
from gateway.hotline.schemas import CASE_CATEGORIES
from shared.db import utcnow


async def ticket_by_no(session: AsyncSession, ticket_no: str) -> HotlineTicket | None:
    return await session.scalar(select(HotlineTicket).where(HotlineTicket.ticket_no == ticket_no))


async def filing_of(session: AsyncSession, source: str, source_id: str) -> CaseFiling | None:
    return await session.scalar(
        select(CaseFiling).where(CaseFiling.source == source, CaseFiling.source_id == source_id)
    )


async def filings_of(session: AsyncSession, source: str, source_ids: Sequence[str]) -> dict[str, CaseFiling]:
    if not source_ids:
        return {}
    rows = await session.scalars(
        select(CaseFiling).where(CaseFiling.source == source, CaseFiling.source_id.in_(source_ids))
    )
    return {row.source_id: row for row in rows}


async def next_callback_seq(
    session: AsyncSession, ticket_no: str, values: dict[str, Any]
) -> tuple[int, str, datetime | None]:
    """Take the ticket's next callback number, with ``values`` set on the ticket in the same
    statement; the row lock this takes orders concurrent callbacks of one ticket. Returns the
    number and the ticket's status and answered_at as written."""
    statement = (
        update(HotlineTicket)
        .where(HotlineTicket.ticket_no == ticket_no)
        .values(callback_seq=HotlineTicket.callback_seq + 1, **values)
        .returning(HotlineTicket.callback_seq, HotlineTicket.status, HotlineTicket.answered_at)
        .execution_options(synchronize_session=False)
    )
    seq, status, answered_at = (await session.execute(statement)).one()
    return int(seq), str(status), answered_at


async def claim_ticket(
    session: AsyncSession, ticket_id: str, condition: ColumnElement[bool], values: dict[str, Any]
) -> bool:
    """Set ``values`` on the ticket only while ``condition`` holds: one UPDATE, so two staff
    members racing cannot both return (or both answer) it."""
    result = await session.execute(
        update(HotlineTicket)
        .where(HotlineTicket.id == ticket_id, condition)
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    return bool(getattr(result, "rowcount", 0))


async def release_next_callbacks(session: AsyncSession) -> None:
    """Make due every parked callback whose predecessors (same ticket) are all acknowledged."""
    earlier = aliased(HotlineCallback)
    await session.execute(
        update(HotlineCallback)
        .where(
            HotlineCallback.delivered_at.is_(None),
            HotlineCallback.available_at == PARKED,
            ~exists().where(
                earlier.ticket_no == HotlineCallback.ticket_no,
                earlier.seq < HotlineCallback.seq,
                earlier.delivered_at.is_(None),
            ),
        )
        .values(available_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def callback_for_event(session: AsyncSession, event_id: str) -> HotlineCallback | None:
    return await session.scalar(select(HotlineCallback).where(HotlineCallback.source_event_id == event_id))


def _after_id(column: Any, after: list[Any] | None) -> ColumnElement[bool] | None:
    return column > int(after[0]) if after else None


async def callbacks(
    session: AsyncSession, *, ticket_no: str | None, limit: int, after: list[Any] | None
) -> Sequence[HotlineCallback]:
    query = select(HotlineCallback).order_by(HotlineCallback.id).limit(limit)
    if ticket_no:
        query = query.where(HotlineCallback.ticket_no == ticket_no)
    condition = _after_id(HotlineCallback.id, after)
    if condition is not None:
        query = query.where(condition)
    return (await session.scalars(query)).all()


async def attempts_of(
    session: AsyncSession, target: str, ids: Sequence[str]
) -> dict[str, list[DeliveryAttempt]]:
    found: dict[str, list[DeliveryAttempt]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = await session.scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.target == target, DeliveryAttempt.delivery_id.in_(ids))
        .order_by(DeliveryAttempt.id)
    )
    for row in rows:
        found[row.delivery_id].append(row)
    return found


def _keyset(at: Any, key: Any, after: tuple[datetime, str] | None) -> ColumnElement[bool] | None:
    if after is None:
        return None
    return or_(at > after[0], and_(at == after[0], key > after[1]))


async def open_callback_alerts(
    session: AsyncSession, *, limit: int, after: tuple[datetime, str, int] | None
) -> Sequence[HotlineCallback]:
    query = (
        select(HotlineCallback)
        .where(HotlineCallback.alerted_at.is_not(None), HotlineCallback.delivered_at.is_(None))
        .order_by(HotlineCallback.alerted_at, HotlineCallback.id)
        .limit(limit)
    )
    if after is not None:
        at, kind, row_id = after
        same = and_(HotlineCallback.alerted_at == at, HotlineCallback.id > row_id)
        query = query.where(
            HotlineCallback.alerted_at > at
            if kind != "callback"
            else or_(HotlineCallback.alerted_at > at, same)
        )
    return (await session.scalars(query)).all()


async def open_filing_alerts(
    session: AsyncSession, source: str, *, limit: int, after: tuple[datetime, str, int] | None
) -> Sequence[CaseFiling]:
    query = (
        select(CaseFiling)
        .where(
            CaseFiling.source == source,
            CaseFiling.alerted_at.is_not(None),
            CaseFiling.delivered_at.is_(None),
        )
        .order_by(CaseFiling.alerted_at, CaseFiling.id)
        .limit(limit)
    )
    if after is not None:
        at, kind, row_id = after
        # "callback" sorts before "filing" at the same instant.
        if kind == "callback":
            query = query.where(CaseFiling.alerted_at >= at)
        else:
            query = query.where(
                or_(CaseFiling.alerted_at > at, and_(CaseFiling.alerted_at == at, CaseFiling.id > row_id))
            )
    return (await session.scalars(query)).all()


async def tickets(
    session: AsyncSession,
    *,
    inquiries: bool | None,
    category: str | None,
    unanswered: bool,
    answered: bool,
    due_before: datetime | None,
    due_after: datetime | None,
    limit: int,
    after: tuple[datetime, str] | None,
) -> Sequence[HotlineTicket]:
    query = select(HotlineTicket).order_by(HotlineTicket.received_at, HotlineTicket.id).limit(limit)
    if inquiries is not None:
        in_cases = HotlineTicket.category.in_(sorted(CASE_CATEGORIES))
        query = query.where(~in_cases if inquiries else in_cases)
    if category:
        query = query.where(HotlineTicket.category == category)
    if unanswered:
        query = query.where(HotlineTicket.answered_at.is_(None), HotlineTicket.returned_at.is_(None))
    if answered:
        query = query.where(HotlineTicket.answered_at.is_not(None))
    if due_before is not None:
        query = query.where(HotlineTicket.reply_due_at < due_before)
    if due_after is not None:
        query = query.where(HotlineTicket.reply_due_at >= due_after)
    condition = _keyset(HotlineTicket.received_at, HotlineTicket.id, after)
    if condition is not None:
        query = query.where(condition)
    return (await session.scalars(query)).all()


async def transfer_by_id(session: AsyncSession, transfer_id: str) -> PoliceTransfer | None:
    return await session.scalar(select(PoliceTransfer).where(PoliceTransfer.transfer_id == transfer_id))


async def referrals(
    session: AsyncSession, *, case_no: str | None, limit: int, after: tuple[datetime, str] | None
) -> Sequence[PoliceReferral]:
    query = select(PoliceReferral).order_by(PoliceReferral.created_at, PoliceReferral.id).limit(limit)
    if case_no:
        query = query.where(PoliceReferral.case_no == case_no)
    condition = _keyset(PoliceReferral.created_at, PoliceReferral.id, after)
    if condition is not None:
        query = query.where(condition)
    return (await session.scalars(query)).all()
