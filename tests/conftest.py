"""Fixtures for the project's own components; generic machinery is in shared/testing/plugin.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from complaints.config import ComplaintsSettings
from complaints.main import create_app as create_complaints_app
from credit.config import CreditSettings
from credit.main import create_app as create_credit_app
from gateway.clients import service as client_service
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway_app
from shared.db import Database
from shared.testing.plugin import ServerThread, app_client
from wages.config import WagesSettings
from wages.main import create_app as create_wages_app

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = {
    "complaints": ROOT / "services" / "complaints",
    "wages": ROOT / "services" / "wages",
    "credit": ROOT / "services" / "credit",
    "gateway": ROOT / "gateway",
}


@pytest.fixture(scope="session")
def components() -> dict[str, Path]:
    return COMPONENTS


def complaints_settings(url: str, **overrides: Any) -> ComplaintsSettings:
    # Background relay and scan are off unless a test turns them on and points them somewhere.
    values: dict[str, Any] = {"database_url": url, "environment": "test", "background_tasks": False}
    return ComplaintsSettings(**{**values, **overrides})


def wages_settings(url: str) -> WagesSettings:
    return WagesSettings(database_url=url, environment="test", background_tasks=False)


def credit_settings(url: str) -> CreditSettings:
    return CreditSettings(database_url=url, environment="test", background_tasks=False)


@pytest.fixture
async def complaints_client(db_urls: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_complaints_app(complaints_settings(db_urls["complaints"]), configure_logs=False)
    async with app_client(app) as client:
        yield client


@pytest.fixture
async def wages_client(db_urls: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_wages_app(wages_settings(db_urls["wages"]), configure_logs=False)
    async with app_client(app) as client:
        yield client


@pytest.fixture
async def credit_client(db_urls: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_credit_app(credit_settings(db_urls["credit"]), configure_logs=False)
    async with app_client(app) as client:
        yield client


@pytest.fixture(scope="session")
def service_servers(databases: dict[str, str]) -> Iterator[dict[str, ServerThread]]:
    """The three services as real HTTP servers (one set per database backend)."""
    servers = {
        "complaints": ServerThread(
            create_complaints_app(complaints_settings(databases["complaints"]), configure_logs=False)
        ),
        "wages": ServerThread(create_wages_app(wages_settings(databases["wages"]), configure_logs=False)),
        "credit": ServerThread(create_credit_app(credit_settings(databases["credit"]), configure_logs=False)),
    }
    for server in servers.values():
        server.start()
    try:
        yield servers
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture
def gateway_settings(db_urls: dict[str, str], service_servers: dict[str, ServerThread]) -> GatewaySettings:
    return GatewaySettings(
        database_url=db_urls["gateway"],
        environment="test",
        complaints_url=service_servers["complaints"].url,
        wages_url=service_servers["wages"].url,
        credit_url=service_servers["credit"].url,
        circuit_open_seconds=1,
        auth_cache_seconds=0,
        background_tasks=False,
    )


GATEWAY_PROTOCOL = "gateway.fastserver:GatewayProtocol"


@asynccontextmanager
async def served_gateway(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``app`` served as `python -m gateway` serves it: a real server on the
    gateway's protocol (proxied requests answered without an ASGI cycle)."""
    server = ServerThread(app, http=GATEWAY_PROTOCOL).start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            yield client
    finally:
        server.stop()


@pytest.fixture
async def gateway_client(gateway_settings: GatewaySettings) -> AsyncIterator[httpx.AsyncClient]:
    async with served_gateway(create_gateway_app(gateway_settings, configure_logs=False)) as client:
        yield client


async def issue_key(
    database_url: str,
    name: str,
    scopes: list[str],
    *,
    with_secret: bool = False,
    rate_limit_per_minute: int | None = None,
    districts: tuple[str, ...] = (),
) -> str:
    """Issue an API key the way `python -m gateway.admin create-client` does."""
    database = Database(database_url)
    try:
        async with database.sessionmaker() as session, session.begin():
            issued = await client_service.create_client(
                session,
                name=name,
                scopes=scopes,
                with_secret=with_secret,
                rate_limit_per_minute=rate_limit_per_minute,
                districts=districts,
            )
        return issued.api_key
    finally:
        await database.dispose()


@pytest.fixture
async def admin_key(db_urls: dict[str, str]) -> str:
    return await issue_key(db_urls["gateway"], "test-admin", ["admin"])
