"""Each process's search indexes, one per environment, kept fresh.

An index is rebuilt from the database when adverts change (a ``vacancies`` cache event,
so every process picks an approval up within a second or two) and after midnight UTC,
when the previous day's closing adverts leave it. Rebuilds run in the background, one at
a time, and changes that arrive during one lead to one more: the event poller is never
held up (key revocations must not wait behind a large rebuild). Searches always read a
complete index: a new one replaces the old in one assignment.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.catalog.products import Environment
from apprenticeships.vacancies.repository import VacancyRepository
from apprenticeships.vacancies.search import ColumnBuilder, SearchIndex

log = structlog.get_logger("apprenticeships.vacancies")


class VacancyIndexes:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._indexes: dict[Environment, SearchIndex] = {}
        self._lock = asyncio.Lock()
        self._wanted: asyncio.Event | None = None

    def get(self, environment: Environment) -> SearchIndex:
        return self._indexes[environment]

    async def reload(self) -> None:
        """Rebuild every environment's index now (start-up, tests)."""
        async with self._lock:
            today = datetime.now(UTC).date()
            for environment in Environment:
                builder = ColumnBuilder()
                async with self._sessions() as session:
                    repository = VacancyRepository(session)
                    async for rows in repository.live_for_index(environment, today):
                        builder.add_rows(rows)
                    async for points in repository.addresses_for_index(environment, today):
                        builder.add_points(points)
                self._indexes[environment] = SearchIndex.from_columns(builder, today)

    def request_reload(self) -> None:
        """Ask the background task for a rebuild; returns at once."""
        if self._wanted is None:
            self._wanted = asyncio.Event()
        self._wanted.set()

    async def run(self) -> None:
        """Rebuild when asked, and shortly after each midnight UTC."""
        if self._wanted is None:
            self._wanted = asyncio.Event()
        while True:
            now = datetime.now(UTC)
            midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
            try:
                async with asyncio.timeout((midnight - now).total_seconds() + 1):
                    await self._wanted.wait()
            except TimeoutError:
                pass
            self._wanted.clear()
            try:
                await self.reload()
            except Exception as error:  # the database may be briefly unreachable
                log.error("vacancy_index_rebuild_failed", error=f"{type(error).__name__}: {error}")
                self._wanted.set()
                await asyncio.sleep(5)
