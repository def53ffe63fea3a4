"""A clock for code that takes one (rate limiter, key cache, gateway), so tests move time
on instead of sleeping."""

from __future__ import annotations


class ManualClock:
    """Seconds that pass only when a test says so: ``clock()`` reads, ``advance()`` moves."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
