"""The gateway's HTTP protocol: proxied requests served from the parser's callbacks, without an
ASGI request cycle.

Under uvicorn, every request builds an ASGI scope, a request-response cycle with its event, a
task running the app through the proxy-headers middleware, ``receive`` and ``send`` messages,
and a check of every response header against two regular expressions; for the one-subject
credit check (make bench, gateway) that was more than half of the gateway's CPU per request,
taken from the credit service and PostgreSQL on the same two cores. Here, once the request's
headers are parsed, a proxied request (:meth:`ProxyFastPath.route`) gets a :class:`FastCycle`
in place of uvicorn's cycle. When its body is complete (usually in the same read; a small one
written after the headers is waited for) and nothing in it has to wait, it is taken from the
parser's callback by :meth:`ProxyFastPath.try_now`, which sends it upstream and answers it
from the upstream connection's callback: no task, no future (at the bench's load that cut
the gateway's CPU per request by a fifth). Anything else gets one task running
:meth:`ProxyFastPath.exchange`, which reads the body from the parser. Either way each answer,
head and body, is written in one call.

Everything else is uvicorn's, unchanged: the rest of the paths, ``HEAD``, upgrades, a request
pipelined behind an unfinished one, the concurrency limit (all served by the ASGI app, whose
own :class:`ProxyFastPath` answers proxied ones the same way), keep-alive, flow control,
graceful shutdown. The cycle offers what the protocol asks of uvicorn's (``body``,
``more_body``, ``message_event``, ``disconnected``, ``keep_alive``, ``response_complete``).

``serve`` runs the gateway on it (``python -m gateway``); tests serve the gateway through it
and through the ASGI app alike.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import Coroutine
from typing import Any

import httptools
from starlette.applications import Starlette
from uvicorn.config import Config
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.protocols.http.flow_control import HIGH_WATER_LIMIT, FlowControl
from uvicorn.protocols.http.httptools_impl import STATUS_LINE
from uvicorn.server import ServerState

from gateway.fastpath import FAST_METHODS, ClientGone, ProxyFastPath, errors_log, too_large
from gateway.passthrough import RawHeaders
from shared.errors import PayloadTooLarge
from shared.httpserver import HttpProtocol

_METHODS = {method.encode(): method for method in FAST_METHODS}
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class _Wakeup:
    """The cycle's ``message_event`` as the protocol uses it: ``set()`` when body arrives,
    the message ends or the client goes. Wakes the exchange if it waits for the body."""

    __slots__ = ("waiter",)

    def __init__(self) -> None:
        self.waiter: asyncio.Future[None] | None = None

    def set(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class FastCycle:
    """One proxied request on a connection: uvicorn's ``cycle`` for the protocol, and the
    :class:`~gateway.fastpath.Exchange` through which the fast path reads and answers."""

    __slots__ = (
        "body",
        "disconnected",
        "flow",
        "keep_alive",
        "message_event",
        "more_body",
        "protocol",
        "response_complete",
        "response_started",
        "transport",
        "waiting_for_100_continue",
    )

    def __init__(self, protocol: GatewayProtocol, *, keep_alive: bool, expect_100_continue: bool) -> None:
        self.protocol = protocol
        self.transport: asyncio.Transport = protocol.transport
        self.flow: FlowControl = protocol.flow
        self.body = bytearray()
        self.more_body = True
        self.disconnected = False
        self.keep_alive = keep_alive
        self.waiting_for_100_continue = expect_100_continue
        self.response_started = False
        self.response_complete = False
        self.message_event = _Wakeup()

    # -- the request body --

    async def read_body(self, cap: int) -> bytes:
        while self.more_body:
            if self.disconnected:
                raise ClientGone
            if len(self.body) > cap:
                raise PayloadTooLarge(too_large(cap))
            if self.waiting_for_100_continue:
                # Asked for only now, with the key and the rate limit passed.
                self.waiting_for_100_continue = False
                if not self.transport.is_closing():
                    self.transport.write(_CONTINUE)
            # The protocol pauses reading past its high-water mark until the body is taken.
            self.flow.resume_reading()
            waiter = self.protocol.loop.create_future()
            self.message_event.waiter = waiter
            try:
                await waiter
            finally:
                self.message_event.waiter = None
        if self.disconnected:
            raise ClientGone
        if len(self.body) > cap:
            raise PayloadTooLarge(too_large(cap))
        body = bytes(self.body)
        self.body = bytearray()
        return body

    # -- the answer --

    def _head(self, status: int, headers: RawHeaders, chunked: bool) -> list[bytes]:
        parts = [STATUS_LINE[status]]
        for name, value in self.protocol.server_state.default_headers:
            parts += (name, b": ", value, b"\r\n")
        for name, value in headers:
            parts += (name, b": ", value, b"\r\n")
        if chunked:
            parts.append(b"transfer-encoding: chunked\r\n")
        if not self.keep_alive:
            parts.append(b"connection: close\r\n")
        parts.append(b"\r\n")
        return parts

    async def _writable(self) -> bool:
        if self.flow.write_paused and not self.disconnected:
            await self.flow.drain()
        # Closed under it: once a request pipelined behind this one has become the
        # protocol's cycle, a connection lost (reset) is told to that one only.
        return not self.disconnected and not self.transport.is_closing()

    async def respond(self, status: int, headers: RawHeaders, body: bytes) -> None:
        if await self._writable():
            self._write_whole(status, headers, body)

    def respond_now(self, status: int, headers: RawHeaders, body: bytes) -> bool:
        if self.disconnected or self.transport.is_closing():
            return True  # nobody to answer, as respond() finds
        if self.flow.write_paused:
            return False
        self._write_whole(status, headers, body)
        return True

    def _write_whole(self, status: int, headers: RawHeaders, body: bytes) -> None:
        self.response_started = True
        parts = self._head(status, headers, chunked=False)
        parts.append(body)
        self.transport.write(b"".join(parts))
        self._complete()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        protocol = self.protocol
        task = protocol.loop.create_task(work)
        task.add_done_callback(protocol.tasks.discard)
        protocol.tasks.add(task)

    async def start(self, status: int, headers: RawHeaders) -> None:
        if not await self._writable():
            return
        self.response_started = True
        self.transport.write(b"".join(self._head(status, headers, chunked=True)))

    async def chunk(self, data: bytes) -> None:
        if data and await self._writable():
            self.transport.write(b"%x\r\n%b\r\n" % (len(data), data))

    async def finish(self) -> None:
        if await self._writable():
            self.transport.write(b"0\r\n\r\n")
            self._complete()

    def cut(self) -> None:
        self.transport.close()

    def _complete(self) -> None:
        self.response_complete = True
        if not self.keep_alive:
            self.transport.close()
        self.protocol.on_response_complete()


def _fast_path_of(app: Any) -> tuple[ProxyFastPath | None, ProxyHeadersMiddleware | None]:
    """The gateway's fast path behind what uvicorn loaded, and the proxy-headers middleware in
    front of it if any; (None, None) for anything else (then this is uvicorn's protocol)."""
    proxy_headers = None
    while True:
        if isinstance(app, ProxyFastPath):
            return app, proxy_headers
        if isinstance(app, ProxyHeadersMiddleware) and proxy_headers is None:
            proxy_headers, app = app, app.app
        elif isinstance(app, Starlette) and isinstance(app.middleware_stack, ProxyFastPath):
            return app.middleware_stack, proxy_headers
        else:
            return None, None


class GatewayProtocol(HttpProtocol):
    """``uvicorn.run(..., http="gateway.fastserver:GatewayProtocol")``."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.fast, self.proxy_headers = _fast_path_of(self.app)
        # Since when the connection has been idle between requests; None while one is under way.
        self.idle_since: float | None = None
        # A proxied request whose headers are parsed, until its body is (or this read ends).
        self.pending: _Pending | None = None

    # -- keep-alive: one timer per idle period, not one armed and cancelled per request --

    def _unset_keepalive_if_required(self) -> None:
        # uvicorn cancels its timer on every read; here the timer stays and checks when it fires.
        self.idle_since = None

    def on_response_complete(self) -> None:
        # uvicorn's, but for the keep-alive timer.
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
            return
        self.idle_since = self.loop.time()
        if self.timeout_keep_alive_task is None:
            self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self._idle_check)

    def _idle_check(self) -> None:
        self.timeout_keep_alive_task = None
        idle_since = self.idle_since
        if idle_since is None:
            return  # a request is under way: its answer arms the timer again
        remaining = idle_since + self.timeout_keep_alive - self.loop.time()
        if remaining > 0:
            self.timeout_keep_alive_task = self.loop.call_later(remaining, self._idle_check)
        elif not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        timer, self.timeout_keep_alive_task = self.timeout_keep_alive_task, None
        if timer is not None:
            timer.cancel()
        super().connection_lost(exc)
        pending, self.pending = self.pending, None
        if pending is not None:
            self._start_exchange(pending)  # which finds the client gone (499)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        pending = self.pending
        if pending is not None and not pending.awaits_body():
            # Not taken at once, or a body still to come that is large, of unknown length or
            # asked for (100-continue): the waiting way, which reads the rest as it arrives.
            self.pending = None
            self._start_exchange(pending)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        pending = self.pending
        if pending is None or pending.cycle.waiting_for_100_continue:
            return
        try:
            taken = pending.try_now()
        except Exception:
            # Before it admits a request nothing has changed (after, it answers its own
            # failures): the waiting way takes it, rather than the parser calling it invalid HTTP.
            errors_log.exception("callback path failed on %s %s", pending.method, pending.path)
            taken = False
        if taken:
            self.pending = None

    def on_headers_complete(self) -> None:
        fast = self.fast
        cycle = self.cycle
        if fast is not None and (cycle is None or cycle.response_complete) and self.limit_concurrency is None:
            parser = self.parser
            method = _METHODS.get(parser.get_method())
            if method is not None and not parser.should_upgrade():
                try:
                    parsed = httptools.parse_url(self.url)
                    raw_path: bytes = parsed.path
                    path = raw_path.decode("ascii")
                except (httptools.HttpParserInvalidURLError, UnicodeDecodeError):
                    path = ""  # uvicorn's own handling answers it
                if "%" in path:
                    path = urllib.parse.unquote(path)
                if self.root_path:
                    path = self.root_path + path
                    raw_path = self.root_path.encode("ascii") + raw_path
                route = fast.route(path) if path else None
                if route is not None:
                    query: bytes | None = parsed.query
                    target = raw_path + b"?" + query if query else raw_path
                    self._start_fast(fast, method, path, target, route)
                    return
        super().on_headers_complete()

    def _start_fast(
        self, fast: ProxyFastPath, method: str, path: str, target: bytes, route: tuple[str, str]
    ) -> None:
        parser = self.parser
        # uvicorn types `cycle` as its RequestResponseCycle; FastCycle offers the attributes
        # the protocol uses of it (module docstring), not the class.
        self.cycle = cycle = FastCycle(  # type: ignore[assignment]
            self,
            keep_alive=parser.get_http_version() != "1.0" and parser.should_keep_alive(),
            expect_100_continue=self.expect_100_continue,
        )
        client = self.client
        host = client[0] if client else None
        proxy_headers = self.proxy_headers
        if proxy_headers is not None and host in proxy_headers.trusted_hosts:
            forwarded = [value for name, value in self.headers if name == b"x-forwarded-for"]
            if forwarded:
                # uvicorn's ProxyHeadersMiddleware, which the ASGI path crosses.
                trusted, _ = proxy_headers.trusted_hosts.get_trusted_client_address(
                    b", ".join(forwarded).decode("latin1")
                )
                if trusted:
                    host = trusted
        # Taken when its body is complete (on_message_complete, usually in this same read), or
        # once this read is parsed (data_received).
        self.pending = _Pending(fast, cycle, method, path, target, self.headers, host, *route)

    def _start_exchange(self, pending: _Pending) -> None:
        pending.cycle.spawn(pending.exchange())


class _Pending:
    """A proxied request between its headers and its body."""

    __slots__ = ("area", "cycle", "fast", "headers", "host", "method", "path", "target", "upstream")

    def __init__(
        self,
        fast: ProxyFastPath,
        cycle: FastCycle,
        method: str,
        path: str,
        target: bytes,
        headers: RawHeaders,
        host: str | None,
        area: str,
        upstream: str,
    ) -> None:
        self.fast = fast
        self.headers = headers
        self.cycle = cycle
        self.method = method
        self.path = path
        self.target = target
        self.host = host
        self.area = area
        self.upstream = upstream

    def try_now(self) -> bool:
        """:meth:`ProxyFastPath.try_now`, its body complete."""
        cycle = self.cycle
        return self.fast.try_now(
            cycle,
            self.method,
            self.path,
            self.target,
            self.headers,
            self.host,
            self.area,
            self.upstream,
            bytes(cycle.body),
        )

    def exchange(self) -> Coroutine[Any, Any, None]:
        """:meth:`ProxyFastPath.exchange`, the waiting way."""
        return self.fast.exchange(
            self.cycle, self.method, self.path, self.target, self.headers, self.host, self.area, self.upstream
        )

    def awaits_body(self) -> bool:
        """Whether to wait for the rest of its body before taking it: a small one with a
        Content-Length (clients often write the body after the headers, in a segment of its
        own), which the connection holds without pausing its reading, and which is not over
        the path's cap (refused at once, the waiting way)."""
        cycle = self.cycle
        if not cycle.more_body or cycle.waiting_for_100_continue or cycle.disconnected:
            return False
        for name, value in self.headers:
            if name == b"content-length":
                if not value.isdigit():
                    return False
                return int(value) <= min(HIGH_WATER_LIMIT, self.fast.body_cap(self.path))
        return False
