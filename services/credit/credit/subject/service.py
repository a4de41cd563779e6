from sqlalchemy.ext.asyncio import AsyncSession

from credit.subject import repository
from credit.subject.models import Subject
from shared.errors import NotFound


async def get_subject_file(session: AsyncSession, uscc: str) -> Subject:
    subject = await repository.get_by_uscc(session, uscc)
    if subject is None:
        raise NotFound(f"信用档案中没有统一社会信用代码为 {uscc} 的单位", code="subject_not_found")
    return subject
