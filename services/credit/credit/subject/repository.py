from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from credit.subject.models import Subject


async def get_by_uscc(session: AsyncSession, uscc: str) -> Subject | None:
    return await session.scalar(select(Subject).where(Subject.uscc == uscc))
