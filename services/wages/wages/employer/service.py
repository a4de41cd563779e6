from sqlalchemy.ext.asyncio import AsyncSession

from shared.pagination import Page, PageParams, encode_cursor
from wages.employer import repository
from wages.employer.schemas import EmployerSummary


async def list_employers(
    session: AsyncSession, page: PageParams, *, district_code: str | None
) -> Page[EmployerSummary]:
    after = str(page.after[0]) if page.after else None
    rows = await repository.list_employers(
        session, limit=page.limit + 1, after_uscc=after, district_code=district_code
    )
    items = [EmployerSummary.model_validate(row) for row in rows[: page.limit]]
    next_cursor = encode_cursor([rows[page.limit - 1].uscc]) if len(rows) > page.limit else None
    return Page[EmployerSummary](items=items, next_cursor=next_cursor)
