from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.events import dispatch
from gateway.events.models import InboundEvent
from gateway.events.schemas import EventAck, EventIn, EventOut
from shared.auth import Identity
from shared.errors import FieldError, Forbidden, ValidationFailed
from shared.pagination import Page, PageParams, encode_cursor
from shared.timeutil import now_utc


async def receive(
    session: AsyncSession, identity: Identity, event: EventIn, *, subscriptions: Mapping[str, list[str]]
) -> tuple[int, EventAck]:
    """Store an event once; a redelivery (same id) is acknowledged without a second copy."""
    expected_source = identity.client_id.removeprefix("service:")
    if identity.client_id.startswith("service:") and event.source != expected_source:
        raise Forbidden(f"服务 {expected_source} 不能以 {event.source} 的名义发布事件")
    if await session.get(InboundEvent, event.id) is not None:
        return 200, EventAck(id=event.id, status="duplicate")
    stored = InboundEvent(
        id=event.id,
        source=event.source,
        event_type=event.type,
        aggregate_id=event.aggregate_id,
        occurred_at=event.occurred_at,
        received_at=now_utc(),
        data=event.data,
    )
    session.add(stored)
    await session.flush()
    dispatch.add_deliveries(session, stored, subscriptions)
    await session.flush()
    return 202, EventAck(id=event.id, status="accepted")


def _after(after: list[object] | None) -> tuple[datetime, str] | None:
    if after is None:
        return None
    try:
        received_at, event_id = after
        return datetime.fromisoformat(str(received_at)), str(event_id)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed([FieldError("query.cursor", "cursor_invalid", "分页游标无效")]) from exc


async def list_events(
    session: AsyncSession, page: PageParams, *, event_type: str | None, aggregate_id: str | None
) -> Page[EventOut]:
    query = select(InboundEvent).order_by(InboundEvent.received_at, InboundEvent.id).limit(page.limit + 1)
    after = _after(page.after)
    if after is not None:
        query = query.where(
            or_(
                InboundEvent.received_at > after[0],
                and_(InboundEvent.received_at == after[0], InboundEvent.id > after[1]),
            )
        )
    if event_type:
        query = query.where(InboundEvent.event_type == event_type)
    if aggregate_id:
        query = query.where(InboundEvent.aggregate_id == aggregate_id)
    rows = (await session.scalars(query)).all()
    items = [
        EventOut(
            id=r.id,
            source=r.source,
            type=r.event_type,
            aggregate_id=r.aggregate_id,
            occurred_at=r.occurred_at,
            received_at=r.received_at,
            data=r.data,
        )
        for r in rows[: page.limit]
    ]
    next_cursor = None
    if len(rows) > page.limit:
        last = rows[page.limit - 1]
        next_cursor = encode_cursor([last.received_at.isoformat(), last.id])
    return Page[EventOut](items=items, next_cursor=next_cursor)
