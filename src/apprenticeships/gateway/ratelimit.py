"""Fixed-window rate limiting: a memory backend, a Redis backend, and the fallback between.

A window opens on the first counted request of a subscription and lasts ``seconds``;
every request in it is counted, admitted ones and refused ones alike, and refused ones
never extend it.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from collections.abc import Awaitable, Callable
from typing import NamedTuple, Protocol

import structlog
from redis.exceptions import RedisError, ResponseError

from apprenticeships.gateway.redisclient import PipelinedRedis
from apprenticeships.settings import RateLimitRule

log = structlog.get_logger("apprenticeships.ratelimit")


class Decision(NamedTuple):  # a NamedTuple: built on every request, and cheap to build
    allowed: bool
    remaining: int
    # Whole seconds until the window ends, rounded up, never 0.
    reset: int


def _reset_seconds(milliseconds: float) -> int:
    return max(1, math.ceil(milliseconds / 1000))


class RateLimiter(Protocol):
    async def hit(self, key: str, rule: RateLimitRule) -> Decision:
        """Count one request and say whether it is admitted."""

    async def peek(self, key: str, rule: RateLimitRule) -> Decision:
        """The current state, without counting anything."""

    @property
    def backend(self) -> str: ...


class MemoryRateLimiter:
    """One process's counters. Exact within the process; the event loop is its lock."""

    backend = "memory"

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, sweep_every: int = 10_000
    ) -> None:
        self._clock = clock
        self._windows: dict[str, list[float]] = {}  # key -> [ends_at, count]
        self._sweep_every = sweep_every
        self._until_sweep = sweep_every

    def hit_now(self, key: str, rule: RateLimitRule) -> Decision:
        # The window length is part of the key, as in Redis: a new limit starts afresh.
        key = f"{key}:{rule.seconds}"
        now = self._clock()
        window = self._windows.get(key)
        if window is None or window[0] <= now:
            window = [now + rule.seconds, 0]
            self._windows[key] = window
            self._until_sweep -= 1
            if self._until_sweep <= 0:
                self._sweep(now)
        window[1] += 1
        count = int(window[1])
        return Decision(
            count <= rule.calls,
            max(0, rule.calls - count),
            _reset_seconds((window[0] - now) * 1000),
        )

    def peek_now(self, key: str, rule: RateLimitRule) -> Decision:
        key = f"{key}:{rule.seconds}"
        now = self._clock()
        window = self._windows.get(key)
        if window is None or window[0] <= now:
            return Decision(True, rule.calls, rule.seconds)
        count = int(window[1])
        return Decision(
            count < rule.calls, max(0, rule.calls - count), _reset_seconds((window[0] - now) * 1000)
        )

    async def hit(self, key: str, rule: RateLimitRule) -> Decision:
        return self.hit_now(key, rule)

    async def peek(self, key: str, rule: RateLimitRule) -> Decision:
        return self.peek_now(key, rule)

    def _sweep(self, now: float) -> None:
        self._windows = {k: w for k, w in self._windows.items() if w[0] > now}
        self._until_sweep = max(self._sweep_every, len(self._windows))


# Count and read the window's remaining time in one atomic step. The expiry is set only
# when the counter is new, so refused requests never push the window's end back.
_HIT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""
_PEEK = """
local count = redis.call('GET', KEYS[1])
if not count then return {0, -2} end
return {tonumber(count), redis.call('PTTL', KEYS[1])}
"""


