"""Carries other processes' changes (revoked keys, new releases, new reference data) into
this process's caches.

Every change is written to the ``cache_events`` table in the same transaction as the
change itself, so no change can be lost; each process reads the new events every
``interval`` seconds (0.5 by default), well inside the 1-second promise. PostgreSQL can
commit a lower id after a higher one, so ids skipped over are re-checked for a while.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.background import Stopping
from apprenticeships.gateway.keycache import KeyCache
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.events import CacheEventRepository, EventKind

log = structlog.get_logger("apprenticeships.invalidation")

GAP_PATIENCE_SECONDS = 30.0
# Events are only needed until every process has read them; a day is plenty.
EVENT_RETENTION = timedelta(days=1)
PRUNE_EVERY_SECONDS = 3600.0
MAX_GAPS = 10_000


class CacheEventPoller:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        key_cache: KeyCache,
        reloaders: Mapping[EventKind, Callable[[], object]],
        interval: float,
    ) -> None:
        """``reloaders`` maps an event kind (catalog, reference data, adverts) to what
        re-reads that part; each runs at most once per poll however many events came.
        Key events go to the key cache."""
        self._sessions = sessions
        self._key_cache = key_cache
        self._reloaders = reloaders
        self._interval = interval
        self._last_id = 0
        self._gaps: dict[int, float] = {}
        self._pruned_at = -math.inf

    async def start_from_latest(self) -> None:
        async with self._sessions() as session:
            self._last_id = await CacheEventRepository(session).latest_id()

    async def poll_once(self) -> int:
        async with self._sessions() as session:
            events = await CacheEventRepository(session).since(self._last_id, list(self._gaps))
        changed: set[EventKind] = set()
        now = time.monotonic()
        for event in events:
            self._gaps.pop(event.id, None)
            if event.id > self._last_id:
                for missing in range(self._last_id + 1, event.id):
                    if len(self._gaps) < MAX_GAPS:
                        self._gaps[missing] = now
                self._last_id = event.id
            if event.kind is EventKind.KEY and event.key_hash is not None:
                self._key_cache.invalidate(event.key_hash)
            elif event.kind is EventKind.ALL_KEYS:
                self._key_cache.clear()
            elif event.kind is not None and event.kind in self._reloaders:
                changed.add(event.kind)
        self._gaps = {i: t for i, t in self._gaps.items() if now - t < GAP_PATIENCE_SECONDS}
        for kind in sorted(changed):
            await _maybe_await(self._reloaders[kind]())
        return len(events)

    async def prune(self) -> None:
        """Delete old events (any process may; deleting twice is harmless)."""
        async with unit_of_work(self._sessions) as session:
            await CacheEventRepository(session).prune(datetime.now(UTC) - EVENT_RETENTION)

    async def run(self, stopping: Stopping) -> None:
        failing = False
        while not stopping.asked:
            try:
                await self.poll_once()
                if time.monotonic() - self._pruned_at >= PRUNE_EVERY_SECONDS:
                    self._pruned_at = time.monotonic()
                    await self.prune()
                if failing:
                    log.warning("cache_events_poll_recovered")
                    failing = False
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database may be briefly unreachable
                if not failing:
                    log.error("cache_events_poll_failed", error=f"{type(error).__name__}: {error}")
                    failing = True
            await stopping.pause(self._interval)


async def _maybe_await(value: object) -> None:
    if asyncio.iscoroutine(value):
        await value
