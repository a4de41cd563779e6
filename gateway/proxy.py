"""The routing table and the FastAPI proxy handler for ``/api/v1/<area>/...``.

Known areas with the usual methods are served by :mod:`gateway.fastpath` before FastAPI sees
them; this route answers what is left (``HEAD``, unknown areas as 404, other methods as 405, and a
method the gateway's own routes at that path do not take as 405).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Match, Route

from gateway.authn import Authenticator, Caller
from gateway.ratelimit import RateLimiter
from gateway.upstream import HOP_BY_HOP, Upstream
from shared.auth import IDENTITY_HEADER
from shared.errors import NotFound, RateLimited
from shared.requestctx import current_request_id

# First path segment after /api/v1 -> upstream name. `public` needs no key.
AREAS: dict[str, str] = {
    "complaints": "complaints",
    "inspections": "complaints",
    "wages": "wages",
    "credit": "credit",
    "public": "credit",
}
PUBLIC_AREAS = frozenset({"public"})
_DROP_REQUEST_HEADERS = HOP_BY_HOP | {
    "authorization",
    IDENTITY_HEADER.lower(),
    "x-request-id",
    "x-forwarded-for",
}
PROXY_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]

router = APIRouter()


def _routes(routes: Iterable[BaseRoute]) -> Iterator[Route]:
    # FastAPI 0.165 keeps an included router as one entry holding the router it includes.
    for route in routes:
        if isinstance(route, Route):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _routes(included.routes)


def _refuse_unknown(request: Request) -> None:
    """404, or 405 naming the allowed methods when one of the gateway's own routes has this
    path (Starlette prefers this catch-all's full match to their partial one)."""
    allowed: set[str] = set()
    for route in _routes(request.app.router.routes):
        if route.endpoint is not proxy:
            match, _ = route.matches(request.scope)
            if match is Match.PARTIAL and route.methods:
                allowed |= route.methods
    if allowed:
        raise HTTPException(405, headers={"Allow": ", ".join(sorted(allowed))})
    raise NotFound(f"路径不存在：{request.url.path}")


async def _caller(request: Request, area: str) -> tuple[Caller, str]:
    authenticator: Authenticator = request.app.state.authenticator
    if area in PUBLIC_AREAS:
        client_ip = request.client.host if request.client else "unknown"
        return authenticator.public_caller(), "ip:" + client_ip
    caller = await authenticator.authenticate(request.headers.get("authorization"))
    return caller, caller.identity.client_id


@router.api_route("/api/v1/{area}{rest:path}", methods=PROXY_METHODS, include_in_schema=False)
async def proxy(request: Request, area: str, rest: str) -> Response:
    upstream_name = AREAS.get(area)
    if upstream_name is None or (rest and not rest.startswith("/")):
        _refuse_unknown(request)
    caller, limit_key = await _caller(request, area)
    limiter: RateLimiter = request.app.state.rate_limiter
    decision = await limiter.hit(limit_key, caller.per_minute, caller.burst)
    if not decision.allowed:
        raise RateLimited(decision.retry_after_seconds)

    headers = {k: v for k, v in request.headers.items() if k not in _DROP_REQUEST_HEADERS}
    headers[IDENTITY_HEADER] = request.app.state.authenticator.token_for(caller)
    headers["X-Request-ID"] = current_request_id() or ""
    if request.client:
        headers["X-Forwarded-For"] = request.client.host
    body = await request.body() if request.method not in ("GET", "HEAD") else None

    upstream: Upstream = request.app.state.upstreams[upstream_name]
    path_qs = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    result = await upstream.request(request.method, path_qs, headers, body or None)
    if result.body is not None:
        response = Response(result.body, status_code=result.status)
    else:
        assert result.stream is not None
        response = StreamingResponse(result.stream, status_code=result.status)
    response.raw_headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in result.headers] + [
        h for h in response.raw_headers if h[0] == b"content-length"
    ]
    return response
