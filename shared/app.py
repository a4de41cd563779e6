"""The common shape of every process: errors, request context, health, database lifespan."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request

from shared.db import Database
from shared.errors import install_error_handlers
from shared.logging import configure_logging
from shared.observability import ReadinessCheck, RequestContextMiddleware, health_router
from shared.settings import BaseServiceSettings

ExtraLifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def _database_checks(request: Request) -> Mapping[str, ReadinessCheck]:
    return {"database": request.app.state.db.ping}


# Allocations between two young-generation collections in a server process (CPython's default:
# 700). A request allocates thousands of short-lived objects; collected ten times less often,
# most of them are freed by reference counting before a collection sees them, and fewer survive
# into the older generations, whose collections cost more (make bench, intake: 5 % less CPU per
# filing). Memory held meanwhile: a few thousand small objects. ``shared.serve`` sets the
# variable (an operator may too); in-process test apps keep CPython's default.
GC_YOUNG_ENV = "KM_GC_YOUNG_THRESHOLD"
SERVER_GC_YOUNG_THRESHOLD = 7000


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """What exists once the app is up (modules, models, schemas, routes) lives as long as the
    process. Frozen, it is left out of every full collection: a request that allocates a lot (a
    1000-subject credit check, a big ledger) triggers one every few requests, and walking the
    whole heap each time was a third of the credit check's CPU (make bench, credit_batch).
    Young collections are made rarer in server processes (``GC_YOUNG_ENV``)."""
    gc.freeze()
    thresholds = gc.get_threshold()
    young = os.environ.get(GC_YOUNG_ENV, "")
    if young.isdigit() and int(young) > 0:
        gc.set_threshold(int(young), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def create_base_app(
    settings: BaseServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    dependencies: Sequence[Any] = (),
    extra_lifespan: ExtraLifespan | None = None,
    readiness: Callable[[Request], Mapping[str, ReadinessCheck]] = _database_checks,
    configure_logs: bool = True,
    **fastapi_kwargs: Any,
) -> FastAPI:
    if configure_logs:
        configure_logging(settings.service_name, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = Database(settings.database_url, pool_size=settings.db_pool_size, echo=settings.db_echo)
        try:
            if extra_lifespan is None:
                with _frozen_heap():
                    yield
            else:
                async with extra_lifespan(app):
                    with _frozen_heap():
                        yield
        finally:
            await app.state.db.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        **fastapi_kwargs,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    # Each router straight under the app, in the order given, with ``dependencies`` added to
    # each of its routes; health after them. A request is matched against the routes in order,
    # and FastAPI (0.165) tries an included router's routes one by one at some 10 µs each, more
    # again at each further level of nesting: behind the health routes and two other routers,
    # all under one more router, the credit check's route took 0.57 ms to reach and refuse a
    # request without a token (in process), 0.29 ms as it is now, of the 1.5 to 2 ms of CPU a
    # check costs the service. So the routers are not nested, and a service lists its busiest first.
    for router in routers:
        app.include_router(router, dependencies=list(dependencies))
    app.include_router(health_router(settings.service_name, readiness))
    return app
