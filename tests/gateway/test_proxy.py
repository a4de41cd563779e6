from __future__ import annotations

import httpx

from shared.identifiers import make_uscc
from shared.testing.plugin import ServerThread, identity_headers
from tests.conftest import issue_key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_healthz_needs_no_key(gateway_client: httpx.AsyncClient) -> None:
    response = await gateway_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "gateway"}


async def test_no_key_is_401_problem(gateway_client: httpx.AsyncClient) -> None:
    response = await gateway_client.get("/api/v1/complaints")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "authentication_required"
    assert body["status"] == 401
    assert body["instance"] == "/api/v1/complaints"
    assert body["type"].endswith("authentication_required")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_bad_key_is_401(gateway_client: httpx.AsyncClient, admin_key: str) -> None:
    forged = admin_key[:-4] + "AAAA"
    response = await gateway_client.get("/api/v1/complaints", headers=bearer(forged))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_api_key"


async def test_key_reaches_service_and_request_id_round_trips(
    gateway_client: httpx.AsyncClient, admin_key: str
) -> None:
    response = await gateway_client.get(
        "/api/v1/complaints", headers={**bearer(admin_key), "X-Request-ID": "req-abc-123"}
    )
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}
    assert response.headers["x-request-id"] == "req-abc-123"


async def test_every_area_is_routed(gateway_client: httpx.AsyncClient, admin_key: str) -> None:
    wages = await gateway_client.get("/api/v1/wages/employers", headers=bearer(admin_key))
    assert wages.status_code == 200
    unknown = make_uscc("91530100MA6K0T4X1")
    credit = await gateway_client.get(f"/api/v1/credit/subjects/{unknown}", headers=bearer(admin_key))
    # A well-formed but unknown code is the credit service's own 404, passed through.
    assert credit.status_code == 404
    assert credit.headers["content-type"] == "application/problem+json"
    assert credit.json()["code"] == "subject_not_found"


async def test_invalid_identifier_is_422_naming_the_field(
    gateway_client: httpx.AsyncClient, admin_key: str
) -> None:
    valid = make_uscc("91530100MA6K0T4X1")
    wrong_check = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    response = await gateway_client.get(f"/api/v1/credit/subjects/{wrong_check}", headers=bearer(admin_key))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["loc"] == "path.uscc"
    assert error["code"] == "uscc_invalid_checksum"
    assert error["message"]
    district = await gateway_client.get(
        "/api/v1/wages/employers?district_code=5301", headers=bearer(admin_key)
    )
    assert district.status_code == 422
    assert district.json()["errors"][0]["loc"] == "query.district_code"


async def test_missing_scope_is_403_from_the_service(
    gateway_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    key = await issue_key(db_urls["gateway"], "bank-client", ["wages:write"])
    response = await gateway_client.get("/api/v1/complaints", headers=bearer(key))
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


async def test_caller_cannot_forge_the_gateway_identity(
    gateway_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    key = await issue_key(db_urls["gateway"], "bank-client", ["wages:write"])
    forged = identity_headers("admin")  # a token the caller made up, even a validly signed one
    response = await gateway_client.get("/api/v1/complaints", headers={**bearer(key), **forged})
    assert response.status_code == 403


async def test_unknown_area_is_404_problem(gateway_client: httpx.AsyncClient, admin_key: str) -> None:
    response = await gateway_client.get("/api/v1/payroll-secrets", headers=bearer(admin_key))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_method_not_allowed_is_405_problem(gateway_client: httpx.AsyncClient) -> None:
    response = await gateway_client.post("/healthz")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "method_not_allowed"


async def test_a_wrong_method_on_the_gateways_own_paths_is_405(
    gateway_client: httpx.AsyncClient, admin_key: str
) -> None:
    for method, path, allowed in (
        ("DELETE", "/api/v1/events", {"POST"}),
        ("DELETE", "/api/v1/hotline/12345/tickets", {"GET", "POST"}),
        ("PUT", "/api/v1/hotline/110/transfers", {"POST"}),
    ):
        response = await gateway_client.request(method, path, headers=bearer(admin_key))
        assert response.status_code == 405, (method, path, response.text)
        assert response.json()["code"] == "method_not_allowed"
        assert set(response.headers["allow"].split(", ")) >= allowed, path
    # A path nobody has is still 404.
    assert (
        await gateway_client.delete("/api/v1/hotline/nowhere", headers=bearer(admin_key))
    ).status_code == 404


async def test_service_port_refuses_calls_without_gateway(
    service_servers: dict[str, ServerThread], db_urls: dict[str, str]
) -> None:
    for name, path in (("complaints", "/api/v1/complaints"), ("wages", "/api/v1/wages/employers")):
        url = service_servers[name].url
        async with httpx.AsyncClient() as client:
            response = await client.get(url + path)
        assert response.status_code == 401, name
        assert response.json()["code"] == "gateway_token_required"


async def test_revoked_key_is_refused(gateway_client: httpx.AsyncClient, db_urls: dict[str, str]) -> None:
    from gateway.clients import service as client_service
    from shared.db import Database

    key = await issue_key(db_urls["gateway"], "short-lived", ["complaints:read"])
    assert (await gateway_client.get("/api/v1/complaints", headers=bearer(key))).status_code == 200
    database = Database(db_urls["gateway"])
    async with database.sessionmaker() as session, session.begin():
        await client_service.revoke_client(session, "short-lived")
    await database.dispose()
    response = await gateway_client.get("/api/v1/complaints", headers=bearer(key))
    assert response.status_code == 401
