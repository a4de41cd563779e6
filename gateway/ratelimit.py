"""Per-client token buckets: in process memory by default, in Redis when REDIS_URL is set.

With several gateway replicas only the Redis backend gives one shared budget per client;
the memory backend limits each replica separately.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after_seconds: int


# Every allowed hit answers the same (frozen) decision: one object, not one per request.
ALLOWED = Decision(True, 0)


class RateLimiter(Protocol):
    async def hit(self, key: str, per_minute: int, burst: int) -> Decision: ...

    def hit_now(self, key: str, per_minute: int, burst: int) -> Decision | None:
        """The same hit, decided without waiting; None (and nothing counted) when the limiter
        cannot (the gateway's callback path then takes the request the waiting way)."""
        ...

    async def close(self) -> None: ...


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}

    async def hit(self, key: str, per_minute: int, burst: int) -> Decision:
        return self.hit_now(key, per_minute, burst)

    def hit_now(self, key: str, per_minute: int, burst: int) -> Decision:
        rate = per_minute / 60.0
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (float(burst), now))
        tokens = min(float(burst), tokens + (now - last) * rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return ALLOWED
        self._buckets[key] = (tokens, now)
        return Decision(False, max(1, math.ceil((1.0 - tokens) / rate)))

    async def close(self) -> None:
        self._buckets.clear()


# The same bucket, atomically in Redis; TIME keeps replicas with skewed clocks consistent.
_TOKEN_BUCKET_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local data = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(data[1]) or burst
local ts = tonumber(data[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return {allowed, retry}
"""


class RedisRateLimiter:
    def __init__(self, url: str, *, namespace: str = "gw:rl:") -> None:
        self._redis: Redis = Redis.from_url(url)
        self._namespace = namespace
        self._script = self._redis.register_script(_TOKEN_BUCKET_LUA)

    async def hit(self, key: str, per_minute: int, burst: int) -> Decision:
        allowed, retry = await self._script(keys=[self._namespace + key], args=[per_minute / 60.0, burst])
        return ALLOWED if allowed else Decision(False, max(1, int(retry)))

    def hit_now(self, key: str, per_minute: int, burst: int) -> None:
        return None  # a round trip to Redis

    async def close(self) -> None:
        await self._redis.aclose()


def make_rate_limiter(redis_url: str | None) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()
