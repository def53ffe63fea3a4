"""Key usage (last used, count), gathered in memory and written in batches off the hot path."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.keys.repository import KeyRepository
from apprenticeships.storage.engine import unit_of_work

log = structlog.get_logger("apprenticeships.usage")


@dataclass(slots=True)
class _Usage:
    count: int
    last_used: float


class UsageRecorder:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], interval: float) -> None:
        self._sessions = sessions
        self._interval = interval
        self._pending: dict[str, _Usage] = {}

    def record(self, key_id: str, at: float) -> None:
        usage = self._pending.get(key_id)
        if usage is None:
            self._pending[key_id] = _Usage(1, at)
        else:
            usage.count += 1
            usage.last_used = at

    async def flush(self) -> int:
        """Write what was gathered; on failure keep it for the next flush."""
        if not self._pending:
            return 0
        batch, self._pending = self._pending, {}
        rows = [
            (key_id, usage.count, datetime.fromtimestamp(usage.last_used, UTC))
            for key_id, usage in sorted(batch.items())
        ]
        try:
            async with unit_of_work(self._sessions) as session:
                await KeyRepository(session).record_usage(rows)
        except Exception as error:
            for key_id, usage in batch.items():
                kept = self._pending.setdefault(key_id, _Usage(0, usage.last_used))
                kept.count += usage.count
                kept.last_used = max(kept.last_used, usage.last_used)
            log.error("key_usage_flush_failed", error=f"{type(error).__name__}: {error}")
            return 0
        return len(rows)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.flush()
