"""Each process's search indexes, one per environment, kept fresh.

An environment's index is a large base, built from every live advert, and a small delta
of the adverts that changed since the base was built (approved, edited, withdrawn), which
are hidden from the base. A ``vacancies`` cache event (an approval, an import) rebuilds
only the delta: milliseconds, even with a million adverts in the base, so every process
shows an approved advert within a second or two. When the delta grows past a share of
the base, and after each midnight UTC (when the previous day's closing adverts leave),
the base is rebuilt instead.

Rebuilds run in the background, one at a time, and changes that arrive during one lead to
one more: the event poller is never held up. Searches always read a complete index: a new
one replaces the old in one assignment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.background import Stopping
from apprenticeships.catalog.products import Environment
from apprenticeships.vacancies.repository import VacancyRepository
from apprenticeships.vacancies.search import ColumnBuilder, SearchIndex, SegmentedIndex
from apprenticeships.vacancies.shapes import approximate_location

log = structlog.get_logger("apprenticeships.vacancies")

# Changes are read back to this long before a base build started, so a change committed
# by a transaction that began before the build (and so was not in it) is never missed.
COMMIT_MARGIN = timedelta(minutes=5)
# The base is rebuilt once the delta would hold more than this many adverts, or this
# share of the base.
DELTA_LIMIT = 5_000
DELTA_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class _Built:
    base: SearchIndex
    # Changes at or after this moment belong to the delta.
    changes_from: datetime
    index: SegmentedIndex


async def _gather(
    repository: VacancyRepository,
    environment: Environment,
    today: date,
    changed_since: datetime | None = None,
) -> ColumnBuilder:
    """The columns of the live adverts (those changed since ``changed_since``, if given)."""
    builder = ColumnBuilder()
    builder.add_courses(await repository.courses_for_index())
    builder.add_providers(await repository.providers_for_index())
    async for rows in repository.live_for_index(environment, today, changed_since=changed_since):
        builder.add_rows(rows)
    points = repository.addresses_for_index(environment, today, changed_since=changed_since)
    async for chunk in points:
        builder.add_points(_published(chunk))
    return builder


def _published(points: Iterable[Sequence[Any]]) -> Iterable[tuple[int, float, float]]:
    """Address points as the Display advert API publishes them: an anonymous employer's
    at its approximate location, so searches never measure from the exact one (D9)."""
    for advert_id, latitude, longitude, anonymous in points:
        if anonymous:
            yield (advert_id, *approximate_location(latitude, longitude))
        else:
            yield advert_id, latitude, longitude


class VacancyIndexes:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._built: dict[Environment, _Built] = {}
        self._lock = asyncio.Lock()
        self._wanted: asyncio.Event | None = None

    def get(self, environment: Environment) -> SegmentedIndex:
        return self._built[environment].index

    async def reload(self) -> None:
        """Rebuild every environment's base index now (start-up, midnight, tests)."""
        async with self._lock:
            for environment in Environment:
                await self._rebuild(environment)

    async def refresh(self) -> None:
        """Bring every environment up to date with the adverts' changes: the delta only,
        unless it has grown too large."""
        async with self._lock:
            for environment in Environment:
                built = self._built.get(environment)
                if built is None or not await self._refresh_delta(environment, built):
                    await self._rebuild(environment)

    async def _rebuild(self, environment: Environment) -> None:
        started = datetime.now(UTC)
        today = started.date()
        async with self._sessions() as session:
            builder = await _gather(VacancyRepository(session), environment, today)
        base = SearchIndex.from_columns(builder, today)
        self._built[environment] = _Built(base, started - COMMIT_MARGIN, SegmentedIndex(base))

    async def _refresh_delta(self, environment: Environment, built: _Built) -> bool:
        """Rebuild the delta from everything that changed since the base was built; False
        (and nothing done) when the base should be rebuilt instead."""
        today = datetime.now(UTC).date()
        if today != built.base.built_for:
            return False
        limit = max(DELTA_LIMIT, int(len(built.base) * DELTA_SHARE))
        async with self._sessions() as session:
            repository = VacancyRepository(session)
            changed = await repository.changed_since(environment, built.changes_from)
            if len(changed) > limit:
                return False
            delta = await self._delta(repository, environment, today, built.changes_from)
        self._built[environment] = _Built(
            built.base,
            built.changes_from,
            SegmentedIndex(built.base.hiding(changed), delta),
        )
        return True

    @staticmethod
    async def _delta(
        repository: VacancyRepository, environment: Environment, today: date, since: datetime
    ) -> SearchIndex:
        builder = await _gather(repository, environment, today, since)
        return SearchIndex.from_columns(builder, today)

    def request_reload(self) -> None:
        """Ask the background task to catch up with the adverts' changes; returns at once."""
        if self._wanted is None:
            self._wanted = asyncio.Event()
        self._wanted.set()

    async def run(self, stopping: Stopping) -> None:
        """Refresh when asked, and rebuild shortly after each midnight UTC."""
        if self._wanted is None:
            self._wanted = asyncio.Event()
        while True:
            now = datetime.now(UTC)
            midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
            if await stopping.pause((midnight - now).total_seconds() + 1, or_when=self._wanted):
                return
            asked = self._wanted.is_set()
            self._wanted.clear()
            try:
                await (self.refresh() if asked else self.reload())
            except Exception as error:  # the database may be briefly unreachable
                log.error("vacancy_index_rebuild_failed", error=f"{type(error).__name__}: {error}")
                self._wanted.set()
                if await stopping.pause(5):
                    return
