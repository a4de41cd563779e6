import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from functools import partial

from fastapi import FastAPI, Request

from gateway import openapi, proxy
from gateway.authn import Authenticator
from gateway.config import GatewaySettings
from gateway.events.dispatch import SubscriberSender
from gateway.events.models import EventDelivery
from gateway.events.router import router as events_router
from gateway.ratelimit import make_rate_limiter
from gateway.upstream import CircuitBreaker, Upstream
from shared.app import create_base_app
from shared.bodylimit import BodyLimitMiddleware
from shared.observability import ReadinessCheck
from shared.outbox import OutboxRelay


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
        sender = SubscriberSender(
            app.state.db.sessionmaker, app.state.upstreams, settings.internal_token_secret
        )
        app.state.event_relay = OutboxRelay(
            app.state.db.sessionmaker,
            EventDelivery,
            sender,
            interval_seconds=settings.event_relay_seconds,
            base_backoff_seconds=settings.event_retry_base_seconds,
            max_backoff_seconds=settings.event_retry_max_seconds,
        )
        relay_task = (
            asyncio.create_task(app.state.event_relay.run_forever()) if settings.background_tasks else None
        )
        try:
            yield
        finally:
            if relay_task is not None:
                relay_task.cancel()
                with suppress(asyncio.CancelledError):
                    await relay_task
            for upstream in app.state.upstreams.values():
                await upstream.close()
            await app.state.rate_limiter.close()

    app = create_base_app(
        settings,
        title="昆明市劳动保障监察平台网关",
        description="统一入口：认证、路由、限流与热线联动。",
        routers=[openapi.router, events_router, proxy.router],
        extra_lifespan=lifespan,
        readiness=_readiness,
        configure_logs=configure_logs,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    return app
