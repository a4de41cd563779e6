"""What became of each status sent to 12345: every try, and the deliveries that raised alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.hotline import repository, views
from gateway.hotline.callbacks import TARGET
from gateway.hotline.schemas import AlertOut, DeliveryOut
from shared.errors import FieldError, ValidationFailed
from shared.pagination import Page, PageParams, encode_cursor


async def list_deliveries(
    session: AsyncSession, page: PageParams, *, ticket_no: str | None
) -> Page[DeliveryOut]:
    if page.after is not None and not (len(page.after) == 1 and isinstance(page.after[0], int)):
        raise ValidationFailed([FieldError("query.cursor", "cursor_invalid", "分页游标无效")])
    rows = await repository.callbacks(session, ticket_no=ticket_no, limit=page.limit + 1, after=page.after)
    shown = rows[: page.limit]
    tries = await repository.attempts_of(session, TARGET, [str(r.id) for r in shown])
    next_cursor = encode_cursor([shown[-1].id]) if len(rows) > page.limit else None
    return Page[DeliveryOut](
        items=[views.delivery_out(r, tries[str(r.id)]) for r in shown], next_cursor=next_cursor
    )


def _alert_cursor(after: list[Any] | None) -> tuple[datetime, str, int] | None:
    if after is None:
        return None
    try:
        at, kind, row_id = after
        return datetime.fromisoformat(str(at)), str(kind), int(row_id)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed([FieldError("query.cursor", "cursor_invalid", "分页游标无效")]) from exc


async def list_alerts(session: AsyncSession, page: PageParams) -> Page[AlertOut]:
    """Open alerts (still undelivered) of 12345 callbacks and of 12345 tickets' case filings."""
    after = _alert_cursor(page.after)
    items: list[AlertOut] = []
    for callback in await repository.open_callback_alerts(session, limit=page.limit + 1, after=after):
        assert callback.alerted_at is not None
        items.append(
            AlertOut(
                kind="callback",
                id=callback.id,
                ticket_no=callback.ticket_no,
                event=callback.event,
                attempts=callback.attempts,
                last_error=callback.last_error,
                alerted_at=callback.alerted_at,
                detail=f"向12345回告“{callback.event}”多次失败，仍在重试",
            )
        )
    for filing in await repository.open_filing_alerts(session, "12345", limit=page.limit + 1, after=after):
        assert filing.alerted_at is not None
        items.append(
            AlertOut(
                kind="filing",
                id=filing.id,
                ticket_no=filing.source_id,
                event=None,
                attempts=filing.attempts,
                last_error=filing.last_error,
                alerted_at=filing.alerted_at,
                detail="工单转投诉举报服务登记多次失败，仍在重试",
            )
        )
    items.sort(key=lambda a: (a.alerted_at, a.kind, a.id))
    next_cursor = None
    if len(items) > page.limit:
        last = items[page.limit - 1]
        next_cursor = encode_cursor([last.alerted_at.isoformat(), last.kind, last.id])
    return Page[AlertOut](items=items[: page.limit], next_cursor=next_cursor)
