from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from complaints.case.models import Case
from shared.db import Database
from shared.testing.plugin import identity_headers


async def _insert_cases(url: str, count: int, *, filed_by: str = "test-client") -> None:
    database = Database(url)
    base = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    async with database.sessionmaker() as session, session.begin():
        for i in range(count):
            session.add(
                Case(
                    id=f"case-{i:03d}",
                    case_no=f"2026-{i:06d}",
                    kind="complaint",
                    channel="window",
                    status="received",
                    received_at=base + timedelta(hours=i),
                    filed_by_client=filed_by,
                )
            )
    await database.dispose()


async def test_list_requires_gateway_token(complaints_client: httpx.AsyncClient) -> None:
    response = await complaints_client.get("/api/v1/complaints")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "gateway_token_required"


async def test_list_rejects_token_signed_with_another_secret(complaints_client: httpx.AsyncClient) -> None:
    headers = identity_headers("cases:manage", secret="not-the-gateway-secret-at-all-000000")
    response = await complaints_client.get("/api/v1/complaints", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_gateway_token"


async def test_list_needs_a_complaints_scope(complaints_client: httpx.AsyncClient) -> None:
    response = await complaints_client.get("/api/v1/complaints", headers=identity_headers("wages:read"))
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "insufficient_scope"
    assert "complaints:read" in body["required_scopes"]


async def test_list_pages_newest_first_with_cursor(
    complaints_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    await _insert_cases(db_urls["complaints"], 3)
    headers = identity_headers("cases:manage")
    first = await complaints_client.get("/api/v1/complaints?limit=2", headers=headers)
    assert first.status_code == 200
    page = first.json()
    assert [c["id"] for c in page["items"]] == ["case-002", "case-001"]
    assert page["next_cursor"]
    second = await complaints_client.get(
        "/api/v1/complaints", params={"limit": 2, "cursor": page["next_cursor"]}, headers=headers
    )
    assert [c["id"] for c in second.json()["items"]] == ["case-000"]
    assert second.json()["next_cursor"] is None


async def test_read_scope_sees_only_own_cases(
    complaints_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    await _insert_cases(db_urls["complaints"], 2, filed_by="someone-else")
    own = await complaints_client.get("/api/v1/complaints", headers=identity_headers("complaints:read"))
    assert own.json()["items"] == []
    everyone = await complaints_client.get("/api/v1/complaints", headers=identity_headers("cases:manage"))
    assert len(everyone.json()["items"]) == 2


async def test_bad_limit_and_cursor_name_the_field(complaints_client: httpx.AsyncClient) -> None:
    headers = identity_headers("cases:manage")
    too_big = await complaints_client.get("/api/v1/complaints?limit=501", headers=headers)
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["loc"] == "query.limit"
    bad_cursor = await complaints_client.get("/api/v1/complaints?cursor=%%%", headers=headers)
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["errors"][0] == {
        "loc": "query.cursor",
        "code": "cursor_invalid",
        "message": "分页游标无效",
    }
