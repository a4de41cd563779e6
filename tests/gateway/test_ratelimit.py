"""Both rate-limiter backends obey the same token-bucket contract."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest

from gateway.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


# Redis is tested where it runs (CI starts it; REQUIRE_REDIS=1 makes its absence a failure).
BACKENDS = ["memory"]
if _redis_reachable():
    BACKENDS.append("redis")
elif os.environ.get("REQUIRE_REDIS") == "1":
    raise RuntimeError(f"REQUIRE_REDIS=1 but Redis is not reachable at {REDIS_URL}")


@pytest.fixture(params=BACKENDS)
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    backend: RateLimiter
    if request.param == "memory":
        backend = MemoryRateLimiter()
    else:
        backend = RedisRateLimiter(REDIS_URL, namespace=f"test:{uuid.uuid4().hex}:")
    yield backend
    await backend.close()


async def test_burst_then_refusal_with_retry_after(limiter: RateLimiter) -> None:
    decisions = [await limiter.hit("client-a", per_minute=60, burst=3) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[-1].retry_after_seconds == 1  # one token per second refills


async def test_buckets_are_separate_per_key(limiter: RateLimiter) -> None:
    assert (await limiter.hit("a", per_minute=1, burst=1)).allowed
    assert not (await limiter.hit("a", per_minute=1, burst=1)).allowed
    assert (await limiter.hit("b", per_minute=1, burst=1)).allowed


async def test_slow_refill_reports_longer_wait(limiter: RateLimiter) -> None:
    assert (await limiter.hit("slow", per_minute=2, burst=1)).allowed
    refused = await limiter.hit("slow", per_minute=2, burst=1)
    assert not refused.allowed
    assert 25 <= refused.retry_after_seconds <= 30


async def test_redis_url_setting_selects_redis() -> None:
    from gateway.ratelimit import make_rate_limiter

    memory = make_rate_limiter(None)
    redis_backed = make_rate_limiter("redis://127.0.0.1:6379/15")
    assert isinstance(memory, MemoryRateLimiter)
    assert isinstance(redis_backed, RedisRateLimiter)
    await memory.close()
    await redis_backed.close()
