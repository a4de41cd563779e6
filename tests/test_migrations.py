"""Every component's Alembic history: empty -> head -> base -> head, and models match head.

Alembic's env.py runs its own event loop, so async tests call it in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from complaints.models import metadata as complaints_metadata
from credit.models import metadata as credit_metadata
from gateway.models import metadata as gateway_metadata
from shared import migrations
from shared.testing.plugin import MigratedDatabases
from tests.conftest import COMPONENTS
from wages.models import metadata as wages_metadata

METADATA: dict[str, MetaData] = {
    "complaints": complaints_metadata,
    "wages": wages_metadata,
    "credit": credit_metadata,
    "gateway": gateway_metadata,
}


@pytest.fixture
def empty_databases(backend: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    dbs = MigratedDatabases(backend, COMPONENTS, tmp_path)
    urls = dbs.create(migrate=False)
    yield urls
    dbs.drop()


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def _diff(url: str, metadata: MetaData) -> list[object]:
    engine = create_async_engine(url, poolclass=NullPool)

    def compare(conn: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))

    async with engine.connect() as conn:
        diff = await conn.run_sync(compare)
    await engine.dispose()
    return diff


@pytest.mark.parametrize("component", sorted(COMPONENTS))
async def test_upgrade_downgrade_upgrade(component: str, empty_databases: dict[str, str]) -> None:
    url = empty_databases[component]
    directory = COMPONENTS[component]
    assert await _tables(url) == set()

    await asyncio.to_thread(migrations.upgrade, directory, url)
    assert await _tables(url) == set(METADATA[component].tables)
    assert await _diff(url, METADATA[component]) == []

    await asyncio.to_thread(migrations.downgrade, directory, url)
    assert await _tables(url) == set()

    await asyncio.to_thread(migrations.upgrade, directory, url)
    assert await _tables(url) == set(METADATA[component].tables)
