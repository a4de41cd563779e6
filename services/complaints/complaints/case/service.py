from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from complaints.case import repository
from complaints.case.schemas import CaseSummary
from shared.auth import Identity
from shared.errors import FieldError, ValidationFailed
from shared.pagination import Page, PageParams, encode_cursor


def _cursor_key(after: list[object] | None) -> tuple[datetime, str] | None:
    if after is None:
        return None
    try:
        received_at, case_id = after
        return datetime.fromisoformat(str(received_at)), str(case_id)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed([FieldError("query.cursor", "cursor_invalid", "分页游标无效")]) from exc


async def list_cases(
    session: AsyncSession, identity: Identity, page: PageParams, *, status: str | None
) -> Page[CaseSummary]:
    # Mobile backends (complaints:read without cases:manage) see only what they filed.
    own_only = not identity.has_scope("cases:manage")
    rows = await repository.list_cases(
        session,
        limit=page.limit + 1,
        after=_cursor_key(page.after),
        filed_by_client=identity.client_id if own_only else None,
        status=status,
    )
    items = [CaseSummary.model_validate(row) for row in rows[: page.limit]]
    next_cursor = None
    if len(rows) > page.limit:
        last = rows[page.limit - 1]
        next_cursor = encode_cursor([last.received_at.isoformat(), last.id])
    return Page[CaseSummary](items=items, next_cursor=next_cursor)
