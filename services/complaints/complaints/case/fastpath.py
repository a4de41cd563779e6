"""``POST /api/v1/complaints`` without FastAPI's per-request machinery.

Intake is the service's hot path (12345 bursts, mobile apps): routing, dependency solving and
the request/response objects of FastAPI were a third of a filing's CPU (``make bench``,
intake). This raw ASGI middleware files a well-formed request itself with the same code the
route runs (``service.file_case``). Anything else (no or a bad gateway token, a scope that is
not allowed, no JSON, a body the schema refuses, no Content-Length or a large body) is passed
to the app with its body replayed, and answered by the route exactly as before: one way of
refusing, not two. Errors raised while filing are answered by the app's own error handlers.

Installed inside the request-context middleware (request id, access log, metrics).
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
import pydantic
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from complaints.case import service
from complaints.case.schemas import CaseCreate
from shared.auth import IDENTITY_HEADER, Identity, identity_from_token
from shared.errors import AppError, error_response

PATH = "/api/v1/complaints"
# Who may file (the route's require_scopes). `internal`: the wages service opens cases for red
# alerts through the gateway.
FILERS = ("complaints:write", "cases:manage", "internal")
# Larger bodies (attachments go elsewhere) take the ordinary route.
MAX_BODY_BYTES = 256 * 1024

_IDENTITY = IDENTITY_HEADER.lower().encode()


@dataclass(frozen=True, slots=True)
class _Route:
    """What the request context reads of a matched route (its metrics label)."""

    path: str


_ROUTE = _Route(PATH)


class IntakeFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        length = headers.get(b"content-length", b"")
        if (
            not length.isdigit()
            or int(length) > MAX_BODY_BYTES
            or headers.get(b"content-type", b"").split(b";")[0].strip().lower() != b"application/json"
        ):
            await to_route(self.app, scope, receive, send)
            return
        body, disconnected = await _read_body(receive)
        filing = None if disconnected else self._parse(scope, headers, body)
        if filing is None:
            await to_route(self.app, scope, _replay(body, receive), send)
            return
        identity, payload, key = filing
        scope["route"] = _ROUTE
        try:
            status, answer = await service.file_case(
                scope["app"].state.intake, identity, payload, idempotency_key=key
            )
            content = orjson.dumps(answer)
            response_headers = [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(content)),
            ]
        except Exception as exc:  # answered as the app answers it (RFC 9457)
            response = await error_response(Request(scope), exc)
            await response(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": content})

    def _parse(
        self, scope: Scope, headers: dict[bytes, bytes], body: bytes
    ) -> tuple[Identity, CaseCreate, str | None] | None:
        token = headers.get(_IDENTITY)
        if not token:
            return None
        try:
            identity = identity_from_token(
                token.decode("latin-1"), scope["app"].state.settings.internal_token_secret
            )
            if not identity.has_any(*FILERS):
                return None
            payload = CaseCreate.model_validate(orjson.loads(body))
        except (AppError, orjson.JSONDecodeError, pydantic.ValidationError):
            return None
        scope.setdefault("state", {})["identity"] = identity
        key = headers.get(b"idempotency-key")
        return identity, payload, None if key is None else key.decode("latin-1")


async def to_route(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """A filing the fast path leaves to the route."""
    await app(scope, receive, send)


def _headers(scope: Scope) -> dict[bytes, bytes]:
    # ASGI header names are lower case; the first of a repeated header wins, as in Starlette.
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        found.setdefault(name, value)
    return found


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), True
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
