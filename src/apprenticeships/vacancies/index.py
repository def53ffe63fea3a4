"""Each process's search indexes, one per environment, kept fresh.

An index is rebuilt from the database when adverts change (a ``vacancies`` cache event,
so every process sees an approval within a second) and after midnight UTC, when the
previous day's closing adverts leave it. Searches always read a complete index: a new
one replaces the old in one assignment.
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

    def get(self, environment: Environment) -> SearchIndex:
        return self._indexes[environment]

    async def reload(self) -> None:
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

    async def run(self) -> None:
        """Rebuild shortly after each midnight UTC (searches also filter by date)."""
        while True:
            now = datetime.now(UTC)
            midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
            await asyncio.sleep((midnight - now).total_seconds() + 1)
            try:
                await self.reload()
            except Exception as error:  # the database may be briefly unreachable
                log.error("vacancy_index_rebuild_failed", error=f"{type(error).__name__}: {error}")
