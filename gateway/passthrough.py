"""The proxy's own HTTP/1.1 client: a keep-alive pool per upstream, responses parsed by httptools.

aiohttp's request path (``ClientRequest``, ``CIMultiDict`` headers, timers, trace hooks) cost
the gateway more CPU per proxied request than everything else it does; the services behind it
are our own uvicorn processes on a local network, so the proxy needs only this much of HTTP:
one request at a time per connection, a buffered request body, a response read with
``Content-Length``, chunked or until close, headers passed through as raw bytes.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

import httptools

from shared.errors import UpstreamError, UpstreamTimeout, UpstreamUnavailable

if TYPE_CHECKING:
    from gateway.upstream import CircuitBreaker

RawHeaders = list[tuple[bytes, bytes]]

# Headers that describe one hop of the exchange, never passed on (RFC 9110 §7.6.1).
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
    }
)
# Response headers not passed on: content-length is set again by us, the request id is the
# gateway's.
_DROP_RESPONSE = HOP_BY_HOP | frozenset(
    {
        b"content-length",
        b"host",
        b"x-request-id",
        # uvicorn adds its own; passing the service's on as well gave two Date headers.
        b"date",
    }
)
# Bodies up to this size are buffered; larger ones, or ones of unknown length, are streamed.
BUFFER_LIMIT = 1024 * 1024
# Reading from the upstream pauses while this much of a streamed body waits to be sent on.
_HIGH_WATER = 256 * 1024
_BODY_METHODS = frozenset({b"POST", b"PUT", b"PATCH"})


class _Disconnected(Exception):
    """The upstream closed the connection or sent something that is not HTTP."""


class _Slots:
    """The pool's connection limit: asyncio's semaphore, which can also be taken without waiting
    (:meth:`PassthroughPool.send_now`). A released slot goes straight to the longest waiter."""

    def __init__(self, count: int) -> None:
        self.free = count
        self._waiters: deque[asyncio.Future[None]] = deque()

    def try_acquire(self) -> bool:
        if self.free > 0 and not self._waiters:
            self.free -= 1
            return True
        return False

    async def acquire(self) -> None:
        if self.try_acquire():
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.cancelled():
                self._waiters.remove(waiter)
            else:
                self.release()  # handed a slot as it was cancelled: on to the next waiter
            raise

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.free += 1


class Connection(asyncio.Protocol):
    """One upstream connection; carries one exchange at a time."""

    def __init__(self) -> None:
        # Made by loop.create_connection, in the loop it serves. Kept: on Python 3.11 every
        # get_running_loop() is a getpid() system call.
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.idle_since = 0.0
        self.waiter: asyncio.Future[None] | None = None
        # When the exchange under way times out (PassthroughPool._watch); 0.0 when none is.
        self.deadline = 0.0
        self.busy = False
        self.paused = False
        # Told of the exchange instead of a waiter (PassthroughPool.send_now).
        self.listener: Callable[[Connection], None] | None = None
        self._reset_exchange()

    def begin(self) -> None:
        self.busy = True
        self._reset_exchange()

    def _reset_exchange(self) -> None:
        self.status = 0
        self.headers: RawHeaders = []
        self.content_length: int | None = None
        # A Content-Length up to BUFFER_LIMIT: the body is read whole before it is passed on.
        self.buffered = False
        self.chunked = False
        self.chunks: list[bytes] = []
        self.pending = 0
        self.headers_done = False
        self.complete = False
        self.received_any = False
        self.keep_alive = False
        self.error: BaseException | None = None

    # -- asyncio.Protocol --

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not subclasses of asyncio.Transport, only alike.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if not self.busy:
            # Nothing was asked: a server that talks out of turn is not reused.
            self.abort()
            return
        self.received_any = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self.fail(_Disconnected(f"invalid HTTP from upstream: {exc}"))
            self.abort()
            return
        listener = self.listener
        if listener is not None and self.headers_done and not self.buffered and not self.complete:
            # An answer to stream: told once what was read is parsed, so that one without a
            # body (a 204, a 304), complete in the same read, is not taken for one.
            listener(self)

    def eof_received(self) -> bool | None:
        return None  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.busy and not self.complete:
            if self.headers_done and self.content_length is None and not self.chunked:
                self.complete = True  # a body delimited by the end of the connection
                self._wake()
            else:
                self.fail(_Disconnected("upstream closed the connection"))

    # -- httptools callbacks --

    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        if name in _DROP_RESPONSE:
            if name == b"content-length":
                self.content_length = int(value) if value.isdigit() else None
            elif name == b"transfer-encoding":
                self.chunked = True
            return
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        # Read here: llhttp forgets it once the message is complete.
        self.keep_alive = self.parser.should_keep_alive()
        if self.status >= 200:
            length = self.content_length
            self.buffered = length is not None and length <= BUFFER_LIMIT
            self.headers_done = True
            self._wake()

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self.pending += len(body)
        if self.buffered:
            return  # waited for whole (on_message_complete wakes)
        # Streamed: reading pauses until the client has taken what is waiting.
        if self.pending > _HIGH_WATER and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self.status < 200:
            # An interim 1xx answer: the real one follows on the same connection.
            self.headers = []
            self.content_length = None
            self.chunked = False
            return
        self.complete = True
        self._wake()

    # -- the exchange --

    def _wake(self) -> None:
        listener = self.listener
        if listener is not None:
            # Told only the end or a failure here; an answer to stream in data_received.
            if self.complete or self.error is not None:
                listener(self)
            return
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def fail(self, error: BaseException) -> None:
        if self.error is None:
            self.error = error
        self._wake()

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    async def wait(self) -> None:
        """Until the parser has something new (or the exchange failed)."""
        if self.error is not None:
            raise self.error
        waiter = self.loop.create_future()
        self.waiter = waiter
        try:
            await waiter
        finally:
            self.waiter = None
        if self.error is not None:
            raise self.error

    def take(self) -> bytes:
        data = self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)
        self.chunks = []
        self.pending = 0
        if self.paused and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()
        return data


class BodyStream:
    """A response body too large to buffer, read from the upstream as the client takes it.

    ``aclose`` gives the connection back (or drops it, if the body was not read to the end);
    the caller calls it whether or not it iterated.
    """

    def __init__(self, pool: PassthroughPool, connection: Connection) -> None:
        self._pool = pool
        self._connection: Connection | None = connection

    def __aiter__(self) -> BodyStream:
        return self

    async def __anext__(self) -> bytes:
        connection = self._connection
        if connection is None:
            raise StopAsyncIteration
        try:
            while not connection.chunks:
                if connection.complete:
                    await self.aclose()
                    raise StopAsyncIteration
                await connection.wait()
        except _Disconnected as exc:
            await self.aclose()
            raise UpstreamError(f"上游服务 {self._pool.name} 通信失败") from exc
        except UpstreamTimeout:
            await self.aclose()
            raise
        return connection.take()

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._pool.release(connection)


@dataclass(slots=True)
class PassthroughResponse:
    status: int
    headers: RawHeaders
    body: bytes | None
    stream: BodyStream | None


class PassthroughPool:
    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        connect_timeout: float,
        total_timeout: float,
        max_connections: int,
        breaker: CircuitBreaker,
        idle_seconds: float = 60.0,
    ) -> None:
        parts = urlsplit(base_url)
        self.name = name
        self.breaker = breaker
        self._secure = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (443 if self._secure else 80)
        self._host_header = parts.netloc.encode("latin-1")
        self._connect_timeout = connect_timeout
        self._total_timeout = total_timeout
        # Shorter than the services' keep-alive (shared/serve.py, 75 s), so a pooled connection
        # is rarely one the upstream is closing at that very moment; the retry in `request`
        # covers the rest (and upstreams served by something else with a shorter keep-alive).
        self._idle_seconds = idle_seconds
        self._idle: list[Connection] = []
        self._slots = _Slots(max_connections)
        self._loop: asyncio.AbstractEventLoop | None = None
        # Connections with an exchange under way, and the one timer that watches their deadlines.
        self._busy: set[Connection] = set()
        self._watch_timer: asyncio.TimerHandle | None = None
        self._ssl: ssl.SSLContext | None = ssl.create_default_context() if self._secure else None

    async def close(self) -> None:
        if self._watch_timer is not None:
            self._watch_timer.cancel()
            self._watch_timer = None
        while self._idle:
            self._idle.pop().abort()

    async def _connect(self) -> Connection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self._connect_timeout):
                _, connection = await loop.create_connection(
                    Connection,
                    self._host,
                    self._port,
                    ssl=self._ssl,
                    server_hostname=self._host if self._secure else None,
                )
        except TimeoutError as exc:
            raise UpstreamTimeout(f"上游服务 {self.name} 响应超时") from exc
        except OSError as exc:
            self.breaker.record_failure()
            raise UpstreamError(f"无法连接上游服务 {self.name}") from exc
        return connection

    def _pooled(self, now: float) -> Connection | None:
        idle = self._idle
        while idle:
            connection = idle.pop()
            if not connection.closed and now - connection.idle_since < self._idle_seconds:
                return connection
            connection.abort()
        return None

    def release(self, connection: Connection) -> None:
        """Back to the pool if the exchange ended cleanly, else closed; frees the slot."""
        connection.deadline = 0.0
        connection.listener = None
        self._busy.discard(connection)
        connection.busy = False
        if (
            connection.complete
            and connection.error is None
            and not connection.closed
            and connection.keep_alive
        ):
            connection.chunks = []
            connection.idle_since = connection.loop.time()
            self._idle.append(connection)
        else:
            connection.abort()
        self._slots.release()

    def _watch(self) -> None:
        """Times out the exchanges past their deadline, then sleeps until the next deadline.

        One timer per pool instead of one per request (arming and cancelling a timer cost as
        much as the rest of the pool's bookkeeping): it wakes at the earliest deadline it
        knows of, and exchanges that finished by then are simply no longer in ``_busy``.
        """
        self._watch_timer = None
        loop = self._loop
        if loop is None:
            return
        now = loop.time()
        expired = [connection for connection in self._busy if connection.deadline <= now]
        for connection in expired:
            self._busy.discard(connection)
            connection.fail(UpstreamTimeout(f"上游服务 {self.name} 响应超时"))
            connection.abort()
        if self._busy:
            self._watch_timer = loop.call_at(min(c.deadline for c in self._busy), self._watch)

    def _head(
        self, method: bytes, target: bytes, headers: Sequence[tuple[bytes, bytes]], length: int
    ) -> list[bytes]:
        parts = [method, b" ", target, b" HTTP/1.1\r\nhost: ", self._host_header, b"\r\n"]
        for name, value in headers:
            parts += (name, b": ", value, b"\r\n")
        if length or method in _BODY_METHODS:
            parts += (b"content-length: ", str(length).encode(), b"\r\n")
        parts.append(b"\r\n")
        return parts

    def _message(
        self, method: bytes, target: bytes, headers: Sequence[tuple[bytes, bytes]], body: bytes
    ) -> tuple[bytes, bytes]:
        """The request as written: one write, one syscall, for the usual small one; a large
        body is not copied."""
        parts = self._head(method, target, headers, len(body))
        if len(body) <= 64 * 1024:
            parts.append(body)
            return b"".join(parts), b""
        return b"".join(parts), body

    def _begin(self, connection: Connection, loop: asyncio.AbstractEventLoop, deadline: float) -> None:
        connection.begin()
        connection.deadline = deadline
        self._busy.add(connection)
        if self._watch_timer is None:
            self._watch_timer = loop.call_at(deadline, self._watch)

    def send_now(
        self,
        method: bytes,
        target: bytes,
        headers: Sequence[tuple[bytes, bytes]],
        body: bytes,
        listener: Callable[[Connection], None],
    ) -> Connection | None:
        """The exchange written at once on an idle pooled connection, or None, with nothing done,
        when it would have to wait (no idle connection or free slot, the circuit open).

        ``listener`` is called with the connection instead of a waiter: at the end of the
        answer (``complete``), at a failure (``error``, :class:`UpstreamTimeout` past the
        deadline), or, for an answer to stream (not ``buffered``), once the read that brought
        its head is parsed; the caller gives the connection back with :meth:`release`, or
        hands it (``listener`` cleared) to a :class:`BodyStream`. A connection that fails before
        anything was received may be one the upstream closed as it was reused: :meth:`request`
        tries again on a fresh one.
        """
        loop = self._loop
        if loop is None or not self._idle or self.breaker.opened_until:
            return None
        if not self._slots.try_acquire():
            return None
        now = loop.time()
        connection = self._pooled(now)
        if connection is None:
            self._slots.release()
            return None
        head, rest = self._message(method, target, headers, body)
        self._begin(connection, loop, now + self._total_timeout)
        connection.listener = listener
        transport = connection.transport
        assert transport is not None
        transport.write(head)
        if rest:
            transport.write(rest)
        return connection

    def fail(self, connection: Connection) -> UpstreamError:
        """What a failed exchange of :meth:`send_now` answers (as :meth:`request` would)."""
        error = connection.error
        if isinstance(error, UpstreamError):
            return error  # the timeout
        if not connection.headers_done:
            self.breaker.record_failure()
        exc = UpstreamError(f"上游服务 {self.name} 通信失败")
        exc.__cause__ = error
        return exc

    async def request(
        self, method: bytes, target: bytes, headers: Sequence[tuple[bytes, bytes]], body: bytes
    ) -> PassthroughResponse:
        """``target`` is the path and query as sent upstream; ``headers`` are lower-case and
        exclude host, content-length and the hop-by-hop ones."""
        retry_after = self.breaker.retry_after()
        if retry_after is not None:
            raise UpstreamUnavailable(f"上游服务 {self.name} 暂不可用，请稍后重试", retry_after=retry_after)
        head, rest = self._message(method, target, headers, body)
        loop = self._loop
        if loop is None:
            # The pool serves one event loop (the app's); looked up once (see Connection).
            loop = self._loop = asyncio.get_running_loop()
        deadline = loop.time() + self._total_timeout
        await self._slots.acquire()
        connection: Connection | None = None
        handed_off = False
        try:
            for attempt in (0, 1):
                connection = self._pooled(loop.time()) if attempt == 0 else None
                reused = connection is not None
                if connection is None:
                    connection = await self._connect()
                self._begin(connection, loop, deadline)
                transport = connection.transport
                assert transport is not None
                transport.write(head)
                if rest:
                    transport.write(rest)
                try:
                    while not connection.headers_done:
                        await connection.wait()
                except _Disconnected as exc:
                    if reused and attempt == 0 and not connection.received_any:
                        # The upstream closed an idle connection as we reused it: once more, fresh.
                        self._busy.discard(connection)
                        connection.abort()
                        continue
                    self.breaker.record_failure()
                    raise UpstreamError(f"上游服务 {self.name} 通信失败") from exc
                break
            assert connection is not None
            self.breaker.record_success()
            if connection.complete or connection.buffered:
                try:
                    while not connection.complete:
                        await connection.wait()
                except _Disconnected as exc:
                    raise UpstreamError(f"上游服务 {self.name} 通信失败") from exc
                response = PassthroughResponse(connection.status, connection.headers, connection.take(), None)
                handed_off = True
                self.release(connection)
                return response
            handed_off = True
            return PassthroughResponse(
                connection.status, connection.headers, None, BodyStream(self, connection)
            )
        finally:
            if not handed_off:
                if connection is not None:
                    connection.abort()
                    self.release(connection)
                else:
                    self._slots.release()
