"""A 201 from the Track progress API means the submission survives the server being killed:
a server process takes a stream of submissions, is killed with SIGKILL while more are in
flight, and after a restart every acknowledged submission is there, on SQLite and on
PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.support import services
from tests.system.conftest import Harness

pytestmark = pytest.mark.slow

ACKNOWLEDGED_BEFORE_KILL = 150
IN_FLIGHT = 8


@pytest.fixture(params=["sqlite", services.POSTGRES_PARAM])
def durable_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite file, or a PostgreSQL database of the test's own."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'durable.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


async def test_every_acknowledged_submission_survives_sigkill(
    system: Harness, durable_url: str
) -> None:
    database_url = durable_url
    settings = {
        "APPRENTICESHIPS_DATABASE_URL": database_url,
        "APPRENTICESHIPS_RATE_LIMIT": "100000/300",
    }
    system.cli("db", "upgrade", settings=settings)
    manifest = json.loads(system.cli("demo", "seed", "--vacancies", "0", settings=settings).stdout)
    record = next(
        r
        for r in manifest["apprenticeships"]
        if r["ukprn"] == 10000001 and r["deliveryModel"] == "PortableFlexiJob" and r["status"] == "Live"
        and r["option"] == "core"
    )  # fmt: skip
    key = system.cli(
        "keys", "issue", "--product", "track-progress", "--owner", "provider:10000001",
        settings=settings,
    ).stdout.strip()  # fmt: skip
    headers = {"Ocp-Apim-Subscription-Key": key, "X-Version": "1"}
    path = f"/trackprogress/apprenticeships/{record['uln']}/{record['plannedStartDate']}/progress"
    ksbs = record["ksbIds"]

    server = system.spawn_server(settings)
    await system.wait_healthy([server])
    acknowledged: dict[int, int] = {}  # progress id -> the value sent
    enough = asyncio.Event()

    async def submit(client: httpx.AsyncClient, worker: int) -> None:
        sent = worker
        while True:
            value = sent % 101
            try:
                response = await client.post(
                    server.url + path,
                    json={"progress": {"ksbs": [{"id": ksbs[0], "value": value}]}},
                    headers=headers,
                )
            except httpx.TransportError:
                return  # the server is gone: this one was never acknowledged
            assert response.status_code == 201, response.text
            acknowledged[response.json()["progressId"]] = value
            if len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL:
                enough.set()
            sent += IN_FLIGHT

    async with httpx.AsyncClient(timeout=10) as client:
        workers = [asyncio.create_task(submit(client, n)) for n in range(IN_FLIGHT)]
        await asyncio.wait_for(enough.wait(), timeout=120)
        # Killed with requests still in flight: no shutdown, no flush, nothing graceful.
        os.killpg(server.process.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        await asyncio.gather(*workers)
    server.process.wait(timeout=10)
    assert server.process.returncode == -signal.SIGKILL
    assert time.monotonic() - killed_at < 10

    restarted = system.spawn_server(settings)
    await system.wait_healthy([restarted])
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(restarted.url + path, headers=headers)
    assert response.status_code == 200, response.text
    stored = {s["progressId"]: s["ksbs"] for s in response.json()["submissions"]}
    missing = sorted(set(acknowledged) - set(stored))
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged submissions lost"
    for progress_id, value in acknowledged.items():
        assert stored[progress_id] == [{"id": ksbs[0], "value": value}]
