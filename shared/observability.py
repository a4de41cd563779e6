"""Request-context middleware, Prometheus metrics and the health endpoints."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import problem_response
from shared.requestctx import set_request_id

access_log = logging.getLogger("access")

REQUESTS = Counter("http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to handle an HTTP request",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

# Probes are polled constantly; keep them out of the access log.
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class RequestMetrics:
    """One process's request counter and latency histogram, with the labelled children kept:
    ``labels()`` builds a tuple and takes a lock on every call, which on the hot paths cost
    more than the increment itself (make bench, intake)."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._latencies: dict[tuple[str, str], Any] = {}

    def observe(self, method: str, route: str, status: int, elapsed: float) -> None:
        counter = self._counters.get((method, route, status))
        if counter is None:
            counter = self._counters[(method, route, status)] = REQUESTS.labels(
                self.service, method, route, str(status)
            )
        counter.inc()
        latency = self._latencies.get((method, route))
        if latency is None:
            latency = self._latencies[(method, route)] = LATENCY.labels(self.service, method, route)
        latency.observe(elapsed)

    def log(self, method: str, path: str, status: int, elapsed: float) -> None:
        """The access line (never the query string, which may carry personal data)."""
        # Checked first: below INFO the line and its fields are not even built.
        if path not in _QUIET_PATHS and access_log.isEnabledFor(logging.INFO):
            access_log.info(
                "%s %s %d",
                method,
                path,
                status,
                extra={"status": status, "duration_ms": round(elapsed * 1000, 2)},
            )


class RequestContextMiddleware:
    """Assigns the request id, echoes it, times the request, logs one access line.

    A plain ASGI middleware: BaseHTTPMiddleware would cost a task per request on the hot path.
    """

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service
        self.metrics = RequestMetrics(service)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        request_id = set_request_id(incoming)
        scope.setdefault("state", {})["request_id"] = request_id
        status_holder = [500]
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            route_path = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            status = status_holder[0]
            self.metrics.observe(method, route_path, status, elapsed)
            self.metrics.log(method, scope["path"], status, elapsed)


ReadinessCheck = Callable[[], Awaitable[None]]


def health_router(service: str, checks: Callable[[Request], Mapping[str, ReadinessCheck]]) -> APIRouter:
    """``/healthz`` (alive), ``/readyz`` (each named check passes), ``/metrics``."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="进程存活检查")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @router.get("/readyz", summary="就绪检查（数据库与上游）")
    async def readyz(request: Request) -> Response:
        results: dict[str, str] = {}
        failed = False
        for name, check in checks(request).items():
            try:
                await check()
                results[name] = "ok"
            except Exception as exc:  # any failure means not ready; the reason is reported
                failed = True
                results[name] = f"error: {type(exc).__name__}"
        if failed:
            return problem_response(
                status=503,
                code="not_ready",
                title="服务未就绪",
                detail="；".join(f"{k}: {v}" for k, v in results.items() if v != "ok"),
                instance="/readyz",
                headers={"Retry-After": "5"},
                extra={"checks": results},
            )
        return JSONResponse({"status": "ready", "service": service, "checks": results})

    @router.get("/metrics", summary="Prometheus 指标", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
