from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wages.employer.models import MonitoredEmployer


async def list_employers(
    session: AsyncSession, *, limit: int, after_uscc: str | None, district_code: str | None
) -> Sequence[MonitoredEmployer]:
    query = select(MonitoredEmployer).order_by(MonitoredEmployer.uscc).limit(limit)
    if after_uscc is not None:
        query = query.where(MonitoredEmployer.uscc > after_uscc)
    if district_code is not None:
        query = query.where(MonitoredEmployer.district_code == district_code)
    return (await session.scalars(query)).all()
