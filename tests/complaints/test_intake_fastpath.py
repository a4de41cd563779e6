"""The intake's raw ASGI fast path (complaints.case.fastpath): a well-formed filing is answered
there, everything else by the route, and both answer alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI
from starlette.types import Message

from complaints.case import fastpath
from shared.observability import request_count
from shared.testing.plugin import identity_headers
from tests.complaints.helpers import complaint

FILER = identity_headers("complaints:write", client_id="filer", client_name="窗口")
# Values that differ between any two filings.
_VARYING = {"id", "case_no", "request_id", "created_at", "updated_at"}


@pytest.fixture
def replays(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The bodies of the filings the fast path left to the route."""
    seen: list[bytes] = []
    original = fastpath.to_route

    async def spy(app: Any, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        message = await receive()
        body = message.get("body", b"")
        while message.get("more_body"):
            message = await receive()
            body += message.get("body", b"")
        seen.append(body)
        replayed = [{"type": "http.request", "body": body, "more_body": False}]

        async def again() -> Any:
            return replayed.pop() if replayed else await receive()

        await original(app, scope, again, send)

    monkeypatch.setattr(fastpath, "to_route", spy)
    return seen


async def _chunked(body: dict[str, Any]) -> AsyncIterator[bytes]:
    # No Content-Length: the fast path leaves such a request to the route.
    yield orjson.dumps(body)


def _comparable(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in _VARYING}


def _filed_count(status: str) -> float:
    return float(request_count("complaints", "POST", "/api/v1/complaints", int(status)))


async def test_a_well_formed_filing_is_answered_by_the_fast_path_as_by_the_route(
    complaints_client: httpx.AsyncClient, replays: list[bytes]
) -> None:
    before = _filed_count("201")
    fast = await complaints_client.post("/api/v1/complaints", json=complaint(), headers=FILER)
    assert fast.status_code == 201, fast.text
    assert replays == []
    routed = await complaints_client.post(
        "/api/v1/complaints",
        content=_chunked(complaint()),
        headers={**FILER, "Content-Type": "application/json"},
    )
    assert routed.status_code == 201, routed.text
    assert len(replays) == 1
    assert fast.headers["content-type"] == routed.headers["content-type"] == "application/json"
    assert int(fast.headers["content-length"]) == len(fast.content)
    assert "x-request-id" in fast.headers
    # The same answer but for the case's identity and its place among the employer's cases.
    first, second = fast.json(), routed.json()
    assert second["employer_case_count"] == first["employer_case_count"] + 1
    assert [d["id"] for d in second["possible_duplicates"]] == [first["id"]]
    for answer in (first, second):
        answer.pop("employer_case_count"), answer.pop("possible_duplicates")
    assert _comparable(first) == _comparable(second)
    # Counted under the route, like every other request.
    assert _filed_count("201") == before + 2


@pytest.mark.parametrize(
    ("headers", "body", "status", "code"),
    [
        ({}, complaint(), 401, "gateway_token_required"),
        (identity_headers("complaints:read", client_id="reader"), complaint(), 403, "insufficient_scope"),
        (FILER, {**complaint(), "kind": "petition"}, 422, "validation_failed"),
        (FILER, {**complaint(), "unknown_field": 1}, 422, "validation_failed"),
    ],
    ids=["no-token", "scope", "bad-enum", "extra-field"],
)
async def test_what_the_fast_path_cannot_file_is_answered_by_the_route(
    complaints_client: httpx.AsyncClient,
    replays: list[bytes],
    headers: dict[str, str],
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    response = await complaints_client.post("/api/v1/complaints", json=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert len(replays) == 1 and orjson.loads(replays[0]) == body


@pytest.mark.parametrize(
    ("content_type", "status"),
    # The route reads a "+json" type as JSON too; others are no object at all.
    [("text/plain", 422), ("application/jsonx", 422), ("application/json-patch+json", 201)],
)
async def test_a_body_not_declared_plain_json_goes_to_the_route(
    complaints_client: httpx.AsyncClient, replays: list[bytes], content_type: str, status: int
) -> None:
    body = orjson.dumps(complaint())
    response = await complaints_client.post(
        "/api/v1/complaints", content=body, headers={**FILER, "Content-Type": content_type}
    )
    assert replays == [body]
    assert response.status_code == status, response.text


async def test_a_json_content_type_with_parameters_is_filed_by_the_fast_path(
    complaints_client: httpx.AsyncClient, replays: list[bytes]
) -> None:
    response = await complaints_client.post(
        "/api/v1/complaints",
        content=orjson.dumps(complaint()),
        headers={**FILER, "Content-Type": "Application/JSON; charset=utf-8"},
    )
    assert response.status_code == 201, response.text
    assert replays == []


async def test_malformed_json_goes_to_the_route(
    complaints_client: httpx.AsyncClient, replays: list[bytes]
) -> None:
    response = await complaints_client.post(
        "/api/v1/complaints",
        content=b'{"kind": "complaint",',
        headers={**FILER, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert replays == [b'{"kind": "complaint",']


async def test_a_rule_refusal_while_filing_is_answered_like_the_routes(
    complaints_client: httpx.AsyncClient, replays: list[bytes]
) -> None:
    # The schema accepts it, the filing rules refuse it: raised inside the fast path.
    body = complaint(anonymous=True)
    fast = await complaints_client.post("/api/v1/complaints", json=body, headers=FILER)
    assert replays == []
    routed = await complaints_client.post(
        "/api/v1/complaints", content=_chunked(body), headers={**FILER, "Content-Type": "application/json"}
    )
    assert len(replays) == 1
    assert fast.status_code == routed.status_code == 422
    assert fast.headers["content-type"] == routed.headers["content-type"] == "application/problem+json"
    assert _comparable(fast.json()) == _comparable(routed.json())
    assert {e["loc"] for e in fast.json()["errors"]} >= {"anonymous"}
    listed = await complaints_client.get("/api/v1/complaints", headers=FILER)
    assert listed.json()["items"] == []


async def test_idempotent_retries_through_the_fast_path(
    complaints_client: httpx.AsyncClient, replays: list[bytes]
) -> None:
    keyed = {**FILER, "Idempotency-Key": "app-retry-1"}
    first = await complaints_client.post("/api/v1/complaints", json=complaint(), headers=keyed)
    again = await complaints_client.post("/api/v1/complaints", json=complaint(), headers=keyed)
    other = await complaints_client.post(
        "/api/v1/complaints", json=complaint(workers_affected=2), headers=keyed
    )
    assert replays == []
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"


async def test_other_requests_are_not_touched() -> None:
    # Only POST /api/v1/complaints: the check is on the exact path and method.
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(f"{scope['method']} {scope['path']}")

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        raise AssertionError("the fast path answered a request it should pass on")

    owner = FastAPI()
    owner.state.settings = SimpleNamespace(service_name="complaints")
    middleware = fastpath.IntakeFastPath(app, owner=owner)
    for method, path in (("GET", "/api/v1/complaints"), ("POST", "/api/v1/complaints/x/actions")):
        await middleware({"type": "http", "method": method, "path": path, "headers": []}, receive, send)
    assert seen == ["GET /api/v1/complaints", "POST /api/v1/complaints/x/actions"]


async def test_the_fast_path_echoes_the_callers_request_id_on_answers_and_refusals(
    complaints_client: httpx.AsyncClient, replays: list[bytes]
) -> None:
    # It does the request context's work itself: the id given is the id answered.
    filed = await complaints_client.post(
        "/api/v1/complaints", json=complaint(), headers={**FILER, "X-Request-ID": "trace-0001"}
    )
    refused = await complaints_client.post(
        "/api/v1/complaints",
        json=complaint(received_at="2099-01-01T00:00:00+08:00"),
        headers={**FILER, "X-Request-ID": "trace-0002"},
    )
    assert replays == []
    assert (filed.status_code, filed.headers["x-request-id"]) == (201, "trace-0001")
    assert (refused.status_code, refused.headers["x-request-id"]) == (422, "trace-0002")
    assert refused.json()["errors"][0]["loc"] == "received_at"
