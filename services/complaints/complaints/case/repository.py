from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.case.models import Case


async def list_cases(
    session: AsyncSession,
    *,
    limit: int,
    after: tuple[datetime, str] | None,
    filed_by_client: str | None,
    status: str | None,
) -> Sequence[Case]:
    """Newest first, keyset-paginated on (received_at, id)."""
    query = select(Case).order_by(Case.received_at.desc(), Case.id.desc()).limit(limit)
    if after is not None:
        received_at, case_id = after
        query = query.where(
            or_(
                Case.received_at < received_at,
                and_(Case.received_at == received_at, Case.id < case_id),
            )
        )
    if filed_by_client is not None:
        query = query.where(Case.filed_by_client == filed_by_client)
    if status is not None:
        query = query.where(Case.status == status)
    return (await session.scalars(query)).all()
