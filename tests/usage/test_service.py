"""What the portal reads: counts written by the recorder, read back in whole UTC hours,
at hour boundaries and at both edges of the 24-hour and 7-day windows, scoped to one
organisation; on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.service import AccountService, OwnerRef
from apprenticeships.errors import NotFound
from apprenticeships.gateway.usage import UsageRecorder
from apprenticeships.usage.service import (
    CHART_HOURS,
    HourUsage,
    KeySummary,
    StatusMix,
    UsageChart,
    UsageService,
)
from apprenticeships.usage.vocabulary import StatusClass
from tests import builders

SECRET = b"test-secret"
H = datetime(2026, 3, 10, 14, tzinfo=UTC)  # the current hour in these tests
NOW = H + timedelta(minutes=30)
MS = 0.001


@dataclass
class Org:
    id: int
    keys: list[str]


async def organisation(sessions: async_sessionmaker[AsyncSession], email: str, keys: int) -> Org:
    developer = await builders.create_developer(sessions, email)
    issued = [
        (await builders.issue_key(sessions, SECRET, f"developer:{developer}", name=f"k{n}")).key_id
        for n in range(keys)
    ]
    async with sessions() as session:
        found = await AccountService(session).find_owner(OwnerRef.parse(f"developer:{developer}"))
    return Org(found.id, issued)


def at(moment: datetime, seconds: float = 0.0) -> float:
    return moment.timestamp() + seconds


@pytest.fixture
async def orgs(sessions: async_sessionmaker[AsyncSession]) -> tuple[Org, Org, Org]:
    """Three organisations; the first two keys used around the hour ``H``."""
    first = await organisation(sessions, "first@example.com", 2)
    second = await organisation(sessions, "second@example.com", 1)
    idle = await organisation(sessions, "idle@example.com", 1)
    a, b = first.keys
    (c,) = second.keys
    recorder = UsageRecorder(sessions, interval=60)
    uses = [
        (a, at(H - timedelta(hours=168), -MS), 200, 7),  # a millisecond before the chart
        (a, at(H - timedelta(hours=167)), 301, 1),  # the chart's first hour
        (a, at(H - timedelta(hours=23), -MS), 200, 5),  # a millisecond before the 24 hours
        (a, at(H - timedelta(hours=23)), 429, 3),  # the first of the 24 hours
        (a, at(H, -MS), 404, 1),  # the hour before the current one
        (a, at(H), 500, 1),  # the current hour, from its first moment
        (a, at(NOW, -60), 200, 2),
        (b, at(H, 1), 429, 2),
        (b, at(H + timedelta(hours=1)), 200, 11),  # a process whose clock runs ahead
        (c, at(H), 200, 13),
    ]
    for key_id, moment, status, times in uses:
        for _ in range(times):
            recorder.record(key_id, moment, status)
    assert await recorder.flush() == 3
    return first, second, idle


def service(session: AsyncSession, now: datetime) -> UsageService:
    return UsageService(session, lambda: now)


def nonzero(chart: UsageChart) -> dict[int, StatusMix]:
    """The chart's hours that had requests, by how many hours before the current one."""
    return {
        CHART_HOURS - 1 - index: hour.mix for index, hour in enumerate(chart.hours) if hour.requests
    }


async def test_key_summaries_count_the_24_hours_up_to_now_and_last_use(
    sessions: async_sessionmaker[AsyncSession], orgs: tuple[Org, Org, Org]
) -> None:
    first, second, idle = orgs
    a, b = first.keys
    async with sessions() as session:
        summaries = await service(session, NOW).key_summaries(first.id)
        assert summaries == {
            a: KeySummary(
                a, requests=3 + 1 + 1 + 2, rate_limited=3, last_used_at=NOW - timedelta(seconds=60)
            ),
            b: KeySummary(b, requests=2, rate_limited=2, last_used_at=H + timedelta(hours=1)),
        }
        # Another organisation's key is left out, even when asked for by id.
        assert await service(session, NOW).key_summaries(first.id, [a, *second.keys]) == {
            a: summaries[a]
        }
        assert await service(session, NOW).key_summaries(idle.id) == {
            idle.keys[0]: KeySummary(idle.keys[0], 0, 0, None)
        }
        assert await service(session, NOW).key_summaries(first.id, []) == {}


