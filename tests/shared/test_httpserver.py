"""shared.httpserver: a response's head leaves with its first body chunk, in one write, and
nothing else about the exchange changes (HEAD, 100 Continue, streaming, a failing app)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, StreamingResponse
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from shared.httpserver import HttpProtocol
from shared.testing.plugin import ServerThread


class Recorder(asyncio.Transport):
    """The socket side: what the protocol wrote, call by call."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def _stream() -> AsyncIterator[bytes]:
    for part in (b"one,", b"two,", b"three"):
        yield part


def _app() -> FastAPI:
    app = FastAPI()

    @app.api_route("/plain", methods=["GET", "HEAD"])
    async def plain() -> PlainTextResponse:
        return PlainTextResponse("hello")

    @app.post("/echo")
    async def echo(request: Request) -> PlainTextResponse:
        return PlainTextResponse(await request.body())

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        return StreamingResponse(_stream(), media_type="text/plain")

    return app


async def _broken(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]})
    raise RuntimeError("failed after the head")


async def _exchange(protocol_class: type[HttpToolsProtocol], app: Any, *requests: bytes) -> Recorder:
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", http=protocol_class)
    config.load()
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={})
    transport = Recorder()
    protocol.connection_made(transport)
    for request in requests:
        protocol.data_received(request)
        for _ in range(200):
            await asyncio.sleep(0.005)
            if protocol.cycle is not None and (protocol.cycle.response_complete or transport.closed):
                break
    protocol.connection_lost(None)
    return transport


GET = b"GET /plain HTTP/1.1\r\nHost: t\r\n\r\n"


@pytest.mark.parametrize(("protocol", "writes"), [(HttpToolsProtocol, 2), (HttpProtocol, 1)])
async def test_a_response_is_one_write_instead_of_two(protocol: type[HttpToolsProtocol], writes: int) -> None:
    transport = await _exchange(protocol, _app(), GET)
    assert len(transport.writes) == writes
    response = b"".join(transport.writes)
    assert response.startswith(b"HTTP/1.1 200 OK\r\n") and response.endswith(b"\r\n\r\nhello")


async def test_keep_alive_requests_each_get_their_own_single_write() -> None:
    transport = await _exchange(HttpProtocol, _app(), GET, GET)
    assert len(transport.writes) == 2
    assert all(w.startswith(b"HTTP/1.1 200") and w.endswith(b"hello") for w in transport.writes)


async def test_a_head_response_is_written_at_once() -> None:
    transport = await _exchange(HttpProtocol, _app(), b"HEAD /plain HTTP/1.1\r\nHost: t\r\n\r\n")
    assert len(transport.writes) == 1
    assert transport.writes[0].startswith(b"HTTP/1.1 200") and transport.writes[0].endswith(b"\r\n\r\n")


async def test_100_continue_is_not_held_back() -> None:
    transport = await _exchange(
        HttpProtocol,
        _app(),
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n",
        b"abc",
    )
    assert transport.writes[0] == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert len(transport.writes) == 2 and transport.writes[1].endswith(b"\r\n\r\nabc")


async def test_a_streamed_body_sends_its_head_with_the_first_chunk() -> None:
    transport = await _exchange(HttpProtocol, _app(), b"GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
    first = transport.writes[0]
    assert first.startswith(b"HTTP/1.1 200") and b"transfer-encoding: chunked" in first
    assert first.endswith(b"\r\n\r\n4\r\none,\r\n")
    assert b"".join(transport.writes).endswith(b"5\r\nthree\r\n0\r\n\r\n")


async def test_an_app_failing_after_the_head_still_sends_it_before_closing() -> None:
    transport = await _exchange(HttpProtocol, _broken, GET)
    assert transport.closed
    assert len(transport.writes) == 1 and transport.writes[0].startswith(b"HTTP/1.1 200")


async def test_a_real_server_answers_through_it() -> None:
    server = ServerThread(_app()).start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            assert (await client.get("/plain")).text == "hello"
            assert (await client.post("/echo", content=b"x" * 100_000)).content == b"x" * 100_000
            assert (await client.get("/stream")).text == "one,two,three"
            head = await client.head("/plain")
            assert head.status_code == 200 and head.content == b""
        # A raw exchange: status line, headers and body arrive as one HTTP message.
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(GET)
            received = b""
            while not received.endswith(b"hello"):
                chunk = sock.recv(65536)
                assert chunk
                received += chunk
        assert received.startswith(b"HTTP/1.1 200 OK\r\n")
    finally:
        server.stop()
