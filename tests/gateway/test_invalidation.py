"""Cache events carry revocations and releases to every process, on both databases."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.gateway.invalidation import CacheEventPoller
from apprenticeships.gateway.keycache import KeyCache
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.events import CacheEventRepository, EventKind
from apprenticeships.storage.models import CacheEvent
from tests import builders


class Recorder:
    def __init__(self) -> None:
        self.catalog = 0
        self.reference_data = 0

    async def reload_catalog(self) -> None:
        self.catalog += 1

    def reload_reference_data(self) -> None:
        self.reference_data += 1

    def reloaders(self) -> dict[EventKind, Callable[[], object]]:
        return {
            EventKind.CATALOG: self.reload_catalog,
            EventKind.REFERENCE_DATA: self.reload_reference_data,
        }


async def never(key_hash: str) -> None:
    raise AssertionError("the poller must not load keys")


async def test_poller_applies_each_kind_of_event_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cache = KeyCache(never)
    cache._unknown["h1"] = float("inf")
    cache._unknown["h2"] = float("inf")
    recorder = Recorder()
    poller = CacheEventPoller(sessions, cache, recorder.reloaders(), 0.5)
    await poller.start_from_latest()
    async with unit_of_work(sessions) as session:
        events = CacheEventRepository(session)
        await events.add(EventKind.KEY, builders.now(), "h1")
        await events.add(EventKind.CATALOG, builders.now())
        await events.add(EventKind.REFERENCE_DATA, builders.now())
    assert await poller.poll_once() == 3
    assert "h1" not in cache._unknown
    assert "h2" in cache._unknown
    assert (recorder.catalog, recorder.reference_data) == (1, 1)
    assert await poller.poll_once() == 0  # nothing is applied twice
    async with unit_of_work(sessions) as session:
        await CacheEventRepository(session).add(EventKind.ALL_KEYS, builders.now())
    await poller.poll_once()
    assert not cache._unknown


async def test_an_event_committed_late_with_a_lower_id_is_still_applied(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cache = KeyCache(never)
    recorder = Recorder()
    poller = CacheEventPoller(sessions, cache, recorder.reloaders(), 0.5)
    await poller.start_from_latest()
    async with unit_of_work(sessions) as session:
        events = CacheEventRepository(session)
        for name in ("a", "b", "c"):
            await events.add(EventKind.KEY, builders.now(), name)
    async with sessions() as session:
        rows = await CacheEventRepository(session).since(0)
    first, second, third = (event.id for event in rows[-3:])
    # As if the transaction that wrote the middle event committed after the poll.
    async with unit_of_work(sessions) as session:
        await session.execute(delete(CacheEvent).where(CacheEvent.id == second))
    await poller.poll_once()
    assert second in poller._gaps
    async with unit_of_work(sessions) as session:
        session.add(CacheEvent(id=second, kind="catalog", key_hash=None, created_at=builders.now()))
    await poller.poll_once()
    assert recorder.catalog == 1
    assert second not in poller._gaps
    assert (first, third) == (second - 1, second + 1)


async def test_events_older_than_a_day_are_pruned(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    async with unit_of_work(sessions) as session:
        events = CacheEventRepository(session)
        await events.add(EventKind.KEY, builders.now() - timedelta(days=2), "old")
        await events.add(EventKind.KEY, builders.now(), "new")
    poller = CacheEventPoller(sessions, KeyCache(never), {}, 0.5)
    await poller.prune()
    async with sessions() as session:
        left = list(
            await session.scalars(select(CacheEvent.key_hash).where(CacheEvent.kind == "key"))
        )
    assert left == ["new"]
