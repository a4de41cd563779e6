"""uvicorn's httptools protocol, writing a response's status line and headers together with the
first piece of its body.

uvicorn writes the head of a response as soon as the app sends ``http.response.start`` and the
body when it sends ``http.response.body``: two ``write`` system calls, and on loopback two
segments the peer's kernel and process each handle, for every response. Held back until the
body comes, the head leaves in the same call (make bench, intake: writes were a fifth of the
complaints process's CPU, a third of them these two per answer; the gateway answers every
proxied request the same way).

Only the head is held, never longer than until the app's next message: a body chunk (even an
empty one) takes it along, and closing the connection writes it first. A ``HEAD`` response,
which has no body to wait for, and ``100 Continue`` (written before the response starts) go out
as before. ``serve`` and the test servers run every process on it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn._types import ASGI3Application
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle


class _HeadWithBody(asyncio.Transport):
    """The transport as one request/response cycle sees it (uvicorn's cycle writes, closes and
    asks whether it is closing)."""

    def __init__(self, transport: asyncio.Transport, cycle: RequestResponseCycle) -> None:
        super().__init__()
        self._transport = transport
        self._cycle = cycle
        self._head: bytes | None = None
        self._before_head = cycle.scope["method"] != "HEAD"

    def write(self, data: bytes | bytearray | memoryview) -> None:
        head = self._head
        if head is not None:
            self._head = None
            self._transport.write(head + data)
            return
        if self._before_head and self._cycle.response_started:
            # The first write once the response has started is its head (uvicorn sets the
            # flag before writing it).
            self._before_head = False
            self._head = bytes(data)
            return
        self._transport.write(data)

    def _flush(self) -> None:
        head, self._head = self._head, None
        if head is not None and not self._transport.is_closing():
            self._transport.write(head)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._head = None
        self._transport.abort()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)


class HttpProtocol(HttpToolsProtocol):
    """``uvicorn.run(..., http="shared.httpserver:HttpProtocol")``."""

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: ASGI3Application) -> None:
        cycle.transport = _HeadWithBody(cycle.transport, cycle)
        super()._start_asgi_task(cycle, app)
