"""The proxied requests (``/api/v1/<area>/...``), served before FastAPI's routing and middleware.

Every proxied request used to cross ServerErrorMiddleware, the request-context and body-limit
middleware, FastAPI's exception, routing and dependency machinery, Starlette's ``Request`` and
aiohttp; on the 2-core machine that CPU was taken from the services behind the gateway. This
handler does the same work in one pass: the request id, the body cap, the API key (cached by
:class:`~gateway.authn.Authenticator`), the rate limit, the identity token (signed once per
client per half-life), headers kept as raw bytes, the upstream exchange on a keep-alive pool
(:mod:`gateway.passthrough`), the metrics and the access log line; failures are the same
problem+json answers the FastAPI path gives.

Whatever it does not serve (other paths, unknown areas, ``HEAD``, other methods) goes on to
the FastAPI app, where ``gateway.proxy`` still answers the rest of ``/api/v1/{area}``.

The exchange itself (:meth:`ProxyFastPath.exchange`) does not know how it is served: as an
ASGI app here (:class:`_AsgiExchange`), or, in the gateway process, straight from the HTTP
protocol without an ASGI request cycle (:mod:`gateway.fastserver`, through the same
:class:`Exchange` steps). The protocol also offers the callback path
(:meth:`ProxyFastPath.try_now`): a request that needs no waiting (its key cached, a limiter
that decides at once, an idle pooled connection, its body here) is sent from the parser's
callback and answered from the upstream connection's (:class:`_Relay`); whatever turns out to
need waiting continues the waiting way from where it stands.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Coroutine, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.passthrough import HOP_BY_HOP, BodyStream, PassthroughResponse
from gateway.proxy import AREAS, PUBLIC_AREAS
from shared.auth import IDENTITY_HEADER
from shared.errors import (
    AppError,
    BadRequest,
    PayloadTooLarge,
    RateLimited,
    UpstreamError,
    problem_response,
    render_app_error,
)
from shared.observability import RequestMetrics
from shared.requestctx import request_id_for, set_request_id

if TYPE_CHECKING:
    from starlette.datastructures import State

    from gateway.authn import Authenticator, Caller
    from gateway.passthrough import Connection, PassthroughPool, RawHeaders
    from gateway.ratelimit import RateLimiter
    from gateway.upstream import Upstream

# The label the FastAPI route gave these requests, kept so dashboards stay continuous.
ROUTE = "/api/v1/{area}{rest:path}"
FAST_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
# Request headers not forwarded as they came (hop-by-hop, ours to set, or the caller's secret).
_DROP_REQUEST = HOP_BY_HOP | frozenset(
    {
        b"content-length",
        b"host",
        b"expect",
        b"authorization",
        IDENTITY_HEADER.lower().encode(),
        b"x-request-id",
        b"x-forwarded-for",
    }
)
_IDENTITY = IDENTITY_HEADER.lower().encode()

errors_log = logging.getLogger("shared.errors")


class ClientGone(Exception):
    """The client disconnected before its request body arrived."""


class Exchange(Protocol):
    """How a proxied request is read and answered, whoever serves the connection."""

    async def read_body(self, cap: int) -> bytes:
        """The whole request body; PayloadTooLarge past ``cap``, ClientGone on disconnect."""
        ...

    async def respond(self, status: int, headers: RawHeaders, body: bytes) -> None:
        """A whole answer; ``headers`` carry its content-length."""
        ...

    async def start(self, status: int, headers: RawHeaders) -> None:
        """The head of an answer of unknown length, whose body follows in ``chunk`` calls."""
        ...

    async def chunk(self, data: bytes) -> None: ...

    async def finish(self) -> None:
        """The end of a started answer."""
        ...

    def cut(self) -> None:
        """A started answer that cannot be finished: the connection is closed."""
        ...


class NowExchange(Exchange, Protocol):
    """An :class:`Exchange` that can also answer from a callback (:meth:`ProxyFastPath.try_now`)."""

    def respond_now(self, status: int, headers: RawHeaders, body: bytes) -> bool:
        """A whole answer written at once; False, with nothing written, if the client is not
        reading (then :meth:`Exchange.respond` waits for it)."""
        ...

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Runs ``work`` in a task of the connection's."""
        ...


