"""The proxy's fast path (gateway.fastpath, gateway.passthrough, gateway.fastserver) against a
scripted upstream.

The upstream here is a fake HTTP peer, like test_resilience's BlackHole: it answers the way
an HTTP/1.1 server may (chunked, until close, large, echoing what it received) so that the
gateway's own client is exercised on each of them. The gateway runs both ways it can be served:
as a real server on its own protocol (gateway.fastserver, what `python -m gateway` runs), and
in process as an ASGI app (the fast path's ASGI form, which the protocol leaves pipelined
requests to); the HTTP details only a server has (pipelining, 100-continue, HTTP/1.0, a proxy
in front) are tested on raw sockets.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
import socketserver
import threading
import time
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from gateway import fastpath
from gateway.config import GatewaySettings
from gateway.fastserver import FastCycle
from gateway.main import create_app
from shared.logging import JsonFormatter
from shared.testing.plugin import ServerThread, app_client
from tests.conftest import GATEWAY_PROTOCOL, issue_key, served_gateway
from tests.gateway.test_proxy import bearer

BIG = 3 * 1024 * 1024 + 17  # over the 1 MiB buffering limit: streamed through
# Under the buffering limit, over the high-water mark at which a streamed answer pauses reading.
SIZED = 600_000


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
        if target.startswith("/api/v1/credit/cut"):
            # A chunked answer whose upstream dies after the first piece (over the buffering limit).
            write(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n")
            write(b"%x\r\n%b\r\n" % (BIG, b"c" * BIG))
            return False
        if target.startswith("/api/v1/credit/sized"):
            write(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n")
            write(f"content-length: {SIZED}\r\n\r\n".encode() + b"s" * SIZED)
            return True
        if target.startswith("/api/v1/credit/not-modified"):
            write(b'HTTP/1.1 304 Not Modified\r\netag: "v1"\r\ncache-control: max-age=60\r\n\r\n')
            return True
        if target.startswith("/api/v1/credit/no-content"):
            write(b"HTTP/1.1 204 No Content\r\nx-upstream: none\r\n\r\n")
            return True
        if target.startswith("/api/v1/credit/hang"):
            time.sleep(2)  # past the gateway's timeout in the test that asks for it
            return False
        if target.startswith("/api/v1/credit/broken"):
            write(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 10\r\n\r\nabc")
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


class AsgiExchanges:
    """Counts the requests the fast path answered through an ASGI cycle."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = fastpath._AsgiExchange

        def counted(*args: Any) -> Any:
            self.count += 1
            return original(*args)

        monkeypatch.setattr(fastpath, "_AsgiExchange", counted)


@pytest.fixture
def asgi_exchanges(monkeypatch: pytest.MonkeyPatch) -> AsgiExchanges:
    return AsgiExchanges(monkeypatch)


