"""The request owns the transaction: commit before the response, rollback on any error."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import func, select, text

from complaints.case.models import Case
from complaints.config import ComplaintsSettings
from shared.app import create_base_app
from shared.db import Database, SessionDep
from shared.errors import Conflict
from shared.testing.plugin import _admin_execute, app_client
from tests.complaints.helpers import bare_case

router = APIRouter()


@router.post("/write", status_code=201)
async def write(session: SessionDep, case_id: str, case_no: str, fail: bool = False) -> dict[str, str]:
    session.add(bare_case(case_id, case_no))
    await session.flush()
    if fail:
        raise Conflict("业务规则拒绝了这次写入")
    return {"id": case_id}


@router.post("/write-unflushed", status_code=201)
async def write_unflushed(session: SessionDep, case_id: str, case_no: str) -> dict[str, str]:
    # Not flushed: a constraint violation surfaces only at commit time.
    session.add(bare_case(case_id, case_no))
    return {"id": case_id}


@router.get("/backend-pid")
async def backend_pid(session: SessionDep) -> dict[str, int]:
    return {"pid": int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)}


@pytest.fixture
async def client(db_urls: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    settings = ComplaintsSettings(database_url=db_urls["complaints"], environment="test")
    app = create_base_app(settings, title="t", description="t", routers=[router], configure_logs=False)
    async with app_client(app) as http:
        yield http


async def _count(url: str) -> int:
    database = Database(url)
    async with database.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(Case))
    await database.dispose()
    return int(count or 0)


async def test_committed_before_the_response(client: httpx.AsyncClient, db_urls: dict[str, str]) -> None:
    response = await client.post("/write", params={"case_id": "a", "case_no": "N-1"})
    assert response.status_code == 201
    assert await _count(db_urls["complaints"]) == 1


async def test_error_rolls_back_everything(client: httpx.AsyncClient, db_urls: dict[str, str]) -> None:
    response = await client.post("/write", params={"case_id": "a", "case_no": "N-1", "fail": True})
    assert response.status_code == 409
    assert await _count(db_urls["complaints"]) == 0


async def test_failed_commit_is_5xx_never_201(client: httpx.AsyncClient, db_urls: dict[str, str]) -> None:
    assert (await client.post("/write", params={"case_id": "a", "case_no": "N-1"})).status_code == 201
    duplicate = await client.post("/write-unflushed", params={"case_id": "b", "case_no": "N-1"})
    assert duplicate.status_code == 500
    assert duplicate.headers["content-type"] == "application/problem+json"
    assert duplicate.json()["code"] == "internal_error"
    assert await _count(db_urls["complaints"]) == 1


async def test_a_lost_database_connection_is_one_503_then_fresh_connections(
    client: httpx.AsyncClient, db_urls: dict[str, str], backend: str
) -> None:
    assert (await client.post("/write", params={"case_id": "a", "case_no": "N-1"})).status_code == 201
    if backend == "postgresql":
        # What a restarted server does to the app's pooled connection (only this app's: other
        # apps of the test session keep theirs). Requests come one at a time, so one is pooled.
        pid = (await client.get("/backend-pid")).json()["pid"]
        await _admin_execute([f"SELECT pg_terminate_backend({int(pid)})"])
        lost = await client.post("/write", params={"case_id": "b", "case_no": "N-2"})
        assert lost.status_code == 503, lost.text
        assert lost.headers["content-type"] == "application/problem+json"
        assert lost.json()["code"] == "database_unavailable" and lost.headers["retry-after"] == "1"
    # SQLite has no server to lose; on both, the next request works on a fresh connection.
    again = await client.post("/write", params={"case_id": "c", "case_no": "N-3"})
    assert again.status_code == 201, again.text
    assert await _count(db_urls["complaints"]) == 2
