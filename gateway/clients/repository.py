from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.clients.models import ApiClient


async def get_by_prefix(session: AsyncSession, key_prefix: str) -> ApiClient | None:
    return await session.scalar(select(ApiClient).where(ApiClient.key_prefix == key_prefix))


async def get_by_name(session: AsyncSession, name: str) -> ApiClient | None:
    return await session.scalar(select(ApiClient).where(ApiClient.name == name))


async def list_clients(session: AsyncSession) -> Sequence[ApiClient]:
    return (await session.scalars(select(ApiClient).order_by(ApiClient.created_at))).all()
