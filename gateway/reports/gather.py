"""Each service's part of the report, from that service's own report endpoint: the gateway asks
with its own identity (scope ``internal``), never reading another database."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Final

import orjson
from fastapi import Request

from gateway.config import GatewaySettings
from gateway.upstream import Upstream
from shared.auth import IDENTITY_HEADER, Identity, issue_identity_token
from shared.errors import UpstreamError
from shared.reporting import Scope
from shared.requestctx import current_request_id

GATEWAY_IDENTITY: Final = Identity("service:gateway", "网关", frozenset({"internal"}))
PARTS: Final = ("complaints", "wages", "credit")


class UpstreamBadResponse(UpstreamError):
    code, title = "upstream_bad_response", "上游服务返回异常"


def _headers(settings: GatewaySettings) -> dict[str, str]:
    return {
        IDENTITY_HEADER: issue_identity_token(GATEWAY_IDENTITY, settings.internal_token_secret),
        "X-Request-ID": current_request_id() or "",
        "Accept": "application/json",
    }


async def _part(upstream: Upstream, path_qs: str, headers: Mapping[str, str]) -> dict[str, Any]:
    # Upstream.request maps connection failures, timeouts and an open circuit to 502/504/503.
    result = await upstream.request("GET", path_qs, headers, None)
    if result.body is not None:
        body = result.body
    else:
        assert result.stream is not None
        body = b"".join([chunk async for chunk in result.stream])
    if result.status != 200:
        raise UpstreamBadResponse(f"上游服务 {upstream.name} 的年度统计返回 {result.status}")
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise UpstreamBadResponse(f"上游服务 {upstream.name} 的年度统计不是有效的 JSON") from exc
    if not isinstance(document, dict):
        raise UpstreamBadResponse(f"上游服务 {upstream.name} 的年度统计格式不正确")
    return document


async def gather_parts(request: Request, scope: Scope, *, explain: bool) -> dict[str, dict[str, Any]]:
    """The three parts, asked for at once; any part failing fails the report (a report with a
    part missing would be read as zeros)."""
    upstreams: Mapping[str, Upstream] = request.app.state.upstreams
    headers = _headers(request.app.state.settings)
    query = scope.query(explain="true" if explain else "false")
    # Every part is awaited even when one has already failed: the failure is answered once the
    # other services have answered too, not while their report transactions are still open.
    results = await asyncio.gather(
        *(_part(upstreams[name], f"/api/v1/{name}/reports/annual?{query}", headers) for name in PARTS),
        return_exceptions=True,
    )
    documents: dict[str, dict[str, Any]] = {}
    for name, result in zip(PARTS, results, strict=True):
        if isinstance(result, BaseException):
            raise result
        documents[name] = result
    return documents