class CallbackTakes:
    """Counts the requests the protocol answered from its callbacks, without a task
    (ProxyFastPath.try_now took them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = fastpath.ProxyFastPath.try_now

        def counted(fast: fastpath.ProxyFastPath, *args: Any) -> bool:
            taken = original(fast, *args)
            self.count += taken
            return taken

        monkeypatch.setattr(fastpath.ProxyFastPath, "try_now", counted)


@pytest.fixture
def callback_takes(monkeypatch: pytest.MonkeyPatch) -> CallbackTakes:
    return CallbackTakes(monkeypatch)


@pytest.fixture
def gateway_server(gateway_settings: GatewaySettings, fake_upstream: FakeUpstream) -> Iterator[ServerThread]:
    settings = gateway_settings.model_copy(update={"credit_url": fake_upstream.url})
    server = ServerThread(create_app(settings, configure_logs=False), http=GATEWAY_PROTOCOL)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cached_server(gateway_settings: GatewaySettings, fake_upstream: FakeUpstream) -> Iterator[ServerThread]:
    """The gateway server with its API-key cache on (the tests' settings turn it off)."""
    settings = gateway_settings.model_copy(update={"credit_url": fake_upstream.url, "auth_cache_seconds": 60})
    server = ServerThread(create_app(settings, configure_logs=False), http=GATEWAY_PROTOCOL)
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["protocol", "asgi"])
async def fast_client(
    request: pytest.FixtureRequest,
    gateway_settings: GatewaySettings,
    fake_upstream: FakeUpstream,
    asgi_exchanges: AsgiExchanges,
) -> AsyncIterator[httpx.AsyncClient]:
    # The key cache on: served by the protocol, every request after the first is taken on the
    # callback path (ProxyFastPath.try_now) when a pooled connection is idle.
    settings = gateway_settings.model_copy(update={"credit_url": fake_upstream.url, "auth_cache_seconds": 60})
    if request.param == "asgi":
        async with app_client(create_app(settings, configure_logs=False)) as client:
            yield client
        assert asgi_exchanges.count > 0
        return
    async with served_gateway(create_app(settings, configure_logs=False)) as client:
        yield client
    # Served by the protocol itself, never by the ASGI app's form of the fast path.
    assert asgi_exchanges.count == 0


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
    # On the real server the sender (127.0.0.1) is a trusted proxy, as uvicorn trusts by default:
    # the address it forwarded is the caller's. In process nothing is trusted: the sender's own.
    served = fast_client.base_url.host == "127.0.0.1"
    assert headers["x-forwarded-for"] == ("6.6.6.6" if served else "127.0.0.1")
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


async def test_answer_over_the_high_water_mark_is_buffered_whole(
    fast_client: httpx.AsyncClient, admin_key: str
) -> None:
    """An answer with a Content-Length under the buffering limit is read whole before it is
    passed on, however far past the mark at which a streamed one pauses reading (twice: the
    second on the callback path when served by the protocol)."""
    for _ in range(2):
        response = await fast_client.get("/api/v1/credit/sized", headers=bearer(admin_key))
        assert response.status_code == 200
        assert response.headers["content-length"] == str(SIZED)
        assert response.content == b"s" * SIZED


async def test_answer_delimited_by_close_and_interim_answers(
    fast_client: httpx.AsyncClient, admin_key: str
) -> None:
    until_close = await fast_client.get("/api/v1/credit/until-close", headers=bearer(admin_key))
    assert until_close.status_code == 200
    assert until_close.content == b"z" * BIG
    # Leaves a pooled connection idle, on which the callback path sends the next request.
    assert (await fast_client.get("/api/v1/credit/echo", headers=bearer(admin_key))).status_code == 200
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
    gateway_settings: GatewaySettings, admin_key: str, callback_takes: CallbackTakes
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
        # Served by the protocol: after the first, each is sent from the callbacks on the pooled
        # connection, which the upstream closes unanswered: sent again, on a fresh one.
        cached = settings.model_copy(update={"auth_cache_seconds": 60})
        async with served_gateway(create_app(cached, configure_logs=False)) as client:
            served = [await client.get("/api/v1/credit/x", headers=bearer(admin_key)) for _ in range(4)]
    finally:
        listener.close()
    assert [(r.status_code, r.text) for r in answers] == [(200, "ok")] * 4
    assert [(r.status_code, r.text) for r in served] == [(200, "ok")] * 4
    assert callback_takes.count == 3


# --- the callback path: requests answered without a task -------------------------------------


