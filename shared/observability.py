"""Request-context middleware, Prometheus metrics and the health endpoints."""

from __future__ import annotations

import logging
import time
from bisect import bisect_left
from collections.abc import Awaitable, Callable, Iterator, Mapping

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import problem_response
from shared.requestctx import set_request_id

access_log = logging.getLogger("access")

# Counted here and exposed by a collector at scrape time: prometheus_client's labelled
# Counter and Histogram take a lock and check their state on every increment, which cost more
# than the rest of the gateway's bookkeeping for a proxied request (make bench, gateway).
# One event loop thread per process updates these.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
# As prometheus_client writes them ("0.001", "1.0", ...).
_BUCKET_LABELS = [*(repr(float(bound)) for bound in LATENCY_BUCKETS), "+Inf"]
# (service, method, route, status) -> requests
_requests: dict[tuple[str, str, str, int], int] = {}
# (service, method, route) -> requests per bucket (the last one +Inf, not cumulative), then the sum
_latencies: dict[tuple[str, str, str], list[float]] = {}


def request_count(service: str, method: str, route: str, status: int) -> int:
    """Requests counted so far under these labels (``http_requests_total``)."""
    return _requests.get((service, method, route, status), 0)


class _RequestCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "http_requests", "HTTP requests handled", labels=["service", "method", "route", "status"]
        )
        for (service, method, route, status), count in list(_requests.items()):
            requests.add_metric([service, method, route, str(status)], count)
        yield requests
        latency = HistogramMetricFamily(
            "http_request_duration_seconds",
            "Time to handle an HTTP request",
            labels=["service", "method", "route"],
        )
        for labels, cells in list(_latencies.items()):
            buckets: list[tuple[str, float]] = []
            cumulative = 0.0
            for label, in_bucket in zip(_BUCKET_LABELS, cells, strict=False):
                cumulative += in_bucket
                buckets.append((label, cumulative))
            latency.add_metric(list(labels), buckets, sum_value=cells[-1])
        yield latency


REGISTRY.register(_RequestCollector())

# Probes are polled constantly; keep them out of the access log.
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class RequestMetrics:
    """One process's request counter and latency histogram for one service."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._cells: dict[tuple[str, str], list[float]] = {}

    def observe(self, method: str, route: str, status: int, elapsed: float) -> None:
        key = (self.service, method, route, status)
        _requests[key] = _requests.get(key, 0) + 1
        cells = self._cells.get((method, route))
        if cells is None:
            cells = _latencies.setdefault((self.service, method, route), [0.0] * (len(LATENCY_BUCKETS) + 2))
            self._cells[(method, route)] = cells
        cells[bisect_left(LATENCY_BUCKETS, elapsed)] += 1
        cells[-1] += elapsed

    def log(
        self, method: str, path: str, status: int, elapsed: float, request_id: bytes | None = None
    ) -> None:
        """The access line (never the query string, which may carry personal data).
        ``request_id``: the request's, when the line is written outside its context."""
        # Checked first: below INFO the line and its fields are not even built.
        if path not in _QUIET_PATHS and access_log.isEnabledFor(logging.INFO):
            if request_id is not None:
                set_request_id(request_id.decode("latin-1"))
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
