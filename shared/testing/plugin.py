"""pytest plugin shared by every test: database backends, migrations, app clients, servers.

- Every test that uses the ``backend`` fixture (directly or through ``databases``) runs on
  SQLite and again on PostgreSQL when one is reachable at ``TEST_POSTGRES_URL`` (default: the
  local server). With ``REQUIRE_POSTGRES=1`` an unreachable server fails the run.
- Databases are built once per backend by the real Alembic migrations; each test starts
  from empty tables (every table but ``alembic_version`` is emptied after the test).
- Apps are exercised over HTTP: ``app_client`` (httpx over ASGI, lifespan run) or
  ``ServerThread`` (a real uvicorn server on a loopback port).
- The suite runs on its own clock: the run starts at ``SUITE_NOW`` (noon of 2026-11-27 in
  Kunming, the day its dates are written against) and time flows on from there, whatever day
  the machine says (``time-machine``: the date, ``time.time()``; not the event loop's
  monotonic clock). The services never ask PostgreSQL the time, so its clock may differ.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import time_machine
import uvicorn
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from shared import migrations
from shared.auth import IDENTITY_HEADER, Identity, issue_identity_token
from shared.serve import HTTP_PROTOCOL
from shared.settings import DEV_INTERNAL_TOKEN_SECRET
from shared.timeutil import CHINA_TZ

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
TEST_SECRET = DEV_INTERNAL_TOKEN_SECRET
_backends: list[str] = ["sqlite"]


def postgres_admin_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url.removeprefix("postgresql://")
    return url


async def _postgres_reachable(url: str) -> str | None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=5)
        return None
    except Exception as exc:  # any failure means: not reachable, with the reason kept
        return f"{type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()


# The suite's "now" as the run starts (see the module docstring).
SUITE_NOW = datetime(2026, 11, 27, 12, 0, tzinfo=CHINA_TZ)
_clock: list[time_machine.travel] = []


def pytest_configure(config: pytest.Config) -> None:
    travel = time_machine.travel(SUITE_NOW, tick=True)
    travel.start()
    _clock.append(travel)
    reason = asyncio.run(_postgres_reachable(postgres_admin_url()))
    if reason is None:
        _backends.append("postgresql")
    elif os.environ.get("REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError(
            f"REQUIRE_POSTGRES=1 but PostgreSQL is not reachable at {postgres_admin_url()}: {reason}"
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    while _clock:
        _clock.pop().stop()


def pytest_report_header(config: pytest.Config) -> str:
    return "database backends: " + ", ".join(_backends)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", _backends, scope="session", indirect=True)


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def _admin_execute(statements: list[str]) -> None:
    engine = create_async_engine(postgres_admin_url(), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


def postgres_database_url(name: str) -> str:
    return make_url(postgres_admin_url()).set(database=name).render_as_string(hide_password=False)


class MigratedDatabases:
    """Fresh, empty databases for the given components on one backend."""

    def __init__(self, backend: str, components: Mapping[str, Path], workdir: Path) -> None:
        self.backend = backend
        self.components = dict(components)
        self.workdir = workdir
        self.suffix = uuid.uuid4().hex[:8]
        self.urls: dict[str, str] = {}

    def create(self, *, migrate: bool = True) -> dict[str, str]:
        for name in self.components:
            if self.backend == "sqlite":
                path = self.workdir / f"{name}-{self.suffix}.db"
                self.urls[name] = f"sqlite+aiosqlite:///{path}"
            else:
                db_name = f"km_test_{name}_{self.suffix}"
                asyncio.run(_admin_execute([f'CREATE DATABASE "{db_name}"']))
                self.urls[name] = postgres_database_url(db_name)
        if migrate:
            for name, directory in self.components.items():
                migrations.upgrade(directory, self.urls[name])
        return self.urls

    def drop(self) -> None:
        if self.backend == "postgresql":
            statements = [
                f'DROP DATABASE IF EXISTS "km_test_{name}_{self.suffix}" WITH (FORCE)' for name in self.urls
            ]
            asyncio.run(_admin_execute(statements))
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def databases(
    backend: str, components: Mapping[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """One migrated database per component (fixture ``components`` comes from conftest)."""
    dbs = MigratedDatabases(backend, components, tmp_path_factory.mktemp(f"db-{backend}"))
    try:
        yield dbs.create()
    finally:
        dbs.drop()


async def empty_tables(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            if url.startswith("sqlite"):
                rows = await conn.execute(
                    text(
                        "SELECT name FROM sqlite_master WHERE type='table' "
                        "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
                    )
                )
                await conn.execute(text("PRAGMA foreign_keys=OFF"))
                for (table,) in rows.all():
                    await conn.execute(text(f'DELETE FROM "{table}"'))
            else:
                rows = await conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                        "AND tablename != 'alembic_version'"
                    )
                )
                tables = ", ".join(f'"{t}"' for (t,) in rows.all())
                if tables:
                    await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture
async def db_urls(databases: dict[str, str]) -> AsyncIterator[dict[str, str]]:
    """The component databases, emptied again after the test."""
    yield databases
    for url in databases.values():
        await empty_tables(url)


def identity_headers(
    *scopes: str,
    client_id: str = "test-client",
    client_name: str = "测试客户端",
    secret: str = TEST_SECRET,
    ttl_seconds: int = 3600,
) -> dict[str, str]:
    """Headers a service accepts as if the gateway had authenticated the caller.

    Valid for an hour, so tokens made at import time outlive a long test run."""
    identity = Identity(client_id, client_name, frozenset(scopes))
    return {IDENTITY_HEADER: issue_identity_token(identity, secret, ttl_seconds)}


@asynccontextmanager
async def app_client(app: FastAPI, **kwargs: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client speaking to ``app`` in process, with the app's lifespan run."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", **kwargs) as client:
            yield client


class ServerThread:
    """A real uvicorn server for ``app`` on 127.0.0.1, in a thread with its own event loop.

    ``http``: the protocol class, by default the one the services serve with
    (:func:`shared.serve.serve`); the gateway's tests pass the gateway's. ``config``: more of
    ``uvicorn.Config``'s settings."""

    def __init__(self, app: FastAPI, port: int = 0, *, http: str = HTTP_PROTOCOL, **config: Any) -> None:
        self.app = app
        self.port = port
        self.http = http
        self.config = config
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerThread:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_config=None, access_log=False, lifespan="on", http=self.http, **self.config
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=15)
        self._server = None
        self._thread = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
