"""Rate-limit backends on their own: memory, Redis, and the fallback between them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from apprenticeships.gateway.ratelimit import (
    Decision,
    FallbackRateLimiter,
    MemoryRateLimiter,
    RedisRateLimiter,
)
from apprenticeships.gateway.redisclient import PipelinedRedis
from apprenticeships.settings import RateLimitRule
from tests.support.clocks import ManualClock

RULE = RateLimitRule(150, 300)


def test_rate_limit_rule_parses_calls_per_seconds() -> None:
    assert RateLimitRule.parse(" 150 / 300 ") == RateLimitRule(150, 300)
    for bad in ("150", "0/300", "150/0", "-1/5", "a/b", "1.5/300", "150/300/1", ""):
        with pytest.raises(ValueError, match="rate limit"):
            RateLimitRule.parse(bad)


def test_memory_window_is_fixed_and_anchored_at_the_first_request() -> None:
    clock = ManualClock()
    limiter = MemoryRateLimiter(clock)
    rule = RateLimitRule(3, 300)
    assert limiter.peek_now("s", rule) == Decision(True, 3, 300)
    assert limiter.hit_now("s", rule) == Decision(True, 2, 300)
    clock.advance(100.2)
    assert limiter.hit_now("s", rule) == Decision(True, 1, 200)
    assert limiter.hit_now("s", rule) == Decision(True, 0, 200)
    assert limiter.hit_now("s", rule) == Decision(False, 0, 200)
    clock.advance(199.5)
    assert limiter.hit_now("s", rule) == Decision(False, 0, 1)  # never 0
    clock.advance(0.5)
    assert limiter.hit_now("s", rule) == Decision(True, 2, 300)


def test_memory_windows_are_per_subscription_and_swept() -> None:
    clock = ManualClock()
    limiter = MemoryRateLimiter(clock, sweep_every=10)
    rule = RateLimitRule(1, 10)
    for name in range(50):
        assert limiter.hit_now(str(name), rule).allowed
    clock.advance(11)
    for name in range(50, 110):
        limiter.hit_now(str(name), rule)
    # Expired windows were dropped on the way; only the 60 live ones remain.
    assert sorted(limiter._windows) == sorted(f"{n}:10" for n in range(50, 110))


@pytest.fixture
async def redis_limiter(redis_url: tuple[str, str]) -> AsyncIterator[RedisRateLimiter]:
    url, prefix = redis_url
    client = PipelinedRedis(url)
    yield RedisRateLimiter(client, prefix)
    await client.aclose()


async def test_redis_counts_exactly_under_concurrency(redis_limiter: RedisRateLimiter) -> None:
    decisions = await asyncio.gather(*(redis_limiter.hit("sub-1", RULE) for _ in range(500)))
    assert sum(d.allowed for d in decisions) == 150
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(150))
    assert all(1 <= d.reset <= 300 for d in decisions)
    assert await redis_limiter.peek("sub-1", RULE) == Decision(False, 0, decisions[-1].reset)
    assert (await redis_limiter.peek("sub-2", RULE)) == Decision(True, 150, 300)


async def test_redis_window_expires_and_refusals_do_not_extend_it(
    redis_limiter: RedisRateLimiter,
) -> None:
    # The window runs on Redis's clock, so this test waits for real; it reads its own
    # clock around the first request, which bounds where the window can start.
    rule = RateLimitRule(1, 1)
    before = time.monotonic()
    assert (await redis_limiter.hit("w", rule)).allowed
    opened_by = time.monotonic()
    while time.monotonic() < before + 0.6:  # well inside the window
        assert not (await redis_limiter.hit("w", rule)).allowed
        await asyncio.sleep(0.15)
    await asyncio.sleep(max(0.0, opened_by + 1.05 - time.monotonic()))  # surely after it
    assert (await redis_limiter.hit("w", rule)).allowed


class BrokenRedis:
    """Stands in for RedisRateLimiter while the server is down (connection refused)."""

    backend = "redis"

    def __init__(self) -> None:
        self.calls = 0
        self.up = False
        self.memory = MemoryRateLimiter()

    async def hit(self, key: str, rule: RateLimitRule) -> Decision:
        self.calls += 1
        if not self.up:
            raise RedisConnectionError("Connection refused")
        return self.memory.hit_now("shared:" + key, rule)

    async def peek(self, key: str, rule: RateLimitRule) -> Decision:
        return await self.hit(key, rule)


async def test_fallback_limits_per_process_while_redis_is_down_and_recovers() -> None:
    clock = ManualClock()
    broken = BrokenRedis()
    states: list[bool] = []
    limiter = FallbackRateLimiter(
        broken,  # type: ignore[arg-type]
        MemoryRateLimiter(clock),
        on_state_change=states.append,
        clock=clock,
    )
    rule = RateLimitRule(5, 300)
    decisions = [await limiter.hit("s", rule) for _ in range(8)]
    # Never unlimited, never refusing everything: this process admits exactly the limit.
    assert [d.allowed for d in decisions] == [True] * 5 + [False] * 3
    assert limiter.backend == "memory-fallback"
    assert states == [False]
    # Redis was tried once, then left alone until the retry interval passed.
    assert broken.calls == 1
    clock.advance(1.5)
    broken.up = True
    assert (await limiter.hit("s", rule)).allowed
    assert limiter.backend == "redis"
    assert states == [False, True]


class SlowRedis(BrokenRedis):
    def __init__(self) -> None:
        super().__init__()
        self.up = True
        self.in_flight = 0
        self.most_in_flight = 0

    async def hit(self, key: str, rule: RateLimitRule) -> Decision:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.001)
        self.in_flight -= 1
        return await super().hit(key, rule)


async def test_a_burst_waits_for_a_slot_instead_of_falling_back() -> None:
    slow = SlowRedis()
    states: list[bool] = []
    limiter = FallbackRateLimiter(
        slow,  # type: ignore[arg-type]
        MemoryRateLimiter(),
        on_state_change=states.append,
        concurrency=4,
    )
    decisions = await asyncio.gather(*(limiter.hit("s", RULE) for _ in range(300)))
    assert sum(d.allowed for d in decisions) == 150
    assert slow.calls == 300  # every request was counted in the shared store
    assert slow.most_in_flight == 4
    assert states == []


async def test_requests_queued_behind_a_failure_do_not_all_wait_for_redis() -> None:
    broken = BrokenRedis()
    limiter = FallbackRateLimiter(broken, MemoryRateLimiter(), concurrency=1)  # type: ignore[arg-type]
    decisions = await asyncio.gather(*(limiter.hit("s", RateLimitRule(10, 300)) for _ in range(50)))
    assert sum(d.allowed for d in decisions) == 10
    assert broken.calls == 1
