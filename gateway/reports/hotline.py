"""The 12345 inquiries the bureau answered (咨询), from the gateway's own hotline tables.

Complaints and reports by phone and 12345 are cases and are counted by the complaints service
(channels ``phone`` and ``hotline_12345``); the inquiries (consultation, help, suggestion) never
become cases and are counted here. Together they are §11's 咨询和举报投诉电话."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.hotline.models import HotlineTicket
from shared.errors import FieldError, ValidationFailed
from shared.pagination import Page, PageParams, encode_cursor
from shared.reporting import Scope, in_district

INQUIRY_CATEGORIES: Final = ("consultation", "help", "suggestion")
RECORDS_PATH: Final = "/api/v1/reports/records"


def _answered(scope: Scope) -> list[ColumnElement[bool]]:
    return [
        HotlineTicket.received_at >= scope.start,
        HotlineTicket.received_at < scope.end,
        HotlineTicket.category.in_(INQUIRY_CATEGORIES),
        HotlineTicket.reply.is_not(None),
        in_district(HotlineTicket.payload["region_code"].as_string(), scope.district_code),
    ]


async def inquiries_answered(session: AsyncSession, scope: Scope) -> int:
    query = select(func.count()).select_from(HotlineTicket).where(*_answered(scope))
    return int(await session.scalar(query) or 0)


async def list_inquiries(session: AsyncSession, scope: Scope, page: PageParams) -> Page[dict[str, Any]]:
    """The answered inquiries behind the figure; no caller data (the reply is the bureau's own)."""
    query = (
        select(
            HotlineTicket.id,
            HotlineTicket.ticket_no,
            HotlineTicket.category,
            HotlineTicket.received_at,
            HotlineTicket.answered_at,
            HotlineTicket.payload["region_code"].as_string().label("region_code"),
        )
        .where(*_answered(scope))
        .order_by(HotlineTicket.received_at, HotlineTicket.id)
        .limit(page.limit + 1)
    )
    if page.after is not None:
        try:
            received_at, ticket_id = datetime.fromisoformat(str(page.after[0])), str(page.after[1])
        except (IndexError, TypeError, ValueError) as exc:
            raise ValidationFailed([FieldError("query.cursor", "cursor_invalid", "分页游标无效")]) from exc
        query = query.where(
            or_(
                HotlineTicket.received_at > received_at,
                and_(HotlineTicket.received_at == received_at, HotlineTicket.id > ticket_id),
            )
        )
    rows = [dict(r) for r in (await session.execute(query)).mappings()]
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        next_cursor = encode_cursor([rows[-1]["received_at"].isoformat(), rows[-1]["id"]])
    items = [
        {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items() if k != "id"}
        for row in rows
    ]
    return Page[dict[str, Any]](items=items, next_cursor=next_cursor)


def records_path(scope: Scope) -> str:
    return f"{RECORDS_PATH}?{scope.query(figure='hotline_inquiries')}"
