import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from functools import partial

import aiohttp
from fastapi import FastAPI, Request
from starlette.types import ASGIApp

from gateway import openapi, proxy
from gateway.authn import Authenticator
from gateway.config import GatewaySettings
from gateway.events.dispatch import SubscriberSender
from gateway.events.models import EventDelivery
from gateway.events.router import router as events_router
from gateway.fastpath import ProxyFastPath
from gateway.hotline.callbacks import callback_relay
from gateway.hotline.complaints import ComplaintsClient
from gateway.hotline.events import HotlineEvents
from gateway.hotline.filings import filing_relay
from gateway.hotline.links import HotlineLinks
from gateway.hotline.police import referral_relay
from gateway.hotline.router import router as hotline_router
from gateway.open311.router import router as open311_router
from gateway.ratelimit import make_rate_limiter
from gateway.reports.router import router as reports_router
from gateway.upstream import CircuitBreaker, Upstream
from shared.app import create_base_app
from shared.bodylimit import BodyLimitMiddleware
from shared.calendar import default_calendar
from shared.observability import ReadinessCheck
from shared.outbox import OutboxRelay

# The gateway's own routes, then the proxy's catch-all.
ROUTERS = [openapi.router, events_router, hotline_router, open311_router, reports_router, proxy.router]


def _upstreams(settings: GatewaySettings) -> dict[str, Upstream]:
    urls = {
        "complaints": settings.complaints_url,
        "wages": settings.wages_url,
        "credit": settings.credit_url,
    }
    return {
        name: Upstream(
            name,
            url,
            connect_timeout=settings.upstream_connect_timeout_seconds,
            total_timeout=settings.upstream_timeout_seconds,
            max_connections=settings.upstream_max_connections,
            breaker=CircuitBreaker(settings.circuit_failure_threshold, settings.circuit_open_seconds),
        )
        for name, url in urls.items()
    }


def _readiness(request: Request) -> Mapping[str, ReadinessCheck]:
    checks: dict[str, ReadinessCheck] = {"database": request.app.state.db.ping}
    for name, upstream in request.app.state.upstreams.items():
        checks[name] = partial(upstream.probe, "/readyz")
    return checks


def create_app(settings: GatewaySettings | None = None, *, configure_logs: bool = True) -> FastAPI:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.upstreams = _upstreams(settings)
        app.state.rate_limiter = make_rate_limiter(settings.redis_url)
        app.state.authenticator = Authenticator(app.state.db, settings)
        app.state.openapi_cache = None
        links = HotlineLinks(
            settings=settings,
            sessionmaker=app.state.db.sessionmaker,
            calendar=default_calendar(),
            complaints=ComplaintsClient(app.state.upstreams["complaints"], settings.internal_token_secret),
            http=aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=settings.upstream_timeout_seconds)
            ),
        )
        app.state.hotline = links
        sender = SubscriberSender(
            app.state.db.sessionmaker,
            app.state.upstreams,
            settings.internal_token_secret,
            local={"hotline": HotlineEvents(links)},
        )
        app.state.event_relay = OutboxRelay(
            app.state.db.sessionmaker,
            EventDelivery,
            sender,
            interval_seconds=settings.event_relay_seconds,
            base_backoff_seconds=settings.event_retry_base_seconds,
            max_backoff_seconds=settings.event_retry_max_seconds,
        )
        # The hotline's deliveries: cases to file, statuses for 12345, emergencies for 110.
        app.state.hotline_filing_relay = filing_relay(links)
        app.state.hotline_callback_relay = callback_relay(links)
        app.state.police_referral_relay = referral_relay(links)
        relays: list[OutboxRelay] = [
            app.state.event_relay,
            app.state.hotline_filing_relay,
            app.state.hotline_callback_relay,
            app.state.police_referral_relay,
        ]
        tasks = [asyncio.create_task(r.run_forever()) for r in relays] if settings.background_tasks else []
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            await links.http.close()
            for upstream in app.state.upstreams.values():
                await upstream.close()
            await app.state.rate_limiter.close()

    app = create_base_app(
        settings,
        title="昆明市劳动保障监察平台网关",
        description="统一入口：认证、路由、限流与热线联动。",
        # Before the proxy, whose /api/v1/{area} would otherwise answer the hotline's paths.
        routers=ROUTERS,
        extra_lifespan=lifespan,
        readiness=_readiness,
        configure_logs=configure_logs,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=settings.max_body_bytes, overrides=settings.body_limit_overrides
    )
    # Proxied requests skip the stack above (they do its work themselves, in one pass); the
    # stack is built here, so middleware cannot be added after create_app.
    app.middleware_stack = ProxyFastPath(
        app.build_middleware_stack(),
        state=app.state,
        service=settings.service_name,
        max_body_bytes=settings.max_body_bytes,
        body_limit_overrides=settings.body_limit_overrides,
    )
    return app


def create_server_app() -> ASGIApp:
    """What ``python -m gateway`` serves: the proxy's fast path in front of the FastAPI app
    itself, so proxied requests also skip FastAPI's per-request telemetry check."""
    app = create_app()
    fast = app.middleware_stack
    assert isinstance(fast, ProxyFastPath)
    return fast.in_front_of(app)