class ProxyFastPath:
    """ASGI app in front of the FastAPI middleware stack (``app.middleware_stack``)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        state: State,
        service: str,
        max_body_bytes: int,
        body_limit_overrides: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.state = state
        self.service = service
        self.max_body_bytes = max_body_bytes
        self.overrides = sorted((body_limit_overrides or {}).items(), key=lambda item: -len(item[0]))
        self.metrics = RequestMetrics(service)

    def in_front_of(self, app: ASGIApp) -> ProxyFastPath:
        """The same fast path passing the rest to ``app`` (the FastAPI app itself, for the server)."""
        front = ProxyFastPath(app, state=self.state, service=self.service, max_body_bytes=self.max_body_bytes)
        front.overrides = self.overrides
        front.metrics = self.metrics
        return front

    @staticmethod
    def route(path: str) -> tuple[str, str] | None:
        """(area, upstream) of a path this fast path serves, else None."""
        if path.startswith("/api/v1/"):
            area = path[8:].partition("/")[0]
            upstream_name = AREAS.get(area)
            if upstream_name is not None:
                return area, upstream_name
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in FAST_METHODS:
            path: str = scope["path"]
            route = self.route(path)
            if route is not None:
                target: bytes = scope.get("raw_path") or path.encode()
                query: bytes = scope.get("query_string", b"")
                if query:
                    target = target + b"?" + query
                client = scope.get("client")
                await self.exchange(
                    _AsgiExchange(scope, receive, send),
                    scope["method"],
                    path,
                    target,
                    scope["headers"],
                    client[0] if client else None,
                    *route,
                )
                return
        await self.app(scope, receive, send)

    def body_cap(self, path: str) -> int:
        for prefix, cap in self.overrides:
            if path.startswith(prefix):
                return cap
        return self.max_body_bytes

    async def exchange(
        self,
        io: Exchange,
        method: str,
        path: str,
        target: bytes,
        headers: Iterable[tuple[bytes, bytes]],
        client_host: str | None,
        area: str,
        upstream_name: str,
    ) -> None:
        """One proxied request, answered through ``io``. ``target`` is the raw path and query
        sent upstream; ``client_host`` the caller's address (after trusted proxies)."""
        started = time.perf_counter()
        forward, authorization, incoming_id, declared = _split(headers)
        request_id_raw = _request_id(incoming_id)
        await self._answered(
            io,
            method,
            path,
            started,
            request_id_raw,
            self._proxy(
                io,
                method,
                path,
                target,
                area,
                upstream_name,
                forward,
                client_host,
                authorization,
                declared,
                request_id_raw,
            ),
        )

    def try_now(
        self,
        io: NowExchange,
        method: str,
        path: str,
        target: bytes,
        headers: Iterable[tuple[bytes, bytes]],
        client_host: str | None,
        area: str,
        upstream_name: str,
        body: bytes,
    ) -> bool:
        """The request, whose whole body is here, taken from the protocol's callback without a
        task when nothing in it has to wait: a key known to the cache (or a public area), a
        limiter that decides at once, an idle pooled connection. Its upstream exchange then
        runs on the connection's callbacks (:class:`_Relay`) and a buffered answer is written
        from there. Anything else (a key to look up, a limit reached, a wait for a connection,
        an answer to stream, a failure) goes the waiting way, in a task, from where it stands.

        False, with nothing done, when the request should be taken by :meth:`exchange`.
        """
        if len(body) > self.body_cap(path):
            return False
        if method == "GET":
            body = b""  # as exchange() forwards a GET
        forward, authorization, incoming_id, _ = _split(headers)
        state = self.state
        authenticator: Authenticator = state.authenticator
        caller: Caller | None
        if area in PUBLIC_AREAS:
            caller = authenticator.public_caller()
            limit_key = "ip:" + (client_host or "unknown")
        else:
            caller = authenticator.cached(authorization) if authorization is not None else None
            if caller is None:
                return False
            limit_key = caller.identity.client_id
        pool: PassthroughPool = state.upstreams[upstream_name].passthrough
        limiter: RateLimiter = state.rate_limiter
        decision = limiter.hit_now(limit_key, caller.per_minute, caller.burst)
        if decision is None or not decision.allowed:
            return False  # a refusal counts nothing: exchange() decides it again
        # Admitted: from here on the request is this path's, however it ends.
        started = time.perf_counter()
        # Not set in this context, which is the connection's: what logs later sets it there.
        request_id_raw = _request_id(incoming_id, into_context=False)
        relay = _Relay(
            self, io, method, path, started, request_id_raw, pool, upstream_name, target, forward, body
        )
        try:
            forward.append((_IDENTITY, authenticator.token_header(caller)))
            forward.append((b"x-request-id", request_id_raw))
            if client_host:
                forward.append((b"x-forwarded-for", client_host.encode("latin-1")))
            if pool.send_now(relay.method_raw, target, forward, body, relay) is None:
                relay.forward_later()
        except Exception as exc:
            relay.fail_later(exc)  # answered as the waiting way answers what it did not expect
        return True

    async def _answered(
        self,
        io: Exchange,
        method: str,
        path: str,
        started: float,
        request_id_raw: bytes,
        work: Coroutine[Any, Any, int],
    ) -> None:
        """Runs ``work`` (which answers and returns the status) and answers its failures."""
        status = 500
        try:
            status = await work
        except ClientGone:
            status = 499  # nginx's "client closed request": nothing was answered
        except AppError as exc:
            if exc.status >= 500:
                errors_log.warning("request failed: %s %s", exc.code, exc.detail)
            status = exc.status
            await _problem(io, render_app_error(exc, path), request_id_raw)
        except Exception:
            errors_log.exception("unhandled error on %s %s", method, path)
            status = 500
            response = problem_response(
                status=500,
                code="internal_error",
                title="服务器内部错误",
                detail="服务器处理请求时发生错误，请稍后重试；如持续出现请联系管理员并提供 request_id",
                instance=path,
            )
            await _problem(io, response, request_id_raw)
        finally:
            self.done(method, path, status, started)

    def done(
        self, method: str, path: str, status: int, started: float, request_id_raw: bytes | None = None
    ) -> None:
        """The request's metrics and access line; ``request_id_raw`` when outside its context."""
        elapsed = time.perf_counter() - started
        self.metrics.observe(method, ROUTE, status, elapsed)
        self.metrics.log(method, path, status, elapsed, request_id_raw)

    async def _proxy(
        self,
        io: Exchange,
        method: str,
        path: str,
        target: bytes,
        area: str,
        upstream_name: str,
        forward: list[tuple[bytes, bytes]],
        client_host: str | None,
        authorization: bytes | None,
        declared: bytes | None,
        request_id_raw: bytes,
    ) -> int:
        cap = self.body_cap(path)
        if declared is not None:
            length = int(declared) if declared.isdigit() else -1
            if length > cap:
                raise PayloadTooLarge(too_large(cap))
            if length < 0:
                raise BadRequest("Content-Length 无效")

        state = self.state
        authenticator: Authenticator = state.authenticator
        caller: Caller
        if area in PUBLIC_AREAS:
            caller = authenticator.public_caller()
            limit_key = "ip:" + (client_host or "unknown")
        else:
            caller = await authenticator.authenticate(
                authorization.decode("latin-1") if authorization is not None else None
            )
            limit_key = caller.identity.client_id
        limiter: RateLimiter = state.rate_limiter
        decision = await limiter.hit(limit_key, caller.per_minute, caller.burst)
        if not decision.allowed:
            raise RateLimited(decision.retry_after_seconds)

        forward.append((_IDENTITY, authenticator.token_header(caller)))
        forward.append((b"x-request-id", request_id_raw))
        if client_host:
            forward.append((b"x-forwarded-for", client_host.encode("latin-1")))
        body = b"" if method == "GET" else await io.read_body(cap)
        return await self.forward(io, method.encode(), target, upstream_name, forward, body, request_id_raw)

    async def forward(
        self,
        io: Exchange,
        method: bytes,
        target: bytes,
        upstream_name: str,
        forward: list[tuple[bytes, bytes]],
        body: bytes,
        request_id_raw: bytes,
    ) -> int:
        """The admitted request sent upstream and answered; its status."""
        upstream: Upstream = self.state.upstreams[upstream_name]
        result: PassthroughResponse = await upstream.passthrough.request(method, target, forward, body)
        return await self.answer(io, result, request_id_raw, upstream_name)

    async def answer(
        self, io: Exchange, result: PassthroughResponse, request_id_raw: bytes, upstream_name: str
    ) -> int:
        headers = result.headers
        if result.body is not None:
            headers.append((b"content-length", str(len(result.body)).encode()))
            headers.append((b"x-request-id", request_id_raw))
            await io.respond(result.status, headers, result.body)
            return result.status
        stream = result.stream
        assert stream is not None
        try:
            headers.append((b"x-request-id", request_id_raw))
            await io.start(result.status, headers)
            try:
                async for chunk in stream:
                    await io.chunk(chunk)
            except Exception as exc:
                # The status line is sent already: all that is left is to cut the response
                # short (the connection is closed on an unfinished response).
                errors_log.warning("response from %s cut short: %r", upstream_name, exc)
                io.cut()
                return result.status
            await io.finish()
        finally:
            await stream.aclose()
        return result.status


