"""Key usage, counted in memory on the hot path and written in batches off it.

Every request the gateway resolved to a key (an active key of the product and
environment asked for) is counted in its hour under the class of its answer, whatever
that answer was: the product's own, a 404 for the version, a 413 or a 429. Requests
that resolved to no key are not counted, for no key can be said to have made them: a
missing, unknown, revoked or expired key, or one for another product or environment,
gets its 401 uncounted.

``record`` is all the hot path pays: a dict increment and a dict store. The background
loop (``run``) adds the counts to ``key_usage_hours`` every ``interval`` seconds, in one
transaction with each key's last use and running total, and once an hour deletes the
counts that are older than the retention period (``usage.service.RETENTION``). The
platform flushes once more on shutdown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.background import Stopping
from apprenticeships.keys.repository import KeyRepository
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.usage.repository import HourCount, UsageRepository
from apprenticeships.usage.service import retention_cutoff
from apprenticeships.usage.vocabulary import StatusClass, status_class

log = structlog.get_logger("apprenticeships.usage")

_SECONDS_PER_HOUR = 3600
PRUNE_EVERY = timedelta(hours=1)

# (key id, hours since the epoch, HTTP status): requests
Counts = dict[tuple[str, int, int], int]


class UsageRecorder:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        interval: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        prune_every: timedelta = PRUNE_EVERY,
    ) -> None:
        self._sessions = sessions
        self._interval = interval
        self._clock = clock  # for pruning; requests bring their own time
        self._prune_every = prune_every
        self._next_prune: datetime | None = None  # the first chance prunes
        self._counts: Counts = {}
        self._last_used: dict[str, float] = {}

    def record(self, key_id: str, at: float, status: int) -> None:
        """Count one request made with the key at ``at`` (Unix time) and answered with
        ``status``. The status is classified when the counts are written, not here."""
        slot = (key_id, int(at) // _SECONDS_PER_HOUR, status)
        counts = self._counts
        counts[slot] = counts.get(slot, 0) + 1
        self._last_used[key_id] = at

    async def flush(self) -> int:
        """Write what was counted since the last flush; how many keys it was for. On
        failure everything is kept for the next flush, and the failure logged."""
        if not self._counts:
            return 0
        # Swapped before the first await: requests from here on count towards the next.
        counts, self._counts = self._counts, {}
        last_used, self._last_used = self._last_used, {}
        hourly: dict[tuple[str, int, StatusClass], int] = {}
        per_key: dict[str, int] = {}
        for (key_id, hour, status), requests in counts.items():
            slot = (key_id, hour, status_class(status))
            hourly[slot] = hourly.get(slot, 0) + requests
            per_key[key_id] = per_key.get(key_id, 0) + requests
        rows = [
            HourCount(key_id, datetime.fromtimestamp(hour * _SECONDS_PER_HOUR, UTC), kind, n)
            for (key_id, hour, kind), n in hourly.items()
        ]
        keys = [
            (key_id, per_key[key_id], datetime.fromtimestamp(last_used[key_id], UTC))
            for key_id in sorted(per_key)
        ]
        try:
            async with unit_of_work(self._sessions) as session:
                await UsageRepository(session).add(rows)
                await KeyRepository(session).record_usage(keys)
        except Exception as error:
            self._keep(counts, last_used)
            log.error("key_usage_flush_failed", error=f"{type(error).__name__}: {error}")
            return 0
        return len(keys)

    def _keep(self, counts: Counts, last_used: dict[str, float]) -> None:
        """Put back counts that could not be written, with those counted meanwhile."""
        for slot, requests in counts.items():
            self._counts[slot] = self._counts.get(slot, 0) + requests
        for key_id, at in last_used.items():
            self._last_used[key_id] = max(at, self._last_used.get(key_id, at))

    async def prune(self) -> int:
        """Delete the counts older than the retention period; how many rows."""
        async with unit_of_work(self._sessions) as session:
            return await UsageRepository(session).delete_before(retention_cutoff(self._clock()))

    async def prune_if_due(self) -> None:
        """Prune at the first call and then once every ``prune_every``; a failure is
        logged and tried again when the next one is due."""
        now = self._clock()
        if self._next_prune is not None and now < self._next_prune:
            return
        self._next_prune = now + self._prune_every
        try:
            deleted = await self.prune()
        except Exception as error:
            log.error("key_usage_prune_failed", error=f"{type(error).__name__}: {error}")
            return
        if deleted:
            log.info("key_usage_pruned", rows=deleted)

    async def run(self, stopping: Stopping) -> None:
        while not await stopping.pause(self._interval):
            await self.flush()
            await self.prune_if_due()