@pytest.mark.parametrize(
    ("now", "requests", "rate_limited"),
    [
        # From the first to the last moment of the current hour, the 24 hours start at
        # H - 23h: the 429s of that hour count, the 200s a millisecond before it do not.
        (H, 7, 3),
        (NOW, 7, 3),
        (H + timedelta(hours=1) - timedelta(microseconds=1), 7, 3),
        # An hour later H - 23h has left the window, and H + 1h (counted by a process
        # whose clock ran ahead) has joined it.
        (H + timedelta(hours=1), 4, 0),
        # Before H - 23h ended, the hour before it was still in the window, and H was not yet.
        (H - timedelta(microseconds=1), 5 + 3 + 1, 3),
    ],
)
async def test_the_24_hour_window_moves_by_whole_hours(
    sessions: async_sessionmaker[AsyncSession],
    orgs: tuple[Org, Org, Org],
    now: datetime,
    requests: int,
    rate_limited: int,
) -> None:
    a = orgs[0].keys[0]
    async with sessions() as session:
        summary = (await service(session, now).key_summaries(orgs[0].id, [a]))[a]
    assert (summary.requests, summary.rate_limited) == (requests, rate_limited)


async def test_key_chart_has_168_hours_oldest_first_with_zeros_and_the_status_mix(
    sessions: async_sessionmaker[AsyncSession], orgs: tuple[Org, Org, Org]
) -> None:
    a = orgs[0].keys[0]
    async with sessions() as session:
        chart = await service(session, NOW).key_chart(orgs[0].id, a)
    assert len(chart.hours) == CHART_HOURS == 168
    assert [hour.hour for hour in chart.hours] == [
        H - timedelta(hours=167 - index) for index in range(168)
    ]
    assert (chart.start, chart.end) == (H - timedelta(hours=167), H + timedelta(hours=1))
    assert nonzero(chart) == {
        167: StatusMix(redirection=1),
        24: StatusMix(success=5),
        23: StatusMix(rate_limited=3),
        1: StatusMix(client_error=1),
        0: StatusMix(success=2, server_error=1),
    }
    assert chart.hours[-1] == HourUsage(H, StatusMix(success=2, server_error=1))
    assert chart.mix == StatusMix(
        success=7, redirection=1, client_error=1, rate_limited=3, server_error=1
    )
    assert (chart.requests, chart.rate_limited) == (13, 3)
    assert {c: chart.mix.count(c) for c in StatusClass} == {
        StatusClass.SUCCESS: 7,
        StatusClass.REDIRECTION: 1,
        StatusClass.CLIENT_ERROR: 1,
        StatusClass.RATE_LIMITED: 3,
        StatusClass.SERVER_ERROR: 1,
    }


async def test_organisation_chart_adds_up_its_own_keys_only(
    sessions: async_sessionmaker[AsyncSession], orgs: tuple[Org, Org, Org]
) -> None:
    first, second, idle = orgs
    async with sessions() as session:
        chart = await service(session, NOW).organisation_chart(first.id)
        other = await service(session, NOW).organisation_chart(second.id)
        quiet = await service(session, NOW).organisation_chart(idle.id)
    assert nonzero(chart) == {
        167: StatusMix(redirection=1),
        24: StatusMix(success=5),
        23: StatusMix(rate_limited=3),
        1: StatusMix(client_error=1),
        0: StatusMix(success=2, rate_limited=2, server_error=1),
    }
    assert (chart.requests, chart.rate_limited) == (15, 5)
    assert nonzero(other) == {0: StatusMix(success=13)}
    assert len(quiet.hours) == 168
    assert nonzero(quiet) == {}
    assert quiet.mix == StatusMix()


async def test_the_chart_at_an_hour_boundary_starts_a_new_hour(
    sessions: async_sessionmaker[AsyncSession], orgs: tuple[Org, Org, Org]
) -> None:
    a = orgs[0].keys[0]
    async with sessions() as session:
        chart = await service(session, H + timedelta(hours=1)).key_chart(orgs[0].id, a)
    # The chart's first hour (H - 167h, one 301) has left it; the new current hour is empty.
    assert chart.hours[-1] == HourUsage(H + timedelta(hours=1), StatusMix())
    assert nonzero(chart) == {
        25: StatusMix(success=5),
        24: StatusMix(rate_limited=3),
        2: StatusMix(client_error=1),
        1: StatusMix(success=2, server_error=1),
    }


async def test_a_key_of_another_organisation_or_no_key_is_not_found(
    sessions: async_sessionmaker[AsyncSession], orgs: tuple[Org, Org, Org]
) -> None:
    first, second, _ = orgs
    async with sessions() as session:
        for organisation_id, key_id in [
            (first.id, second.keys[0]),
            (second.id, first.keys[0]),
            (first.id, "no-such-key"),
        ]:
            with pytest.raises(NotFound):
                await service(session, NOW).key_chart(organisation_id, key_id)


async def test_clock_in_another_time_zone_reads_the_same_utc_hours(
    sessions: async_sessionmaker[AsyncSession], orgs: tuple[Org, Org, Org]
) -> None:
    a = orgs[0].keys[0]
    india = NOW.astimezone(timezone(timedelta(hours=5, minutes=30)))
    async with sessions() as session:
        utc = await service(session, NOW).key_chart(orgs[0].id, a)
        local = await service(session, india).key_chart(orgs[0].id, a)
    assert local == utc
