"""``POST /api/v1/complaints`` in front of FastAPI and its middleware.

Intake is the service's hot path (12345 bursts, mobile apps): routing, dependency solving, the
request/response objects and the middleware layers of FastAPI (error catching, telemetry, body
limit, request context) were over a third of a filing's CPU (``make bench``, intake). This raw
ASGI app files a well-formed request itself with the same code the route runs
(``service.file_case``) and does the request context's work in the same pass: the request id
(taken from ``X-Request-ID`` or made, echoed), the metrics under the route's label, the access
line. Anything else (no or a bad gateway token, a scope that is not allowed, no JSON, a body the
schema refuses, no Content-Length or a large body) is passed to the app with its body replayed,
and answered by the route exactly as before: one way of refusing, not two. Errors raised while
filing are answered by the app's own error handlers.

``complaints.main`` puts it in front of the built middleware stack (``app.middleware_stack``),
and ``python -m complaints`` serves it in front of the FastAPI app itself.
"""

from __future__ import annotations

import time

import orjson
import pydantic
from fastapi import FastAPI
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from complaints.case import service
from complaints.case.schemas import CaseCreate
from shared.auth import IDENTITY_HEADER, Identity, identity_from_token
from shared.errors import AppError, error_response
from shared.observability import RequestMetrics
from shared.requestctx import set_request_id

PATH = "/api/v1/complaints"
# Who may file (the route's require_scopes). `internal`: the wages service opens cases for red
# alerts through the gateway.
FILERS = ("complaints:write", "cases:manage", "internal")
# Larger bodies (attachments go elsewhere) take the ordinary route.
MAX_BODY_BYTES = 256 * 1024

_IDENTITY = IDENTITY_HEADER.lower().encode()


class IntakeFastPath:
    """``app``: where everything else goes; ``owner``: the FastAPI app whose state (intake,
    settings) and error handlers the filings use."""

    def __init__(self, app: ASGIApp, *, owner: FastAPI) -> None:
        self.app = app
        self.owner = owner
        self.metrics = RequestMetrics(owner.state.settings.service_name)

    def in_front_of(self, app: ASGIApp) -> IntakeFastPath:
        """The same fast path passing the rest to ``app`` (the FastAPI app itself, for the server)."""
        front = IntakeFastPath.__new__(IntakeFastPath)
        front.app, front.owner, front.metrics = app, self.owner, self.metrics
        return front

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
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
        incoming = headers.get(b"x-request-id")
        request_id = set_request_id(None if incoming is None else incoming.decode("latin-1"))
        request_id_raw = request_id.encode()
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        try:
            try:
                status, answer = await service.file_case(
                    self.owner.state.intake, identity, payload, idempotency_key=key
                )
                content = orjson.dumps(answer)
            except Exception as exc:  # answered as the app answers it (RFC 9457)
                scope.setdefault("app", self.owner)
                response = await error_response(Request(scope), exc)
                response.raw_headers.append((b"x-request-id", request_id_raw))
                status = response.status_code
                await response(scope, receive, send)
                return
            response_headers = [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(content)),
                (b"x-request-id", request_id_raw),
            ]
            await send({"type": "http.response.start", "status": status, "headers": response_headers})
            await send({"type": "http.response.body", "body": content})
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.observe("POST", PATH, status, elapsed)
            self.metrics.log("POST", PATH, status, elapsed)

    def _parse(
        self, scope: Scope, headers: dict[bytes, bytes], body: bytes
    ) -> tuple[Identity, CaseCreate, str | None] | None:
        token = headers.get(_IDENTITY)
        if not token:
            return None
        try:
            secret = self.owner.state.settings.internal_token_secret
            identity = identity_from_token(token.decode("latin-1"), secret)
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
