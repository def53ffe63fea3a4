"""Releases and the version lifecycle through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.catalog.lifecycle import VersionState
from apprenticeships.catalog.products import DISPLAY_ADVERT, PRODUCTS
from apprenticeships.catalog.service import CatalogError, CatalogService
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import ApiVersion, CacheEvent

# A build that implements a third version of the Display advert API.
DISPLAY_ADVERT_V3 = replace(DISPLAY_ADVERT, versions=(1, 2, 3))
WITH_V3 = tuple(DISPLAY_ADVERT_V3 if p.id == DISPLAY_ADVERT.id else p for p in PRODUCTS)


async def states(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> dict[int, VersionState]:
    async with sessions() as session:
        listing = await CatalogService(session, WITH_V3).list_versions(now, 3)
    display = next(entry for entry in listing if entry.product.id == "display-advert")
    return {status.version: status.state for status in display.versions}


async def test_a_new_platform_serves_display_advert_v1_deprecated_beside_v2(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    now = datetime.now(UTC)
    assert await states(sessions, now) == {
        1: VersionState.DEPRECATED,
        2: VersionState.CURRENT,
        3: VersionState.UNRELEASED,
    }
    # Three months after installation, version 1 is gone.
    assert (await states(sessions, now + timedelta(days=93)))[1] is VersionState.DECOMMISSIONED


async def test_release_makes_the_next_version_current_and_retires_the_oldest(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        released = await CatalogService(session, WITH_V3).release(
            DISPLAY_ADVERT_V3, datetime.now(UTC)
        )
    assert released == 3
    assert await states(sessions, datetime.now(UTC) + timedelta(seconds=1)) == {
        1: VersionState.DECOMMISSIONED,
        2: VersionState.DEPRECATED,
        3: VersionState.CURRENT,
    }
    async with sessions() as session:
        kinds = list(await session.scalars(select(CacheEvent.kind)))
        assert "catalog" in kinds
    async with unit_of_work(sessions) as session:
        with pytest.raises(CatalogError, match="version 3 is already the newest"):
            await CatalogService(session, WITH_V3).release(DISPLAY_ADVERT_V3, datetime.now(UTC))


async def test_initial_releases_are_installed_once_and_never_override_the_operator(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        assert await CatalogService(session).install_initial_releases(datetime.now(UTC)) == []
        await session.execute(delete(ApiVersion).where(ApiVersion.product_id == "track-progress"))
    async with unit_of_work(sessions) as session:
        added = await CatalogService(session).install_initial_releases(datetime.now(UTC))
    assert added == [("track-progress", 1)]