class RedisRateLimiter:
    """Counters shared by every process and node: one script call, one round trip."""

    backend = "redis"

    def __init__(self, redis: PipelinedRedis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix + "rl:"
        self._scripts = {
            script: hashlib.sha1(script.encode(), usedforsecurity=False).hexdigest()
            for script in (_HIT, _PEEK)
        }

    def _key(self, key: str, rule: RateLimitRule) -> str:
        # The window length is part of the key, so changing a limit starts a clean window.
        return f"{self._prefix}{key}:{rule.seconds}"

    async def _run(self, script: str, key: str, *args: int) -> list[int]:
        try:
            reply = await self._redis.call("EVALSHA", self._scripts[script], 1, key, *args)
        except ResponseError as error:
            if not str(error).startswith("NOSCRIPT"):
                raise
            # Redis restarted or was flushed: load the script again, then run it.
            await self._redis.call("SCRIPT", "LOAD", script)
            reply = await self._redis.call("EVALSHA", self._scripts[script], 1, key, *args)
        return [int(value) for value in reply]

    async def hit(self, key: str, rule: RateLimitRule) -> Decision:
        count, ttl = await self._run(_HIT, self._key(key, rule), rule.seconds * 1000)
        return Decision(count <= rule.calls, max(0, rule.calls - count), _reset_seconds(ttl))

    async def peek(self, key: str, rule: RateLimitRule) -> Decision:
        count, ttl = await self._run(_PEEK, self._key(key, rule))
        if ttl < 0:
            return Decision(True, rule.calls, rule.seconds)
        return Decision(count < rule.calls, max(0, rule.calls - count), _reset_seconds(ttl))


class FallbackRateLimiter:
    """Redis while it answers; this process's own counters while it does not.

    During an outage each process admits at most the limit on its own: never unlimited,
    never refusing everything. Redis is tried again at most once a second, by one request
    at a time, and the outage is logged once a minute.
    """

    def __init__(
        self,
        primary: RedisRateLimiter,
        fallback: MemoryRateLimiter,
        on_state_change: Callable[[bool], None] = lambda up: None,
        retry_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        concurrency: int = 60,
    ) -> None:
        self._primary = primary
        self._slots = asyncio.Semaphore(concurrency)
        self._fallback = fallback
        self._on_state_change = on_state_change
        self._retry_seconds = retry_seconds
        self._clock = clock
        self._up = True
        self._retry_at = 0.0
        self._probing = False
        self._logged_at = -math.inf

    @property
    def backend(self) -> str:
        return "redis" if self._up else "memory-fallback"

    def _use_primary(self) -> bool:
        if self._up:
            return True
        if self._probing or self._clock() < self._retry_at:
            return False
        self._probing = True
        return True

    async def _primary_decision(
        self, operation: Callable[[], Awaitable[Decision]]
    ) -> Decision | None:
        """Redis's answer, or None when Redis is (or just went) unavailable."""
        if not self._use_primary():
            return None
        probe = not self._up
        # A bounded number of calls in flight: a burst waits its turn instead of piling
        # up behind a slow Redis, and waiting never counts as "Redis is down".
        async with self._slots:
            if not probe and not self._up:
                return None  # Redis failed while this request waited for a slot
            try:
                decision = await operation()
            except (RedisError, OSError, TimeoutError) as error:
                self._failed(error)
                return None
        self._succeeded()
        return decision

    async def hit(self, key: str, rule: RateLimitRule) -> Decision:
        decision = await self._primary_decision(lambda: self._primary.hit(key, rule))
        return decision if decision is not None else self._fallback.hit_now(key, rule)

    async def peek(self, key: str, rule: RateLimitRule) -> Decision:
        decision = await self._primary_decision(lambda: self._primary.peek(key, rule))
        return decision if decision is not None else self._fallback.peek_now(key, rule)

    def _failed(self, error: BaseException) -> None:
        now = self._clock()
        self._probing = False
        self._retry_at = now + self._retry_seconds
        if self._up:
            self._up = False
            self._on_state_change(False)
        if now - self._logged_at >= 60:
            self._logged_at = now
            log.error(
                "rate_limit_redis_unreachable",
                error=f"{type(error).__name__}: {error}",
                fallback="per-process limits",
            )

    def _succeeded(self) -> None:
        self._probing = False
        if not self._up:
            self._up = True
            self._logged_at = -math.inf
            self._on_state_change(True)
            log.warning("rate_limit_redis_recovered")
