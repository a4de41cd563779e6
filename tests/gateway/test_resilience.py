"""Limits and upstream failures at the gateway, each answered as problem+json."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from gateway.config import GatewaySettings
from gateway.main import create_app
from gateway.passthrough import PassthroughPool
from gateway.upstream import CircuitBreaker
from shared.errors import UpstreamTimeout
from shared.testing.plugin import ServerThread, app_client, free_port
from tests.conftest import issue_key
from tests.gateway.test_proxy import bearer


class BlackHole:
    """A TCP peer that accepts connections and never answers: a hung upstream."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    hole = BlackHole()
    yield hole
    hole.close()


async def test_rate_limit_gives_429_with_retry_after(
    gateway_settings: GatewaySettings, db_urls: dict[str, str]
) -> None:
    settings = gateway_settings.model_copy(update={"rate_limit_burst": 3, "rate_limit_per_minute": 6})
    key = await issue_key(db_urls["gateway"], "chatty", ["complaints:read"])
    async with app_client(create_app(settings, configure_logs=False)) as client:
        statuses = [
            (await client.get("/api/v1/complaints", headers=bearer(key))).status_code for _ in range(4)
        ]
        limited = await client.get("/api/v1/complaints", headers=bearer(key))
    assert statuses == [200, 200, 200, 429]
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["code"] == "rate_limited"
    assert int(limited.headers["retry-after"]) >= 1


async def test_rate_limit_is_per_client(gateway_settings: GatewaySettings, db_urls: dict[str, str]) -> None:
    settings = gateway_settings.model_copy(update={"rate_limit_burst": 1, "rate_limit_per_minute": 1})
    first = await issue_key(db_urls["gateway"], "first", ["complaints:read"])
    second = await issue_key(db_urls["gateway"], "second", ["complaints:read"])
    async with app_client(create_app(settings, configure_logs=False)) as client:
        assert (await client.get("/api/v1/complaints", headers=bearer(first))).status_code == 200
        assert (await client.get("/api/v1/complaints", headers=bearer(first))).status_code == 429
        assert (await client.get("/api/v1/complaints", headers=bearer(second))).status_code == 200


async def test_body_over_the_cap_is_413(gateway_settings: GatewaySettings, admin_key: str) -> None:
    settings = gateway_settings.model_copy(update={"max_body_bytes": 1024})
    async with app_client(create_app(settings, configure_logs=False)) as client:
        declared = await client.post("/api/v1/complaints", headers=bearer(admin_key), content=b"x" * 2048)

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(4):
                yield b"y" * 512

        streamed = await client.post("/api/v1/complaints", headers=bearer(admin_key), content=chunks())
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "payload_too_large"


async def test_upstream_down_gives_502_then_503_and_recovers(
    gateway_settings: GatewaySettings, admin_key: str, databases: dict[str, str]
) -> None:
    from complaints.main import create_app as create_complaints_app
    from tests.conftest import complaints_settings

    port = free_port()
    upstream = ServerThread(
        create_complaints_app(complaints_settings(databases["complaints"]), configure_logs=False), port
    )
    settings = gateway_settings.model_copy(
        update={"complaints_url": f"http://127.0.0.1:{port}", "circuit_failure_threshold": 2}
    )
    async with app_client(create_app(settings, configure_logs=False)) as client:
        down = [await client.get("/api/v1/complaints", headers=bearer(admin_key)) for _ in range(3)]
        assert [r.status_code for r in down] == [502, 502, 503]
        assert down[0].json()["code"] == "upstream_unreachable"
        assert down[2].json()["code"] == "upstream_unavailable"
        assert int(down[2].headers["retry-after"]) >= 1
        assert all(r.headers["content-type"] == "application/problem+json" for r in down)

        upstream.start()
        try:
            await asyncio.sleep(settings.circuit_open_seconds + 0.2)  # let the circuit half-open
            back = await client.get("/api/v1/complaints", headers=bearer(admin_key))
            assert back.status_code == 200
        finally:
            upstream.stop()


async def test_hung_upstream_gives_504(
    gateway_settings: GatewaySettings, admin_key: str, black_hole: BlackHole
) -> None:
    settings = gateway_settings.model_copy(
        update={"wages_url": black_hole.url, "upstream_timeout_seconds": 0.5}
    )
    async with app_client(create_app(settings, configure_logs=False)) as client:
        response = await client.get("/api/v1/wages/employers", headers=bearer(admin_key))
    assert response.status_code == 504
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "upstream_timeout"


async def test_readyz_reports_each_upstream(
    gateway_settings: GatewaySettings, gateway_client: httpx.AsyncClient
) -> None:
    ready = await gateway_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {
        "database": "ok",
        "complaints": "ok",
        "wages": "ok",
        "credit": "ok",
    }
    settings = gateway_settings.model_copy(update={"credit_url": f"http://127.0.0.1:{free_port()}"})
    async with app_client(create_app(settings, configure_logs=False)) as client:
        not_ready = await client.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.headers["content-type"] == "application/problem+json"
    assert not_ready.json()["checks"]["credit"].startswith("error")
    assert not_ready.json()["checks"]["complaints"] == "ok"


async def test_payroll_path_has_its_own_larger_cap(gateway_settings: GatewaySettings, admin_key: str) -> None:
    settings = gateway_settings.model_copy(
        update={"max_body_bytes": 1024, "body_limit_overrides": {"/api/v1/wages/payrolls": 8192}}
    )
    async with app_client(create_app(settings, configure_logs=False)) as client:
        body = b'{"uscc": "x", "period": "2026-10", "lines": []}'.ljust(4096)
        ledger = await client.post(
            "/api/v1/wages/payrolls",
            headers={**bearer(admin_key), "Content-Type": "application/json"},
            content=body,
        )
        elsewhere = await client.post("/api/v1/complaints", headers=bearer(admin_key), content=body)
        too_big = await client.post("/api/v1/wages/payrolls", headers=bearer(admin_key), content=b"x" * 9000)
    assert ledger.status_code != 413  # reached the wages service, which judges the content
    assert elsewhere.status_code == 413
    assert too_big.status_code == 413


async def test_each_upstream_exchange_times_out_at_its_own_deadline(black_hole: BlackHole) -> None:
    """One timer watches a pool's exchanges (PassthroughPool._watch): a second exchange started
    while the first is pending is timed out at its own deadline, not at the first one's."""
    pool = PassthroughPool(
        "hole",
        black_hole.url,
        connect_timeout=1.0,
        total_timeout=0.6,
        max_connections=4,
        breaker=CircuitBreaker(3, 10),
    )

    async def exchange(delay: float) -> float:
        await asyncio.sleep(delay)
        started = time.monotonic()
        with pytest.raises(UpstreamTimeout):
            await pool.request(b"GET", b"/x", [], b"")
        return time.monotonic() - started

    try:
        first, second = await asyncio.gather(exchange(0), exchange(0.3))
    finally:
        await pool.close()
    # Neither cut short by the other's deadline (a lower bound: a slow machine only adds).
    assert first >= 0.55 and second >= 0.55
