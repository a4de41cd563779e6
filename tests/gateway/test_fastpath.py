"""The proxy's fast path (gateway.fastpath, gateway.passthrough) against a scripted upstream.

The upstream here is a fake HTTP peer, like test_resilience's BlackHole: it answers the way
an HTTP/1.1 server may (chunked, until close, large, echoing what it received) so that the
gateway's own client is exercised on each of them. The gateway runs as a real uvicorn server
(uvloop) as well as in process.
"""

from __future__ import annotations

import asyncio
import json
import socket
import socketserver
import threading
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from gateway.config import GatewaySettings
from gateway.main import create_app
from shared.testing.plugin import ServerThread, app_client
from tests.conftest import issue_key
from tests.gateway.test_proxy import bearer

BIG = 3 * 1024 * 1024 + 17  # over the 1 MiB buffering limit: streamed through


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        while True:
            request_line = self.rfile.readline()
            if not request_line:
                return
            headers: list[tuple[str, str]] = []
            while (line := self.rfile.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                headers.append((name.strip().lower(), value.strip()))
            length = int(dict(headers).get("content-length", "0"))
            body = self.rfile.read(length) if length else b""
            method, target, _ = request_line.decode("latin-1").split(" ", 2)
            if not self._answer(method, target, headers, body):
                return

    def _answer(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> bool:
        write = self.wfile.write
        if target.startswith("/api/v1/credit/chunked"):
            write(b"HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\n")
            write(b"transfer-encoding: chunked\r\nx-upstream: chunked\r\n\r\n")
            sent = 0
            while sent < BIG:
                piece = bytes([65 + sent // 65536 % 26]) * min(65536, BIG - sent)
                write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                sent += len(piece)
            write(b"0\r\n\r\n")
            return True
        if target.startswith("/api/v1/credit/until-close"):
            write(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n")
            write(b"z" * BIG)
            return False
        if target.startswith("/api/v1/credit/interim"):
            payload = b'{"after": "100"}'
            write(b"HTTP/1.1 100 Continue\r\n\r\n")
            write(b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n")
            write(f"content-length: {len(payload)}\r\n\r\n".encode() + payload)
            return True
        echo = json.dumps(
            {"method": method, "target": target, "headers": headers, "body": body.decode("latin-1")}
        ).encode()
        write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: upstream-own\r\n")
        write(f"content-length: {len(echo)}\r\nx-peer: {self.client_address[1]}\r\n\r\n".encode() + echo)
        return True


class FakeUpstream(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.shutdown()
        self.server_close()


@pytest.fixture
def fake_upstream() -> Iterator[FakeUpstream]:
    server = FakeUpstream()
    yield server
    server.close()


@pytest.fixture
async def fast_client(
    gateway_settings: GatewaySettings, fake_upstream: FakeUpstream
) -> AsyncIterator[httpx.AsyncClient]:
    settings = gateway_settings.model_copy(update={"credit_url": fake_upstream.url})
    async with app_client(create_app(settings, configure_logs=False)) as client:
        yield client


async def test_forwarded_request_is_what_the_service_expects(
    fast_client: httpx.AsyncClient, admin_key: str
) -> None:
    response = await fast_client.post(
        "/api/v1/credit/echo/a%2Fb%20c?x=1&y=%E4%B8%AD",
        headers={
            **bearer(admin_key),
            "X-Request-ID": "rid-42",
            "X-Gateway-Identity": "forged",
            "X-Forwarded-For": "6.6.6.6",
            "X-Custom": "kept",
            "Content-Type": "application/json",
        },
        content=b'{"subjects": []}',
    )
    assert response.status_code == 200
    echo = response.json()
    assert echo["method"] == "POST"
    assert echo["target"] == "/api/v1/credit/echo/a%2Fb%20c?x=1&y=%E4%B8%AD"
    assert echo["body"] == '{"subjects": []}'
    names = [name for name, _ in echo["headers"]]
    headers = dict(echo["headers"])
    assert "authorization" not in names
    assert names.count("x-gateway-identity") == 1 and headers["x-gateway-identity"] != "forged"
    assert headers["x-request-id"] == "rid-42"
    assert headers["x-forwarded-for"] != "6.6.6.6"
    assert headers["x-custom"] == "kept"
    assert headers["content-length"] == str(len('{"subjects": []}'))
    assert headers["host"].startswith("127.0.0.1:")  # the upstream's, not the gateway's
    # The service's own request id is not passed back; the gateway's is, once.
    assert response.headers.get_list("x-request-id") == ["rid-42"]
    assert response.headers["content-type"] == "application/json"


async def test_large_chunked_answer_is_streamed_whole(fast_client: httpx.AsyncClient, admin_key: str) -> None:
    response = await fast_client.get("/api/v1/credit/chunked", headers=bearer(admin_key))
    assert response.status_code == 200
    assert len(response.content) == BIG
    assert response.content[:1] == b"A" and response.content[-1:] == bytes([65 + (BIG - 1) // 65536 % 26])
    assert response.headers["x-upstream"] == "chunked"
    assert "x-request-id" in response.headers
    # The connection went back to the pool: the next call is answered too.
    again = await fast_client.get("/api/v1/credit/echo", headers=bearer(admin_key))
    assert again.status_code == 200


async def test_answer_delimited_by_close_and_interim_answers(
    fast_client: httpx.AsyncClient, admin_key: str
) -> None:
    until_close = await fast_client.get("/api/v1/credit/until-close", headers=bearer(admin_key))
    assert until_close.status_code == 200
    assert until_close.content == b"z" * BIG
    interim = await fast_client.post("/api/v1/credit/interim", headers=bearer(admin_key), content=b"{}")
    assert interim.status_code == 201
    assert interim.json() == {"after": "100"}


async def test_connections_are_kept_alive_and_reused(
    gateway_settings: GatewaySettings, fake_upstream: FakeUpstream, db_urls: dict[str, str]
) -> None:
    """Through a real uvicorn server (uvloop transports), sequential calls share one upstream
    connection; concurrent ones each get one."""
    key = await issue_key(db_urls["gateway"], "reuse", ["credit:check"])
    settings = gateway_settings.model_copy(update={"credit_url": fake_upstream.url})
    server = ServerThread(create_app(settings, configure_logs=False))
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, headers=bearer(key)) as client:
            sequential = [await client.get("/api/v1/credit/echo") for _ in range(5)]
            assert {r.status_code for r in sequential} == {200}
            assert len({r.headers["x-peer"] for r in sequential}) == 1
            rids = {r.headers["x-request-id"] for r in sequential}
            assert len(rids) == 5 and all(len(r) == 32 for r in rids)
            concurrent = await asyncio.gather(*(client.get("/api/v1/credit/echo") for _ in range(8)))
            assert {r.status_code for r in concurrent} == {200}
            public = await client.get("/api/v1/public/echo", headers={"Authorization": ""})
            assert public.status_code == 200
            assert dict(public.json()["headers"])["x-gateway-identity"]
            missing = await client.get("/api/v1/credit/echo", headers={"Authorization": ""})
            assert missing.status_code == 401
            assert missing.headers["content-type"] == "application/problem+json"
            assert missing.json()["request_id"] == missing.headers["x-request-id"]
    finally:
        server.stop()


async def test_upstream_closing_a_pooled_connection_is_retried_on_a_fresh_one(
    gateway_settings: GatewaySettings, admin_key: str
) -> None:
    """A server that answers once per connection, then drops the next request unanswered
    (what a keep-alive timeout does when it fires as the request arrives)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok")
                conn.recv(65536)

    threading.Thread(target=serve, daemon=True).start()
    settings = gateway_settings.model_copy(update={"credit_url": f"http://127.0.0.1:{port}"})
    try:
        async with app_client(create_app(settings, configure_logs=False)) as client:
            answers = [await client.get("/api/v1/credit/x", headers=bearer(admin_key)) for _ in range(4)]
    finally:
        listener.close()
    assert [(r.status_code, r.text) for r in answers] == [(200, "ok")] * 4
