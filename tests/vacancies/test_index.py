"""Each process's search index: an approval or withdrawal refreshes only the small delta
(the base stays as built); a large batch of changes, or a new day, rebuilds the base."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.catalog.products import Environment
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import Vacancy
from apprenticeships.vacancies import index as index_module
from apprenticeships.vacancies.index import VacancyIndexes
from apprenticeships.vacancies.search import SearchQuery
from tests import builders


@dataclass
class Parties:
    employer: str
    legal_entity: str
    ukprn: str


@pytest.fixture
async def parties(sessions: async_sessionmaker[AsyncSession]) -> Parties:
    employer = await builders.create_employer(sessions)
    legal_entity = await builders.create_legal_entity(sessions, employer)
    ukprn = await builders.create_provider(sessions)
    return Parties(employer, legal_entity, ukprn)


def live_references(indexes: VacancyIndexes) -> list[int]:
    result = indexes.get(Environment.LIVE).search(SearchQuery(page_size=100), builders.now())
    return sorted(result.references)


async def set_status(
    sessions: async_sessionmaker[AsyncSession], reference: int, status: str
) -> None:
    async with unit_of_work(sessions) as session:
        await session.execute(
            update(Vacancy)
            .where(Vacancy.reference == reference)
            .values(status=status, updated_at=builders.now())
        )


async def test_changes_refresh_the_delta_and_keep_the_base(
    sessions: async_sessionmaker[AsyncSession], parties: Parties
) -> None:
    yesterday = builders.now() - timedelta(days=1)
    old = [
        await builders.create_vacancy(sessions, **vars(parties), updated=yesterday)
        for _ in range(3)
    ]
    waiting = await builders.create_vacancy(
        sessions, **vars(parties), status="Submitted", updated=yesterday
    )
    indexes = VacancyIndexes(sessions)
    await indexes.reload()
    base = indexes.get(Environment.LIVE).base
    assert live_references(indexes) == sorted(old)

    await set_status(sessions, waiting, "Live")  # approved
    await set_status(sessions, old[0], "Closed")  # withdrawn
    await indexes.refresh()
    current = indexes.get(Environment.LIVE)
    # The base's arrays are shared, not rebuilt; only its alive mask is new.
    assert current.base.references is base.references, "an approval must not rebuild the base"
    assert current.base.ranks is base.ranks
    assert current.delta is not None and len(current.delta) == 1
    assert live_references(indexes) == sorted([*old[1:], waiting])
    assert current.search(SearchQuery(), builders.now()).total == 3

    # Refreshing again changes nothing; the sandbox is untouched.
    await indexes.refresh()
    assert live_references(indexes) == sorted([*old[1:], waiting])
    assert len(indexes.get(Environment.SANDBOX)) == 0


async def test_many_changes_rebuild_the_base(
    sessions: async_sessionmaker[AsyncSession], parties: Parties, monkeypatch: pytest.MonkeyPatch
) -> None:
    yesterday = builders.now() - timedelta(days=1)
    old = [
        await builders.create_vacancy(sessions, **vars(parties), updated=yesterday)
        for _ in range(4)
    ]
    indexes = VacancyIndexes(sessions)
    await indexes.reload()
    base = indexes.get(Environment.LIVE).base
    monkeypatch.setattr(index_module, "DELTA_LIMIT", 2)
    for reference in old[:3]:
        await set_status(sessions, reference, "Closed")
    await indexes.refresh()
    current = indexes.get(Environment.LIVE)
    assert current.base.references is not base.references
    assert current.delta is None
    assert live_references(indexes) == [old[3]]
