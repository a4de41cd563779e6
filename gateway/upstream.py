"""The proxy's path to the services: one aiohttp pool per upstream, a circuit breaker.

aiohttp rather than httpx's default transport: under 32 concurrent requests the httpx pool
kept about a tenth of the upstream's throughput on this machine (httpx issue #3215).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import aiohttp
from multidict import CIMultiDict

from gateway.passthrough import PassthroughPool
from shared.errors import UpstreamError, UpstreamTimeout, UpstreamUnavailable

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "host",
    }
)
# Bodies up to this size are buffered; larger ones are streamed through.
BUFFER_LIMIT = 1024 * 1024


class CircuitBreaker:
    """Consecutive connection failures open the circuit; it half-opens after a cool-down."""

    def __init__(self, threshold: int, open_seconds: int) -> None:
        self.threshold = threshold
        self.open_seconds = open_seconds
        self.failures = 0
        self.opened_until = 0.0

    def retry_after(self) -> int | None:
        remaining = self.opened_until - time.monotonic()
        return math.ceil(remaining) if remaining > 0 else None

    def record_success(self) -> None:
        self.failures = 0
        self.opened_until = 0.0

    def record_failure(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_until = time.monotonic() + self.open_seconds


@dataclass(slots=True)
class UpstreamResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes | None
    stream: AsyncIterator[bytes] | None


class Upstream:
    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        connect_timeout: float,
        total_timeout: float,
        max_connections: int,
        breaker: CircuitBreaker,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.breaker = breaker
        self._timeout = aiohttp.ClientTimeout(total=total_timeout, sock_connect=connect_timeout)
        self._connector_limit = max_connections
        self._session: aiohttp.ClientSession | None = None
        # The proxy's hot path (gateway.fastpath); aiohttp serves everything else.
        self.passthrough = PassthroughPool(
            name,
            self.base_url,
            connect_timeout=connect_timeout,
            total_timeout=total_timeout,
            max_connections=max_connections,
            breaker=breaker,
        )

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._connector_limit, keepalive_timeout=30, enable_cleanup_closed=True
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._timeout,
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding"),
            )
        return self._session

    async def close(self) -> None:
        await self.passthrough.close()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _check_circuit(self) -> None:
        retry_after = self.breaker.retry_after()
        if retry_after is not None:
            raise UpstreamUnavailable(f"上游服务 {self.name} 暂不可用，请稍后重试", retry_after=retry_after)

    async def request(
        self,
        method: str,
        path_qs: str,
        headers: Mapping[str, str],
        body: bytes | None,
    ) -> UpstreamResponse:
        self._check_circuit()
        try:
            response = await self.session.request(
                method,
                self.base_url + path_qs,
                headers=CIMultiDict(headers),
                data=body,
                allow_redirects=False,
            )
        except (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError) as exc:
            self.breaker.record_failure()
            raise UpstreamError(f"无法连接上游服务 {self.name}") from exc
        except TimeoutError as exc:
            raise UpstreamTimeout(f"上游服务 {self.name} 响应超时") from exc
        except aiohttp.ClientError as exc:
            self.breaker.record_failure()
            raise UpstreamError(f"上游服务 {self.name} 通信失败") from exc
        self.breaker.record_success()
        out_headers = [
            (k, v)
            for k, v in response.headers.items()
            if k.lower() not in HOP_BY_HOP and k.lower() != "x-request-id"
        ]
        length = response.content_length
        if length is not None and length <= BUFFER_LIMIT:
            try:
                body_bytes = await response.read()
            except TimeoutError as exc:
                raise UpstreamTimeout(f"上游服务 {self.name} 响应超时") from exc
            except aiohttp.ClientError as exc:
                raise UpstreamError(f"上游服务 {self.name} 通信失败") from exc
            finally:
                response.release()
            return UpstreamResponse(response.status, out_headers, body_bytes, None)

        async def stream() -> AsyncIterator[bytes]:
            try:
                async for chunk in response.content.iter_chunked(64 * 1024):
                    yield chunk
            finally:
                response.release()

        return UpstreamResponse(response.status, out_headers, None, stream())

    async def probe(self, path: str = "/healthz") -> None:
        async with self.session.get(self.base_url + path, timeout=aiohttp.ClientTimeout(total=2)) as response:
            if response.status != 200:
                raise RuntimeError(f"{self.name} answered {response.status}")

    async def get_json(self, path: str, headers: Mapping[str, str]) -> object:
        async with self.session.get(
            self.base_url + path, headers=dict(headers), timeout=aiohttp.ClientTimeout(total=5)
        ) as response:
            response.raise_for_status()
            return await response.json()


async def probe_all(upstreams: Mapping[str, Upstream]) -> dict[str, BaseException | None]:
    results = await asyncio.gather(*(u.probe() for u in upstreams.values()), return_exceptions=True)
    return {
        name: (r if isinstance(r, BaseException) else None)
        for name, r in zip(upstreams, results, strict=True)
    }
