"""Key usage through the real gateway and recorder: what is counted and under which
class, that counts survive a failed write and reach the database on shutdown, and that
counts older than 90 days are pruned, now and then; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.background import Stopping, stop_all
from apprenticeships.gateway.usage import UsageRecorder
from apprenticeships.storage.engine import create_engine, session_factory, unit_of_work
from apprenticeships.storage.models import ApiKey, KeyUsageHour
from apprenticeships.usage.service import RETENTION, retention_cutoff
from tests import builders
from tests.conftest import PlatformFactory
from tests.support.asgi import call
from tests.support.clocks import ManualClock

SECRET = b"test-secret"
ROUTES = "/vacancies/referencedata/courses/routes"
SEARCH = "/vacancies/vacancy"


def api_headers(key: str, version: str = "2") -> list[tuple[bytes, bytes]]:
    return [(b"ocp-apim-subscription-key", key.encode()), (b"x-version", version.encode())]


def hour_of(moment: float) -> datetime:
    return datetime.fromtimestamp(moment - moment % 3600, UTC)


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


def logged(output: str, event: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == event]


async def test_every_request_that_resolved_to_a_key_is_counted_by_class_429s_included(
    platform_factory: PlatformFactory,
) -> None:
    clock = ManualClock(time.time())
    async with platform_factory(rate_limit="3/300", epoch_clock=clock) as platform:
        sessions = platform.sessions
        developer = await builders.create_developer(sessions)
        employer = await builders.create_employer(sessions)
        key = await builders.issue_key(sessions, platform.secret_key, f"developer:{developer}")
        revoked = await builders.issue_key(
            sessions, platform.secret_key, f"developer:{developer}", "display-advert-sandbox"
        )
        recruitment = await builders.issue_key(
            sessions, platform.secret_key, f"employer:{employer}", "recruitment"
        )
        statuses = [
            (await call(platform, ROUTES, api_headers(key.secret))).status,
            (await call(platform, ROUTES, api_headers(key.secret, "99"))).status,
            (await call(platform, SEARCH, api_headers(key.secret), query=b"PageSize=0")).status,
            (await call(platform, ROUTES, api_headers(key.secret))).status,
            (await call(platform, ROUTES, api_headers(key.secret))).status,
            (await call(platform, ROUTES, api_headers(key.secret))).status,
        ]
        assert statuses == [200, 404, 400, 200, 429, 429]
        sandbox = "/sandbox" + ROUTES
        assert (await call(platform, sandbox, api_headers(revoked.secret))).status == 200
        await builders.revoke_key(sessions, platform.secret_key, revoked.key_id)
        await platform.poller.poll_once()
        # Requests that resolved to no key are not counted for any key.
        refused = [
            await call(platform, sandbox, api_headers(revoked.secret)),  # revoked
            await call(platform, ROUTES, api_headers(recruitment.secret)),  # other product
            await call(platform, sandbox, api_headers(key.secret)),  # other environment
            await call(platform, ROUTES, [(b"x-version", b"2")]),  # no key
        ]
        assert [r.status for r in refused] == [401] * 4
        assert await platform.usage.flush() == 2
        hour = hour_of(clock.now)
        assert sorted(await stored(sessions)) == sorted(
            [
                (key.key_id, hour, "2xx", 2),
                (key.key_id, hour, "4xx", 2),
                (key.key_id, hour, "429", 2),
                (revoked.key_id, hour, "2xx", 1),
            ]
        )
        async with sessions() as session:
            row = await session.get(ApiKey, key.key_id)
            unused = await session.get(ApiKey, recruitment.key_id)
        assert row is not None and unused is not None
        assert row.usage_count == 6
        assert row.last_used_at == datetime.fromtimestamp(clock.now, UTC)
        assert (unused.usage_count, unused.last_used_at) == (0, None)


async def test_requests_are_counted_in_the_hour_they_were_made(
    platform_factory: PlatformFactory,
) -> None:
    # The next hour: the versions were released when the database was made, just now.
    hour = hour_of(time.time()) + timedelta(hours=1)
    clock = ManualClock(hour.timestamp() - 0.001)
    async with platform_factory(epoch_clock=clock) as platform:
        key = await builders.developer_key(platform)
        assert (await call(platform, ROUTES, api_headers(key))).status == 200
        clock.advance(0.001)
        assert (await call(platform, ROUTES, api_headers(key))).status == 200
        await platform.usage.flush()
        assert [(h, c, n) for _, h, c, n in await stored(platform.sessions)] == [
            (hour - timedelta(hours=1), "2xx", 1),
            (hour, "2xx", 1),
        ]


async def test_counts_are_written_when_the_platform_shuts_down(
    platform_factory: PlatformFactory,
) -> None:
    async with platform_factory(usage_flush_seconds=3600) as platform:
        key = await builders.developer_key(platform)
        for _ in range(3):
            assert (await call(platform, ROUTES, api_headers(key))).status == 200
        assert await stored(platform.sessions) == []
        url = platform.settings.async_database_url
    engine = create_engine(url)
    try:
        rows = await stored(session_factory(engine))
    finally:
        await engine.dispose()
    assert [(c, n) for _, _, c, n in rows] == [("2xx", 3)]


async def test_a_failed_write_keeps_the_counts_for_the_next_one(
    sessions: async_sessionmaker[AsyncSession], capfd: pytest.CaptureFixture[str]
) -> None:
    developer = await builders.create_developer(sessions)
    key = (await builders.issue_key(sessions, SECRET, f"developer:{developer}")).key_id
    recorder = UsageRecorder(sessions, interval=60)
    moment = time.time()
    for status in (200, 200, 429, 503):
        recorder.record(key, moment, status)
    async with unit_of_work(sessions) as session:
        await session.execute(text("ALTER TABLE key_usage_hours RENAME TO key_usage_hours_away"))
    capfd.readouterr()
    assert await recorder.flush() == 0
    [entry] = logged(capfd.readouterr().out, "key_usage_flush_failed")
    assert entry["level"] == "error"
    assert "key_usage_hours" in entry["error"]
    async with unit_of_work(sessions) as session:
        await session.execute(text("ALTER TABLE key_usage_hours_away RENAME TO key_usage_hours"))
    # Nothing of the failed batch was written, not even the key's last use.
    assert await stored(sessions) == []
    async with sessions() as session:
        row = await session.get(ApiKey, key)
        assert row is not None and (row.usage_count, row.last_used_at) == (0, None)
    recorder.record(key, moment + 1, 200)  # counted meanwhile
    assert await recorder.flush() == 1
    hour = hour_of(moment)
    assert await stored(sessions) == [
        (key, hour, "2xx", 3),
        (key, hour, "429", 1),
        (key, hour, "5xx", 1),
    ]
    async with sessions() as session:
        row = await session.get(ApiKey, key)
    assert row is not None
    assert (row.usage_count, row.last_used_at) == (5, datetime.fromtimestamp(moment + 1, UTC))
    assert await recorder.flush() == 0  # nothing left over


class Now:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_counts_older_than_90_days_are_pruned_once_an_hour(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    assert timedelta(days=90) == RETENTION
    clock = Now(datetime(2026, 3, 10, 14, 10, tzinfo=UTC))
    cutoff = retention_cutoff(clock())
    assert cutoff == datetime(2025, 12, 10, 14, tzinfo=UTC)
    recorder = UsageRecorder(sessions, interval=60, clock=clock)
    recorder.record("k", cutoff.timestamp() - 0.001, 200)  # in the hour before the cutoff
    recorder.record("k", cutoff.timestamp(), 200)  # 90 days before the current hour
    recorder.record("k", clock().timestamp(), 200)
    await recorder.flush()
    await recorder.prune_if_due()  # the first chance prunes
    kept = [(cutoff, "2xx", 1), (cutoff + timedelta(days=90), "2xx", 1)]
    assert [(h, c, n) for _, h, c, n in await stored(sessions)] == kept

    # Half an hour later: not due, so a count as old as the one pruned stays for now.
    clock.now += timedelta(minutes=30)
    recorder.record("k", cutoff.timestamp() - 0.001, 404)
    await recorder.flush()
    await recorder.prune_if_due()
    assert len(await stored(sessions)) == 3

    # An hour after the last pruning it is due; the cutoff has moved on by an hour too.
    clock.now += timedelta(minutes=30)
    await recorder.prune_if_due()
    assert [(h, c, n) for _, h, c, n in await stored(sessions)] == kept[1:]


async def test_the_background_loop_writes_the_counts_on_its_own(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    recorder = UsageRecorder(sessions, interval=0.01)
    moment = time.time()
    recorder.record("k", moment, 200)
    stopping = Stopping()
    running = asyncio.create_task(recorder.run(stopping))
    try:
        deadline = time.monotonic() + 10
        while not await stored(sessions):
            assert time.monotonic() < deadline, "the loop never wrote the counts"
            await asyncio.sleep(0.01)
    finally:
        await stop_all(stopping, [running])
    assert running.done() and not running.cancelled()
    assert await stored(sessions) == [("k", hour_of(moment), "2xx", 1)]