def _split(
    headers: Iterable[tuple[bytes, bytes]],
) -> tuple[list[tuple[bytes, bytes]], bytes | None, bytes | None, bytes | None]:
    """The headers forwarded as they came; the authorization, request id and content-length."""
    authorization: bytes | None = None
    incoming_id: bytes | None = None
    declared: bytes | None = None
    forward: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        if name in _DROP_REQUEST:
            if name == b"authorization":
                authorization = value
            elif name == b"x-request-id":
                incoming_id = value
            elif name == b"content-length":
                declared = value
            continue
        forward.append((name, value))
    return forward, authorization, incoming_id, declared


def _request_id(incoming: bytes | None, *, into_context: bool = True) -> bytes:
    """The request's id (the caller's, if usable), set for this context's log lines unless
    ``into_context`` is False."""
    value = None if incoming is None else incoming.decode("latin-1")
    return (set_request_id(value) if into_context else request_id_for(value)).encode()


async def _raise(exc: Exception) -> int:
    raise exc


async def _respond(io: Exchange, status: int, headers: RawHeaders, body: bytes) -> int:
    await io.respond(status, headers, body)
    return status


class _Relay:
    """The upstream exchange of a request taken by :meth:`ProxyFastPath.try_now`, told its end,
    its failure or an answer to stream by the connection (:meth:`PassthroughPool.send_now`),
    from the connection's callbacks. A whole answer is written from
    here; whatever has to wait or fail continues in a task, as :meth:`ProxyFastPath.exchange`
    would have: a retry on a fresh connection (the pooled one was closed by the upstream as
    it was reused), a streamed answer, an error answer, a client not reading."""

    __slots__ = (
        "body",
        "fast",
        "forward",
        "io",
        "method",
        "method_raw",
        "path",
        "pool",
        "request_id_raw",
        "started",
        "target",
        "upstream_name",
    )

    def __init__(
        self,
        fast: ProxyFastPath,
        io: NowExchange,
        method: str,
        path: str,
        started: float,
        request_id_raw: bytes,
        pool: PassthroughPool,
        upstream_name: str,
        target: bytes,
        forward: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> None:
        self.fast = fast
        self.io = io
        self.method = method
        self.method_raw = method.encode()
        self.path = path
        self.started = started
        self.request_id_raw = request_id_raw
        self.pool = pool
        self.upstream_name = upstream_name
        self.target = target
        self.forward = forward
        self.body = body

    def _later(self, work: Coroutine[Any, Any, int]) -> None:
        self.io.spawn(
            self.fast._answered(self.io, self.method, self.path, self.started, self.request_id_raw, work)
        )

    def fail_later(self, exc: Exception) -> None:
        set_request_id(self.request_id_raw.decode())
        self._later(_raise(exc))

    def forward_later(self) -> None:
        """The exchange the waiting way (:meth:`PassthroughPool.request`)."""
        self._later(
            self.fast.forward(
                self.io,
                self.method_raw,
                self.target,
                self.upstream_name,
                self.forward,
                self.body,
                self.request_id_raw,
            )
        )

    def __call__(self, connection: Connection) -> None:
        pool = self.pool
        if connection.error is not None:
            retry = not connection.received_any and not isinstance(connection.error, UpstreamError)
            error = None if retry else pool.fail(connection)
            pool.release(connection)
            if error is None:
                self.forward_later()
            else:
                self.fail_later(error)
            return
        if not connection.headers_done:
            return
        if connection.complete:
            pool.breaker.record_success()
            status, headers, body = connection.status, connection.headers, connection.take()
            pool.release(connection)
            headers.append((b"content-length", str(len(body)).encode()))
            headers.append((b"x-request-id", self.request_id_raw))
            if self.io.respond_now(status, headers, body):
                # In the upstream connection's context: the line is given the request's id.
                self.fast.done(self.method, self.path, status, self.started, self.request_id_raw)
            else:
                self._later(_respond(self.io, status, headers, body))
            return
        if not connection.buffered:
            pool.breaker.record_success()
            connection.listener = None
            set_request_id(self.request_id_raw.decode())
            stream = BodyStream(pool, connection)
            result = PassthroughResponse(connection.status, connection.headers, None, stream)
            self._later(self.fast.answer(self.io, result, self.request_id_raw, self.upstream_name))


async def _problem(io: Exchange, response: Response, request_id_raw: bytes) -> None:
    headers = response.raw_headers
    headers.append((b"x-request-id", request_id_raw))
    await io.respond(response.status_code, headers, bytes(response.body))


class _AsgiExchange:
    """:class:`Exchange` over an ASGI request cycle."""

    __slots__ = ("receive", "scope", "send")

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = scope
        self.receive = receive
        self.send = send

    async def read_body(self, cap: int) -> bytes:
        chunks: list[bytes] = []
        received = 0
        while True:
            message: Message = await self.receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            chunk: bytes = message.get("body", b"")
            if chunk:
                received += len(chunk)
                if received > cap:
                    raise PayloadTooLarge(too_large(cap))
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        if len(chunks) == 1:
            return chunks[0]
        return b"".join(chunks)

    async def respond(self, status: int, headers: RawHeaders, body: bytes) -> None:
        await self.send({"type": "http.response.start", "status": status, "headers": headers})
        await self.send({"type": "http.response.body", "body": body})

    async def start(self, status: int, headers: RawHeaders) -> None:
        await self.send({"type": "http.response.start", "status": status, "headers": headers})

    async def chunk(self, data: bytes) -> None:
        await self.send({"type": "http.response.body", "body": data, "more_body": True})

    async def finish(self) -> None:
        await self.send({"type": "http.response.body", "body": b""})

    def cut(self) -> None:
        """Nothing to do: uvicorn closes the connection of an unfinished response."""


def too_large(cap: int) -> str:
    return f"请求体超过上限 {cap} 字节"