async def test_a_known_key_is_answered_from_the_callbacks(
    cached_server: ServerThread, admin_key: str, callback_takes: CallbackTakes
) -> None:
    """Once its key is in the cache and a pooled connection is idle, a request is sent and
    answered from the protocol's callbacks, with everything the waiting way adds."""
    async with httpx.AsyncClient(base_url=cached_server.url, headers=bearer(admin_key)) as client:
        first = await client.get("/api/v1/credit/echo")
        assert first.status_code == 200
        assert callback_takes.count == 0  # the key was looked up: the waiting way
        response = await client.post(
            "/api/v1/credit/echo?x=1",
            headers={"X-Request-ID": "rid-7", "X-Gateway-Identity": "forged", "X-Custom": "kept"},
            content=b'{"subjects": ["a"]}',
        )
        assert callback_takes.count == 1
        assert response.status_code == 200
        echo = response.json()
        headers = dict(echo["headers"])
        assert echo["method"] == "POST" and echo["target"] == "/api/v1/credit/echo?x=1"
        assert echo["body"] == '{"subjects": ["a"]}'
        assert headers["content-length"] == str(len(echo["body"]))
        assert headers["x-gateway-identity"] not in ("", "forged")
        assert headers["x-gateway-identity"] == dict(first.json()["headers"])["x-gateway-identity"]
        assert headers["x-request-id"] == "rid-7" and headers["x-custom"] == "kept"
        assert headers["x-forwarded-for"] == "127.0.0.1"
        assert "authorization" not in headers
        assert response.headers.get_list("x-request-id") == ["rid-7"]
        assert response.headers["x-peer"] == first.headers["x-peer"]  # the pooled connection
        # A GET's body is not forwarded, as the waiting way does not forward it.
        get = await client.request("GET", "/api/v1/credit/echo", content=b"dropped")
        assert get.json()["body"] == "" and "content-length" not in dict(get.json()["headers"])
        assert callback_takes.count == 2
        # A public area needs no key: taken at once too.
        public = await client.get("/api/v1/public/echo", headers={"Authorization": ""})
        assert public.status_code == 200 and callback_takes.count == 3
        # A wrong key is not in the cache: refused the waiting way.
        wrong = await client.get("/api/v1/credit/echo", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and callback_takes.count == 3


async def test_callback_path_stops_taking_a_revoked_key_when_its_cache_entry_expires(
    gateway_settings: GatewaySettings,
    fake_upstream: FakeUpstream,
    db_urls: dict[str, str],
    callback_takes: CallbackTakes,
) -> None:
    from gateway.clients import service as client_service
    from shared.db import Database

    key = await issue_key(db_urls["gateway"], "revoked-soon", ["credit:check"])
    settings = gateway_settings.model_copy(update={"credit_url": fake_upstream.url, "auth_cache_seconds": 1})
    async with served_gateway(create_app(settings, configure_logs=False)) as client:
        client.headers.update(bearer(key))
        assert [(await client.get("/api/v1/credit/echo")).status_code for _ in range(3)] == [200] * 3
        assert callback_takes.count == 2
        database = Database(db_urls["gateway"])
        async with database.sessionmaker() as session, session.begin():
            await client_service.revoke_client(session, "revoked-soon")
        await database.dispose()
        await asyncio.sleep(1.1)
        refused = await client.get("/api/v1/credit/echo")
        assert refused.status_code == 401 and refused.json()["code"] == "invalid_api_key"
        assert (await client.get("/api/v1/credit/echo")).status_code == 401
        assert callback_takes.count == 2


async def test_callback_path_failing_is_an_answer_not_invalid_http(
    cached_server: ServerThread, admin_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault of the callback path before it admits a request leaves the request to the
    waiting way; after, it is answered as the waiting way answers an unexpected error."""
    from gateway.authn import Authenticator
    from gateway.passthrough import PassthroughPool

    def broken(*args: Any) -> Any:
        raise RuntimeError("boom")

    async with httpx.AsyncClient(base_url=cached_server.url, headers=bearer(admin_key)) as client:
        assert (await client.get("/api/v1/credit/echo")).status_code == 200
        with monkeypatch.context() as patch:
            patch.setattr(Authenticator, "cached", broken)
            assert (await client.get("/api/v1/credit/echo")).status_code == 200
        with monkeypatch.context() as patch:
            patch.setattr(PassthroughPool, "send_now", broken)
            failed = await client.get("/api/v1/credit/echo", headers={"X-Request-ID": "rid-boom"})
        assert failed.status_code == 500
        assert failed.json()["code"] == "internal_error" and failed.json()["request_id"] == "rid-boom"
        assert (await client.get("/api/v1/credit/echo")).status_code == 200


async def test_callback_path_access_lines_carry_their_request_ids(
    cached_server: ServerThread, admin_key: str, callback_takes: CallbackTakes
) -> None:
    """Answered from the upstream connection's callbacks, whose context is not the request's:
    each access line still names its own request."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter("test"))
    access = logging.getLogger("access")
    old_level = access.level
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        async with httpx.AsyncClient(base_url=cached_server.url, headers=bearer(admin_key)) as client:
            for rid in ("rid-a", "rid-b", "rid-c"):
                response = await client.get("/api/v1/credit/echo", headers={"X-Request-ID": rid})
                assert response.status_code == 200
    finally:
        access.removeHandler(handler)
        access.setLevel(old_level)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert [(line["request_id"], line["status"]) for line in lines] == [
        ("rid-a", 200),
        ("rid-b", 200),
        ("rid-c", 200),
    ]
    assert callback_takes.count == 2


async def test_answers_without_a_body_are_answered_without_one(
    fast_client: httpx.AsyncClient, admin_key: str
) -> None:
    """A 304 or 204 carries no Content-Length and no body: it is passed on as such, and the
    connection goes on with the next answer (twice each: the second on the callback path when
    served by the protocol)."""
    for _ in range(2):
        not_modified = await fast_client.get("/api/v1/credit/not-modified", headers=bearer(admin_key))
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified.headers["etag"] == '"v1"'
        no_content = await fast_client.delete("/api/v1/credit/no-content", headers=bearer(admin_key))
        assert no_content.status_code == 204 and no_content.content == b""
        assert no_content.headers["x-upstream"] == "none"
        echo = await fast_client.get("/api/v1/credit/echo", headers=bearer(admin_key))
        assert echo.status_code == 200 and echo.json()["method"] == "GET"


async def test_callback_path_answers_without_a_body_what_has_none(
    cached_server: ServerThread, admin_key: str, callback_takes: CallbackTakes
) -> None:
    async with httpx.AsyncClient(base_url=cached_server.url, headers=bearer(admin_key)) as client:
        assert (await client.get("/api/v1/credit/echo")).status_code == 200
        for _ in range(2):
            not_modified = await client.get("/api/v1/credit/not-modified")
            assert not_modified.status_code == 304 and not_modified.content == b""
            no_content = await client.delete("/api/v1/credit/no-content")
            assert no_content.status_code == 204 and no_content.content == b""
            assert (await client.get("/api/v1/credit/echo")).status_code == 200
    assert callback_takes.count == 6


async def test_callback_path_streams_what_it_cannot_buffer(
    cached_server: ServerThread, admin_key: str, callback_takes: CallbackTakes
) -> None:
    async with httpx.AsyncClient(base_url=cached_server.url, headers=bearer(admin_key)) as client:
        assert (await client.get("/api/v1/credit/echo")).status_code == 200
        chunked = await client.get("/api/v1/credit/chunked")
        assert chunked.status_code == 200 and len(chunked.content) == BIG
        assert chunked.content[-1:] == bytes([65 + (BIG - 1) // 65536 % 26])
        until_close = await client.get("/api/v1/credit/until-close")
        assert until_close.content == b"z" * BIG
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/api/v1/credit/cut")
        assert (await client.get("/api/v1/credit/echo")).status_code == 200
    assert callback_takes.count == 4


async def test_callback_path_answers_a_timeout_and_a_broken_answer(
    gateway_settings: GatewaySettings,
    fake_upstream: FakeUpstream,
    admin_key: str,
    callback_takes: CallbackTakes,
) -> None:
    settings = gateway_settings.model_copy(
        update={"credit_url": fake_upstream.url, "upstream_timeout_seconds": 0.5, "auth_cache_seconds": 60}
    )
    async with served_gateway(create_app(settings, configure_logs=False)) as client:
        client.headers.update(bearer(admin_key))
        assert (await client.get("/api/v1/credit/echo")).status_code == 200
        hung = await client.get("/api/v1/credit/hang", headers={"X-Request-ID": "rid-hang"})
        assert hung.status_code == 504
        assert hung.headers["content-type"] == "application/problem+json"
        assert hung.json()["code"] == "upstream_timeout" and hung.json()["request_id"] == "rid-hang"
        assert (await client.get("/api/v1/credit/echo")).status_code == 200
        broken = await client.get("/api/v1/credit/broken")
        assert broken.status_code == 502 and broken.json()["code"] == "upstream_unreachable"
        assert broken.headers["x-request-id"] == broken.json()["request_id"]
        assert (await client.get("/api/v1/credit/echo")).status_code == 200
    assert callback_takes.count == 4


async def test_answer_cut_short_upstream_closes_the_connection(
    gateway_server: ServerThread, admin_key: str
) -> None:
    """The status line is out when the upstream dies: the client sees an unfinished answer,
    not a complete-looking one, and the gateway goes on serving."""
    async with httpx.AsyncClient(base_url=gateway_server.url, headers=bearer(admin_key)) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/api/v1/credit/cut")
        again = await client.get("/api/v1/credit/echo")
        assert again.status_code == 200


# --- HTTP on the gateway's own protocol, over raw sockets -------------------------------------


def _read_answer(sock: socket.socket, buffered: bytes = b"") -> tuple[bytes, dict[str, str], bytes, bytes]:
    """One answer with a Content-Length: (status line, headers, body, what followed it)."""
    data = buffered
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status, *lines = head.split(b"\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers["content-length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk
        rest += chunk
    return status, headers, rest[:length], rest[length:]


def _connect(server: ServerThread) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock


def _request(
    key: str, method: str, target: str, body: bytes = b"", *extra: str, version: str = "1.1"
) -> bytes:
    """A request; a POST gets a Content-Length unless ``extra`` sets the body's framing."""
    lines = [f"{method} {target} HTTP/{version}", "Host: gateway", f"Authorization: Bearer {key}", *extra]
    framed = any(line.lower().startswith(("content-length:", "transfer-encoding:")) for line in extra)
    if (body or method == "POST") and not framed:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_a_small_body_after_its_headers_is_waited_for_and_a_large_one_read_the_waiting_way(
    cached_server: ServerThread, admin_key: str, callback_takes: CallbackTakes
) -> None:
    """Clients often write a body after its headers: a small one is waited for and the
    request taken from the callbacks; a large one (or one of unknown length) goes the waiting
    way, which reads it as it comes."""
    small = b'{"subjects": ["x"]}'
    large = b"y" * (70 * 1024)
    with _connect(cached_server) as sock:
        sock.sendall(_request(admin_key, "GET", "/api/v1/credit/echo"))
        assert _read_answer(sock)[0] == b"HTTP/1.1 200 OK"
        for body in (small, large):
            sock.sendall(
                _request(admin_key, "POST", "/api/v1/credit/echo", b"", f"Content-Length: {len(body)}")
            )
            time.sleep(0.2)
            sock.sendall(body[:10])
            time.sleep(0.2)
            sock.sendall(body[10:])
            status, _, answer, _ = _read_answer(sock)
            assert status == b"HTTP/1.1 200 OK"
            assert json.loads(answer)["body"] == body.decode()
            assert callback_takes.count == 1
        # A client gone before the rest of a small body: the gateway goes on serving.
        with _connect(cached_server) as gone:
            gone.sendall(
                _request(admin_key, "POST", "/api/v1/credit/echo", b"", "Content-Length: 100") + b"abc"
            )
        sock.sendall(_request(admin_key, "GET", "/api/v1/credit/echo"))
        assert _read_answer(sock)[0] == b"HTTP/1.1 200 OK"
        assert callback_takes.count == 2


def test_pipelined_requests_are_answered_in_order(
    gateway_server: ServerThread, admin_key: str, asgi_exchanges: AsgiExchanges
) -> None:
    with _connect(gateway_server) as sock:
        sock.sendall(
            _request(admin_key, "GET", "/api/v1/credit/echo?n=1")
            + _request(admin_key, "POST", "/api/v1/credit/echo?n=2", b'{"two": 2}')
            + _request(admin_key, "GET", "/api/v1/credit/echo?n=3")
        )
        rest = b""
        targets = []
        for _ in range(3):
            status, _, body, rest = _read_answer(sock, rest)
            assert status == b"HTTP/1.1 200 OK"
            targets.append(json.loads(body)["target"])
    assert targets == ["/api/v1/credit/echo?n=1", "/api/v1/credit/echo?n=2", "/api/v1/credit/echo?n=3"]
    # The first on the protocol; those that waited behind it through the ASGI app.
    assert asgi_exchanges.count >= 1


def test_expect_100_continue_is_answered_once_the_key_is_accepted(
    gateway_server: ServerThread, admin_key: str
) -> None:
    body = b'{"subjects": ["x"]}'
    with _connect(gateway_server) as sock:
        sock.sendall(
            _request(
                admin_key,
                "POST",
                "/api/v1/credit/echo",
                b"",
                "Expect: 100-continue",
                f"Content-Length: {len(body)}",
            )
        )
        interim = sock.recv(65536)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        status, _, answer, _ = _read_answer(sock)
        assert status == b"HTTP/1.1 200 OK"
        assert json.loads(answer)["body"] == body.decode()
    with _connect(gateway_server) as sock:
        sock.sendall(
            _request(
                "wrong",
                "POST",
                "/api/v1/credit/echo",
                b"",
                "Expect: 100-continue",
                f"Content-Length: {len(body)}",
            )
        )
        status, headers, answer, _ = _read_answer(sock)
        # Refused without asking for the body.
        assert status == b"HTTP/1.1 401 Unauthorized"
        assert headers["content-type"] == "application/problem+json"
        assert json.loads(answer)["code"] == "invalid_api_key"


def test_body_over_the_cap_without_a_length_is_refused(
    gateway_settings: GatewaySettings, fake_upstream: FakeUpstream, admin_key: str
) -> None:
    settings = gateway_settings.model_copy(update={"credit_url": fake_upstream.url, "max_body_bytes": 1000})
    server = ServerThread(create_app(settings, configure_logs=False), http=GATEWAY_PROTOCOL).start()
    try:
        with _connect(server) as sock:
            head = _request(admin_key, "POST", "/api/v1/credit/echo", b"", "Transfer-Encoding: chunked")
            sock.sendall(head + b"400\r\n" + b"x" * 0x400 + b"\r\n")
            status, headers, answer, _ = _read_answer(sock)
            assert status == b"HTTP/1.1 413 Request Entity Too Large"
            problem = json.loads(answer)
            assert problem["code"] == "payload_too_large" and "1000" in problem["detail"]
            assert headers["x-request-id"] == problem["request_id"]
        # Declared too large: refused before any body.
        with _connect(server) as sock:
            sock.sendall(_request(admin_key, "POST", "/api/v1/credit/echo", b"", "Content-Length: 5000"))
            status, _, _, _ = _read_answer(sock)
            assert status == b"HTTP/1.1 413 Request Entity Too Large"
    finally:
        server.stop()


def test_http_1_0_gets_its_answer_and_the_connection_closed(
    gateway_server: ServerThread, admin_key: str
) -> None:
    with _connect(gateway_server) as sock:
        sock.sendall(_request(admin_key, "GET", "/api/v1/credit/echo", version="1.0"))
        status, headers, body, rest = _read_answer(sock)
        assert status == b"HTTP/1.1 200 OK"
        assert headers["connection"] == "close"
        assert json.loads(body)["method"] == "GET"
        assert rest == b"" and sock.recv(100) == b""


def test_client_behind_a_trusted_proxy_is_the_forwarded_address(
    gateway_server: ServerThread, admin_key: str
) -> None:
    """The test server trusts 127.0.0.1 as a proxy (uvicorn's default): the caller's address is
    the one it forwarded, as on the ASGI path through uvicorn's proxy-headers middleware."""
    with _connect(gateway_server) as sock:
        sock.sendall(_request(admin_key, "GET", "/api/v1/public/echo", b"", "X-Forwarded-For: 203.0.113.7"))
        _, _, body, _ = _read_answer(sock)
    assert dict(json.loads(body)["headers"])["x-forwarded-for"] == "203.0.113.7"


def test_client_gone_before_its_body_leaves_the_gateway_serving(
    gateway_server: ServerThread, admin_key: str
) -> None:
    with _connect(gateway_server) as sock:
        sock.sendall(_request(admin_key, "POST", "/api/v1/credit/echo", b"", "Content-Length: 100") + b"abc")
    with _connect(gateway_server) as sock:
        sock.sendall(_request(admin_key, "GET", "/api/v1/credit/echo"))
        status, _, _, _ = _read_answer(sock)
        assert status == b"HTTP/1.1 200 OK"


def test_idle_connections_are_closed_after_the_keep_alive_and_busy_ones_are_not(
    gateway_settings: GatewaySettings, fake_upstream: FakeUpstream, admin_key: str
) -> None:
    """The keep-alive timer is armed once per idle period and checks when it fires
    (GatewayProtocol), instead of being cancelled and armed again for every request."""
    settings = gateway_settings.model_copy(update={"credit_url": fake_upstream.url})
    app = create_app(settings, configure_logs=False)
    server = ServerThread(app, http=GATEWAY_PROTOCOL, timeout_keep_alive=2).start()
    try:
        with _connect(server) as busy, _connect(server) as idle:
            idle.sendall(_request(admin_key, "GET", "/api/v1/credit/echo"))
            assert _read_answer(idle)[0] == b"HTTP/1.1 200 OK"
            # Requests every 0.3 s for twice the keep-alive: the busy connection stays open.
            for _ in range(14):
                busy.sendall(_request(admin_key, "GET", "/api/v1/credit/echo"))
                assert _read_answer(busy)[0] == b"HTTP/1.1 200 OK"
                time.sleep(0.3)
            # The idle one was closed by the server (end of stream, not a timeout).
            idle.settimeout(10)
            assert idle.recv(100) == b""
    finally:
        server.stop()


class _Transport:
    def __init__(self, closing: bool) -> None:
        self.closing = closing
        self.writes: list[bytes] = []

    def is_closing(self) -> bool:
        return self.closing

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closing = True


@pytest.mark.parametrize("closing", [False, True])
async def test_an_answer_goes_out_in_one_write_unless_the_connection_is_closing(closing: bool) -> None:
    """FastCycle.respond: head and body in one write; nothing for a connection closed under
    the exchange (lost while a pipelined request, not this one, was the protocol's cycle)."""
    transport = _Transport(closing)
    completed: list[bool] = []
    protocol = SimpleNamespace(
        transport=transport,
        flow=SimpleNamespace(write_paused=False),
        loop=asyncio.get_running_loop(),
        server_state=SimpleNamespace(default_headers=[(b"date", b"today")]),
        on_response_complete=lambda: completed.append(True),
    )
    # A stand-in with only what FastCycle reads of its protocol, not a GatewayProtocol.
    cycle = FastCycle(protocol, keep_alive=True, expect_100_continue=False)  # type: ignore[arg-type]
    await cycle.respond(200, [(b"content-length", b"2")], b"ok")
    if closing:
        assert transport.writes == [] and completed == [] and not cycle.response_complete
    else:
        assert transport.writes == [b"HTTP/1.1 200 OK\r\ndate: today\r\ncontent-length: 2\r\n\r\nok"]
        assert completed == [True] and cycle.response_complete
