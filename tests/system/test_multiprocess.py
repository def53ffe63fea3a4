"""End to end, with real server processes: exact rate limits across processes, the Redis
outage fallback and recovery, key revocation reaching every process within a second, and
the refusal to run several workers without Redis.

Servers are `python -m apprenticeships serve` subprocesses; keys are issued and revoked
with the CLI, as an operator would (see tests/system/conftest.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence

import httpx
import pytest
import redis

from tests.support.responses import RawResponse
from tests.system.conftest import Harness, RedisServer, Server, burst, free_port

pytestmark = pytest.mark.slow

ROUTES = "/vacancies/referencedata/courses/routes"
INVALID_KEY_BODY = (
    b'{"statusCode": 401, "message": "Access denied due to invalid subscription key. '
    b'Make sure to provide a valid key for an active subscription."}'
)
JSON_TYPE = "application/json; charset=utf-8"
_METRIC_UP = re.compile(r"^apprenticeships_rate_limit_backend_up (\S+)$", re.MULTILINE)


def headers(key: str) -> dict[str, str]:
    return {"Ocp-Apim-Subscription-Key": key, "X-Version": "2"}


def pg_redis_settings(database_url: str, redis_url: str, prefix: str) -> dict[str, str]:
    return {
        "APPRENTICESHIPS_DATABASE_URL": database_url,
        "APPRENTICESHIPS_REDIS_URL": redis_url,
        "APPRENTICESHIPS_REDIS_PREFIX": prefix,
    }


async def fire(servers: Sequence[Server], key: str, count: int) -> list[tuple[Server, RawResponse]]:
    """``count`` requests for one key, all in flight at once, spread round-robin over
    ``servers``."""
    chosen = [servers[i % len(servers)] for i in range(count)]
    responses = await burst([(server.port, ROUTES) for server in chosen], headers(key))
    return list(zip(chosen, responses, strict=True))


def assert_exact_limit(
    responses: Sequence[tuple[Server, RawResponse]], calls: int = 150, seconds: int = 300
) -> None:
    statuses = Counter(response.status for _, response in responses)
    assert statuses == {200: calls, 429: len(responses) - calls}, statuses
    policy = f'"default";q={calls};w={seconds}'
    remaining = []
    for server, response in responses:
        assert response.header("ratelimit-policy") == policy, server.name
        if response.status == 200:
            match = re.fullmatch(r'"default";r=(\d+);t=(\d+)', response.header("ratelimit") or "")
            assert match, response.header("ratelimit")
            remaining.append(int(match.group(1)))
            continue
        retry_after = response.header("retry-after") or ""
        assert retry_after.isdigit(), retry_after
        seconds_left = int(retry_after)
        assert 1 <= seconds_left <= seconds
        assert response.header("content-type") == JSON_TYPE
        message = f"Rate limit is exceeded. Try again in {seconds_left} seconds."
        assert response.body == json.dumps({"statusCode": 429, "message": message}).encode()
        assert response.header("ratelimit") == f'"default";r=0;t={seconds_left}'
    # Each admitted request saw its own count: remaining calls-1, calls-2, ..., 0.
    assert sorted(remaining) == list(range(calls))


def rate_limit_counters(client: redis.Redis, prefix: str) -> dict[str, int]:
    found = {}
    for name in client.scan_iter(match=f"{prefix}rl:*", count=1000):
        value = client.get(name)
        if value is not None:
            found[name.decode()] = int(value)
    return found


async def backend_up(client: httpx.AsyncClient, server: Server) -> float:
    response = await client.get(f"{server.url}/metrics")
    assert response.status_code == 200
    match = _METRIC_UP.search(response.text)
    assert match, f"no apprenticeships_rate_limit_backend_up in /metrics of {server.name}"
    return float(match.group(1))


async def ready(client: httpx.AsyncClient, server: Server) -> tuple[int, dict[str, object]]:
    response = await client.get(f"{server.url}/ready")
    return response.status_code, response.json()


# -- 1. exact with three processes and one Redis ----------------------------------------------


async def test_three_processes_sharing_redis_admit_exactly_the_limit(
    system: Harness, postgres_url: str, redis_url: tuple[str, str]
) -> None:
    url, prefix = redis_url
    settings = pg_redis_settings(postgres_url, url, prefix)
    servers = [system.spawn_server(settings) for _ in range(3)]
    key, _ = system.issue_key(settings)
    await system.wait_healthy(servers)

    responses = await fire(servers, key, 1000)

    assert_exact_limit(responses)
    with redis.Redis.from_url(url) as client:
        # Every request that reached the limiter was counted, in one shared counter.
        assert list(rate_limit_counters(client, prefix).values()) == [1000]
    async with httpx.AsyncClient(timeout=5) as client:
        for server in servers:
            # Counted in Redis all along: no process fell back to its own counters.
            assert await backend_up(client, server) == 1.0


# -- 2. exact with one process and the memory backend ------------------------------------------


async def test_one_process_with_memory_backend_admits_exactly_the_limit(
    system: Harness, sqlite_url: str
) -> None:
    settings = {"APPRENTICESHIPS_DATABASE_URL": sqlite_url}
    servers = [system.spawn_server(settings)]
    key, _ = system.issue_key(settings)
    await system.wait_healthy(servers)

    responses = await fire(servers, key, 1000)

    assert_exact_limit(responses)
    async with httpx.AsyncClient(timeout=5) as client:
        status, body = await ready(client, servers[0])
    assert status == 200
    assert body["checks"] == {"database": "ok", "redis": "not configured", "rateLimiting": "memory"}


# -- 3. Redis goes away and comes back ---------------------------------------------------------


async def test_redis_outage_falls_back_to_per_process_limits_and_recovers(
    system: Harness, postgres_url: str
) -> None:
    limit = 20
    own_redis: RedisServer = system.redis_server()
    prefix = "outage-test:"
    settings = pg_redis_settings(postgres_url, own_redis.url, prefix)
    settings["APPRENTICESHIPS_RATE_LIMIT"] = f"{limit}/300"
    servers = [system.spawn_server(settings) for _ in range(2)]
    key, _ = system.issue_key(settings)
    await system.wait_healthy(servers)
    counter = own_redis.client()

    async with httpx.AsyncClient(timeout=10) as client:

        async def get(server: Server) -> int:
            response = await client.get(server.url + ROUTES, headers=headers(key))
            assert response.status_code in (200, 429), (server.name, response.text)
            return response.status_code

        # Redis up: both processes count in one counter.
        before = [await get(servers[i % 2]) for i in range(6)]
        assert before == [200] * 6
        assert list(rate_limit_counters(counter, prefix).values()) == [6]
        for server in servers:
            assert await backend_up(client, server) == 1.0

        # Redis goes away mid-run.
        own_redis.stop()
        for server in servers:
            statuses = [await get(server) for _ in range(limit + 10)]
            admitted = statuses.count(200)
            # Still serving (never all refused), never unlimited, never a 5xx: this process
            # counts on its own, and once it refuses it keeps refusing.
            assert 0 < admitted <= limit, statuses
            assert statuses == [200] * admitted + [429] * (len(statuses) - admitted)
        for server in servers:
            assert await backend_up(client, server) == 0.0
            status, body = await ready(client, server)
            assert status == 200, body
            assert body["status"] == "degraded"
            checks = body["checks"]
            assert isinstance(checks, dict)
            assert checks["database"] == "ok"
            assert str(checks["redis"]).startswith("unreachable"), checks
            assert checks["rateLimiting"] == "memory-fallback"
            # The outage is logged (once a minute, so once here).
            assert server.full_output().count("rate_limit_redis_unreachable") == 1

        # Redis is back (empty: it kept nothing). Each process finds it by itself, on a
        # later request, within its retry interval.
        own_redis.start()
        admitted_on_return = 0
        for server in servers:
            deadline = time.monotonic() + 10
            while await backend_up(client, server) != 1.0:
                assert time.monotonic() < deadline, f"{server.name} never went back to Redis"
                admitted_on_return += (await get(server)) == 200
                await asyncio.sleep(0.2)
            status, body = await ready(client, server)
            assert status == 200, body
            assert body == {
                "status": "ready",
                "checks": {"database": "ok", "redis": "ok", "rateLimiting": "redis"},
            }
        # The requests that found Redis again were counted there, and admitted: a fresh
        # window (the per-process windows of the outage are still full, so any 200 since
        # the restart was counted in Redis).
        counters = rate_limit_counters(counter, prefix)
        assert len(counters) == 1, counters
        (shared_before,) = counters.values()
        assert shared_before == admitted_on_return >= len(servers)

        # Counting is shared again: one window of `limit` across both processes.
        after = [(servers[i % 2], await get(servers[i % 2])) for i in range(30)]
        admitted = [server for server, status in after if status == 200]
        assert len(admitted) == limit - shared_before
        assert {server.name for server in admitted} == {server.name for server in servers}
        assert list(rate_limit_counters(counter, prefix).values()) == [shared_before + 30]
        for server in servers:
            assert "rate_limit_redis_recovered" in server.full_output()


# -- 4. revocation through the CLI reaches every process within a second ----------------------


async def test_revoked_key_stops_working_on_every_process_within_one_second(
    system: Harness, postgres_url: str, redis_url: tuple[str, str]
) -> None:
    url, prefix = redis_url
    settings = pg_redis_settings(postgres_url, url, prefix)
    # A limit high enough that polling never meets a 429.
    settings["APPRENTICESHIPS_RATE_LIMIT"] = "100000/300"
    servers = [system.spawn_server(settings) for _ in range(3)]
    key, key_id = system.issue_key(settings)
    await system.wait_healthy(servers)

    async with httpx.AsyncClient(timeout=5) as client:
        # Every process knows (and has cached) the key.
        for _ in range(3):
            for server in servers:
                response = await client.get(server.url + ROUTES, headers=headers(key))
                assert response.status_code == 200, (server.name, response.text)

        revoked = system.cli("keys", "revoke", key_id, settings=settings)
        revoked_at = time.monotonic()
        assert f"Revoked {key_id}" in revoked.stderr

        async def seconds_until_refused(server: Server) -> float:
            while True:
                response = await client.get(server.url + ROUTES, headers=headers(key))
                elapsed = time.monotonic() - revoked_at
                if response.status_code == 401:
                    assert response.content == INVALID_KEY_BODY
                    return elapsed
                assert response.status_code == 200, (server.name, response.text)
                assert elapsed < 5, f"{server.name} still accepts the revoked key"
                await asyncio.sleep(0.01)

        delays = await asyncio.gather(*(seconds_until_refused(s) for s in servers))
        report = {s.name: round(d, 3) for s, d in zip(servers, delays, strict=True)}
        assert max(delays) <= 1.0, report

        # And it stays refused.
        for server in servers:
            response = await client.get(server.url + ROUTES, headers=headers(key))
            assert response.status_code == 401
            assert response.content == INVALID_KEY_BODY


# -- 5. an advert approved with the CLI is live on every process ------------------------------


async def test_an_approved_advert_is_live_on_every_process_within_seconds(
    system: Harness, postgres_url: str, redis_url: tuple[str, str]
) -> None:
    url, prefix = redis_url
    settings = pg_redis_settings(postgres_url, url, prefix)
    settings["APPRENTICESHIPS_RATE_LIMIT"] = "100000/300"
    system.cli("db", "upgrade", settings=settings)
    system.cli("demo", "seed", "--vacancies", "0", settings=settings)
    shown = system.cli("demo", "keys", settings=settings).stdout
    display_key = re.search(r"Display advert API, live: +(\S+)", shown)
    recruitment_key = re.search(r"Recruitment API .*\n +live: +(\S+)", shown)
    assert display_key and recruitment_key, shown
    servers = [system.spawn_server(settings) for _ in range(3)]
    await system.wait_healthy(servers)

    closing = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 14 * 86400))
    start = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 60 * 86400))
    body = {
        "title": "Apprentice Engineering Technician",
        "numberOfPositions": 1,
        "closingDate": f"{closing}T00:00:00Z",
        "startDate": f"{start}T00:00:00Z",
        "contractingParties": {"accountLegalEntityPublicHashedId": "VK7MXB", "ukprn": 10000001},
        "wage": {
            "wageType": "NationalMinimumWageForApprentices",
            "weeklyHours": 37.5,
            "duration": 24,
            "durationUnit": "Month",
            "workingWeekDescription": "Monday to Friday",
        },
        "address": {"addressLine1": "1 Park Row", "postcode": "LS1 5AB"},
        "shortDescription": "Learn to build and test precision parts with an award-winning team.",
        "description": "<p>Shop floor work.</p>",
        "outcomeDescription": "<p>A permanent role.</p>",
        "trainingDescription": "<p>Day release.</p>",
        "standardLarsCode": 167,
        "employerDescription": "<p>We make parts.</p>",
        "disabilityConfident": "No",
        "applicationMethod": "ThroughFindAnApprenticeship",
        "submitterContactDetails": {"name": "Sam Jones", "email": "sam@example.com"},
        "skills": ["Team working"],
    }
    async with httpx.AsyncClient(timeout=5) as client:
        created = await client.post(
            f"{servers[0].url}/managevacancies/vacancy/6c1f8a52-1f63-4c55-9c0e-0d2b1c1a7e11",
            json=body,
            headers={"Ocp-Apim-Subscription-Key": recruitment_key.group(1), "X-Version": "1"},
        )
        assert created.status_code == 201, created.text
        reference = created.json()["vacancyReference"]
        detail = f"/vacancies/vacancy/{reference}"
        for server in servers:
            response = await client.get(server.url + detail, headers=headers(display_key.group(1)))
            assert response.status_code == 404, (server.name, response.text)

        approved = system.cli("vacancies", "approve", reference, settings=settings)
        approved_at = time.monotonic()
        assert f"VAC{reference} is live" in approved.stderr

        async def seconds_until_searchable(server: Server) -> float:
            while True:
                response = await client.get(
                    server.url + "/vacancies/vacancy",
                    params={"StandardLarsCode": 167},
                    headers=headers(display_key.group(1)),
                )
                elapsed = time.monotonic() - approved_at
                found = [v["vacancyReference"] for v in response.json()["vacancies"]]
                if reference in found:
                    return elapsed
                assert elapsed < 10, f"{server.name} does not list the approved advert"
                await asyncio.sleep(0.02)

        delays = await asyncio.gather(*(seconds_until_searchable(s) for s in servers))
        report = {s.name: round(d, 3) for s, d in zip(servers, delays, strict=True)}
        assert max(delays) <= 3.0, report
        for server in servers:
            response = await client.get(server.url + detail, headers=headers(display_key.group(1)))
            assert response.status_code == 200
            assert response.json()["title"] == "Apprentice Engineering Technician"


# -- 6. several workers without Redis are refused ----------------------------------------------


def test_serve_with_two_workers_and_no_redis_is_refused(system: Harness) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "apprenticeships", "serve", "--workers", "2", "--port", str(port)],
        env=system.env(),  # no APPRENTICESHIPS_REDIS_URL
        cwd=system.tmp,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        # A generous deadline: starting Python and importing the platform alone can take
        # ten seconds on a busy machine. That it refused before starting anything shows
        # in its output: one error line, no server or worker log lines.
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"serve --workers 2 without Redis did not exit:\n{stdout}\n{stderr}")

    assert process.returncode != 0, (stdout, stderr)
    assert stdout == "", stdout
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert "Redis" in lines[0]
    assert "APPRENTICESHIPS_REDIS_URL" in lines[0]
    assert "Traceback" not in stderr + stdout
