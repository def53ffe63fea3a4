"""In-process snapshots of keys, so a known key never costs a database round trip.

Unknown keys are remembered too (bounded, for a short time), so a flood of made-up keys
cannot turn into a flood of queries. Other processes' changes arrive as invalidation
events (``gateway.invalidation``); a snapshot is also re-read after ``ttl`` seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from apprenticeships.keys.snapshot import KeySnapshot

Loader = Callable[[str], Awaitable[KeySnapshot | None]]


@dataclass
class CacheStats:
    hits: int = 0
    negative_hits: int = 0
    misses: int = 0


class KeyCache:
    def __init__(
        self,
        loader: Loader,
        ttl: float = 300.0,
        negative_ttl: float = 30.0,
        negative_size: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._loader = loader
        self._ttl = ttl
        self._negative_ttl = negative_ttl
        self._negative_size = negative_size
        self._clock = clock
        self._known: dict[str, tuple[KeySnapshot, float]] = {}
        self._unknown: OrderedDict[str, float] = OrderedDict()
        self._loading: dict[str, asyncio.Future[KeySnapshot | None]] = {}
        # Bumped by every invalidation; a load that overlapped one is not cached.
        self._generation = 0
        self.stats = CacheStats()

    def __len__(self) -> int:
        return len(self._known)

    def known(self, key_hash: str) -> KeySnapshot | None:
        """The cached snapshot of a known key, without waiting or loading anything."""
        known = self._known.get(key_hash)
        if known is not None and known[1] > self._clock():
            self.stats.hits += 1
            return known[0]
        return None

    async def get(self, key_hash: str) -> KeySnapshot | None:
        now = self._clock()
        known = self._known.get(key_hash)
        if known is not None and known[1] > now:
            self.stats.hits += 1
            return known[0]
        unknown_until = self._unknown.get(key_hash)
        if unknown_until is not None and unknown_until > now:
            self.stats.negative_hits += 1
            return None
        self.stats.misses += 1
        pending = self._loading.get(key_hash)
        if pending is not None:
            # Concurrent requests for a cold key share one query.
            return await asyncio.shield(pending)
        return await self._load(key_hash)

    async def _load(self, key_hash: str) -> KeySnapshot | None:
        future: asyncio.Future[KeySnapshot | None] = asyncio.get_running_loop().create_future()
        self._loading[key_hash] = future
        generation = self._generation
        try:
            snapshot = await self._loader(key_hash)
        except BaseException as error:
            future.set_exception(error)
            # Retrieve it so a future nobody else awaited does not log "never retrieved".
            future.exception()
            raise
        finally:
            self._loading.pop(key_hash, None)
        if generation == self._generation:
            self._store(key_hash, snapshot)
        future.set_result(snapshot)
        return snapshot

    def _store(self, key_hash: str, snapshot: KeySnapshot | None) -> None:
        now = self._clock()
        if snapshot is not None:
            self._known[key_hash] = (snapshot, now + self._ttl)
            self._unknown.pop(key_hash, None)
            return
        self._unknown[key_hash] = now + self._negative_ttl
        self._unknown.move_to_end(key_hash)
        while len(self._unknown) > self._negative_size:
            self._unknown.popitem(last=False)

    def invalidate(self, key_hash: str) -> None:
        self._generation += 1
        self._known.pop(key_hash, None)
        self._unknown.pop(key_hash, None)

    def clear(self) -> None:
        self._generation += 1
        self._known.clear()
        self._unknown.clear()
