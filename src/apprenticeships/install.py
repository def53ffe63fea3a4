"""Bring a database to the current schema with what a new platform starts with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from apprenticeships.catalog.service import CatalogService
from apprenticeships.referencedata.service import ReferenceDataService
from apprenticeships.storage import migrate
from apprenticeships.storage.engine import session_factory, unit_of_work
from apprenticeships.storage.events import CacheEventRepository, EventKind


@dataclass(frozen=True, slots=True)
class InstallReport:
    releases: int
    routes: int
    standards: int


async def install(engine: AsyncEngine) -> InstallReport:
    """Migrate, then add the first releases and the shipped reference data. Idempotent."""
    await migrate.upgrade(engine)
    now = datetime.now(UTC)
    async with unit_of_work(session_factory(engine)) as session:
        releases = await CatalogService(session).install_initial_releases(now)
        routes, standards = await ReferenceDataService(session).install_shipped()
        if routes or standards:
            await CacheEventRepository(session).add(EventKind.REFERENCE_DATA, now)
    return InstallReport(len(releases), routes, standards)
