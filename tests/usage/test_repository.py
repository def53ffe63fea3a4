"""Hourly counts are added, never overwritten: by one recorder over time, by two
recorders (as two processes would) and by two transactions racing for one row; on
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from apprenticeships.gateway.usage import UsageRecorder
from apprenticeships.storage.engine import create_engine, session_factory, unit_of_work
from apprenticeships.storage.models import ApiKey, KeyUsageHour
from apprenticeships.usage.repository import HourCount, UsageRepository
from apprenticeships.usage.vocabulary import StatusClass
from tests import builders

SECRET = b"test-secret"
HOUR = datetime(2026, 3, 10, 14, tzinfo=UTC)


async def stored(
    sessions: async_sessionmaker[AsyncSession],
) -> list[tuple[str, datetime, str, int]]:
    async with sessions() as session:
        result = await session.execute(
            select(
                KeyUsageHour.key_id,
                KeyUsageHour.hour,
                KeyUsageHour.status_class,
                KeyUsageHour.requests,
            ).order_by(KeyUsageHour.key_id, KeyUsageHour.hour, KeyUsageHour.status_class)
        )
        return [tuple(row) for row in result]


async def new_key(sessions: async_sessionmaker[AsyncSession], email: str) -> str:
    developer = await builders.create_developer(sessions, email)
    return (await builders.issue_key(sessions, SECRET, f"developer:{developer}")).key_id


@pytest.fixture
async def engines(database_url: str) -> AsyncIterator[list[AsyncEngine]]:
    """Two engines on one database: two processes' connection pools."""
    made = [create_engine(database_url) for _ in range(2)]
    yield made
    for engine in made:
        await engine.dispose()


async def test_added_counts_make_rows_then_add_to_them(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        await UsageRepository(session).add(
            [
                HourCount("k1", HOUR, StatusClass.SUCCESS, 3),
                HourCount("k1", HOUR, StatusClass.RATE_LIMITED, 1),
                HourCount("k2", HOUR + timedelta(hours=1), StatusClass.SERVER_ERROR, 2),
            ]
        )
    async with unit_of_work(sessions) as session:
        await UsageRepository(session).add(
            [
                HourCount("k1", HOUR, StatusClass.SUCCESS, 4),
                HourCount("k1", HOUR + timedelta(hours=1), StatusClass.SUCCESS, 1),
            ]
        )
    assert await stored(sessions) == [
        ("k1", HOUR, "2xx", 7),
        ("k1", HOUR, "429", 1),
        ("k1", HOUR + timedelta(hours=1), "2xx", 1),
        ("k2", HOUR + timedelta(hours=1), "5xx", 2),
    ]


async def test_two_recorders_add_to_the_same_rows_without_losing_counts(
    sessions: async_sessionmaker[AsyncSession], engines: list[AsyncEngine]
) -> None:
    key = await new_key(sessions, "two@example.com")
    first, second = (UsageRecorder(session_factory(e), interval=60) for e in engines)
    at = HOUR.timestamp() + 60
    for _ in range(3):
        first.record(key, at, 200)
    for _ in range(4):
        second.record(key, at + 1, 200)
    second.record(key, at + 2, 429)
    # Both write at once, each in its own transaction on its own connection.
    assert await asyncio.gather(first.flush(), second.flush()) == [1, 1]
    first.record(key, at + 3, 200)
    second.record(key, at + 4, 429)
    await asyncio.gather(first.flush(), second.flush())
    assert await stored(sessions) == [(key, HOUR, "2xx", 8), (key, HOUR, "429", 2)]
    async with sessions() as session:
        row = await session.get(ApiKey, key)
    assert row is not None
    assert row.usage_count == 10
    assert row.last_used_at == datetime.fromtimestamp(at + 4, UTC)


async def wait_for_lock_wait(engine: AsyncEngine, deadline: float) -> None:
    """Until another connection to this database waits for a row lock."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while time.monotonic() < deadline:
        async with engine.connect() as connection:
            if await connection.scalar(query):
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the second transaction never waited for the first")


@pytest.mark.parametrize("row_exists", [False, True], ids=["new row", "existing row"])
async def test_racing_additions_to_one_row_wait_and_add_on_postgresql(
    postgres_url: str, row_exists: bool
) -> None:
    """Two transactions add to one row at once: the second waits for the first to commit,
    then adds to what it committed (a read-then-write would have lost one count)."""
    engines = [create_engine(postgres_url) for _ in range(3)]
    first, second = (session_factory(engine) for engine in engines[:2])
    try:
        if row_exists:
            async with unit_of_work(first) as session:
                await UsageRepository(session).add([HourCount("k", HOUR, StatusClass.SUCCESS, 1)])

        async def add(requests: int) -> None:
            async with unit_of_work(second) as session:
                await UsageRepository(session).add(
                    [HourCount("k", HOUR, StatusClass.SUCCESS, requests)]
                )

        async with unit_of_work(first) as session:
            await UsageRepository(session).add([HourCount("k", HOUR, StatusClass.SUCCESS, 5)])
            racing = asyncio.create_task(add(7))
            await wait_for_lock_wait(engines[2], time.monotonic() + 10)
            assert not racing.done()
        await asyncio.wait_for(racing, timeout=10)
        assert await stored(first) == [("k", HOUR, "2xx", 12 + row_exists)]
    finally:
        for engine in engines:
            await engine.dispose()


async def test_delete_before_keeps_the_hour_it_is_given(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cutoff = HOUR - timedelta(days=90)
    async with unit_of_work(sessions) as session:
        await UsageRepository(session).add(
            [
                HourCount("k", cutoff - timedelta(hours=1), StatusClass.SUCCESS, 1),
                HourCount("k", cutoff - timedelta(days=30), StatusClass.CLIENT_ERROR, 1),
                HourCount("k", cutoff, StatusClass.SUCCESS, 2),
                HourCount("k", HOUR, StatusClass.SUCCESS, 3),
            ]
        )
    async with unit_of_work(sessions) as session:
        assert await UsageRepository(session).delete_before(cutoff) == 2
    assert await stored(sessions) == [("k", cutoff, "2xx", 2), ("k", HOUR, "2xx", 3)]
