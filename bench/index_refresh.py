"""How fast an approved advert reaches the search index, at a realistic size.

Seeds a SQLite database with ``--size`` live demo adverts (default 200,000) in a temporary
directory, builds one process's search indexes as the server does at start-up (the full
base build), then changes adverts as reviewers do and times the refresh that a
``vacancies`` cache event runs in every process:

- one approval (an advert changed now);
- one approval after a withdrawal, so the delta hides a base row too;
- 1,000 changes (a busy hour of approvals).

It also times searches with and without a delta, since every search then merges two
indexes. Goals: refreshing after one approval at least 20 times faster than the full
build, and a delta adding at most 0.1 ms to the median search (a request through the
gateway takes 2 to 3 ms).

Usage: ``.venv/bin/python -m bench.index_refresh [--size N] [--searches N]``; results go
to ``bench/results/index-refresh-<time>.json``. A missed goal is reported, not an error.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from apprenticeships.catalog.products import Environment
from apprenticeships.demo.service import seed
from apprenticeships.install import install
from apprenticeships.storage.engine import create_engine, session_factory, unit_of_work
from apprenticeships.storage.models import Vacancy
from apprenticeships.vacancies.index import VacancyIndexes
from apprenticeships.vacancies.search import SearchQuery, SegmentedIndex, Sort
from bench.gateway import BenchError, load_average, run_main, verdict, write_results

REFRESH_GOAL = 20.0  # full build time / refresh time after one approval
SEARCH_GOAL_MS = 0.1  # median search with a delta - median without, worst query
QUERIES = (
    SearchQuery(page_size=10),
    SearchQuery(latitude=52.4862, longitude=-1.8904, distance_miles=30, sort=Sort.DISTANCE_ASC),
    SearchQuery(lars_codes=(196,), page_number=3),
)


async def timed(work: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


def search_medians(
    without: SegmentedIndex, with_delta: SegmentedIndex, searches: int
) -> tuple[list[float], list[float]]:
    """Median seconds per query for each index, the two timed alternately so that drift
    in the machine's speed favours neither."""
    now = datetime.now(UTC)
    medians: tuple[list[float], list[float]] = ([], [])
    for query in QUERIES:
        durations: tuple[list[float], list[float]] = ([], [])
        for _ in range(searches):
            for index, spent in zip((without, with_delta), durations, strict=True):
                started = time.perf_counter()
                index.search(query, now)
                spent.append(time.perf_counter() - started)
        for median, spent in zip(medians, durations, strict=True):
            median.append(statistics.median(spent))
    return medians


async def change(sessions: Any, references: list[int], status: str = "Live") -> None:
    async with unit_of_work(sessions) as session:
        await session.execute(
            update(Vacancy)
            .where(Vacancy.reference.in_(references))
            .values(status=status, updated_at=datetime.now(UTC))
        )


async def measure(size: int, searches: int, directory: Path) -> dict[str, Any]:
    engine = create_engine(f"sqlite+aiosqlite:///{directory / 'bench.sqlite3'}")
    sessions = session_factory(engine)
    try:
        await install(engine)
        print(f"seeding {size:,} live adverts ...", flush=True)
        async with unit_of_work(sessions) as session:
            await seed(session, datetime.now(UTC), vacancies=size, sandbox_vacancies=0)
        # Seeded adverts count as changed for a few minutes; make them old news, as in a
        # database that has been running for a while.
        async with unit_of_work(sessions) as session:
            await session.execute(
                update(Vacancy).values(updated_at=datetime(2026, 1, 1, tzinfo=UTC))
            )
            references = list(
                await session.scalars(select(Vacancy.reference).order_by(Vacancy.id).limit(1002))
            )
        indexes = VacancyIndexes(sessions)
        full = await timed(indexes.reload)
        before = indexes.get(Environment.LIVE)

        await change(sessions, references[:1])
        one = await timed(indexes.refresh)
        await change(sessions, references[1:2], status="Closed")
        two = await timed(indexes.refresh)
        without_delta, with_delta = search_medians(before, indexes.get(Environment.LIVE), searches)
        await change(sessions, references[2:1002])
        thousand = await timed(indexes.refresh)
        live = indexes.get(Environment.LIVE)
        delta = len(live.delta) if live.delta is not None else 0
    finally:
        await engine.dispose()
    if delta != 1000 + 1 - 0:  # 1 approval + 1,000 changes; the withdrawn one is hidden
        raise BenchError(f"the delta holds {delta} adverts, expected 1,001")
    return {
        "size": size,
        "fullBuildSeconds": full,
        "refreshAfterOneApprovalSeconds": one,
        "refreshAfterWithdrawalSeconds": two,
        "refreshAfter1000ChangesSeconds": thousand,
        "searchMedianSecondsWithoutDelta": without_delta,
        "searchMedianSecondsWithDelta": with_delta,
        "fullBuildOverRefresh": full / one,
        "searchAddedMsWithDelta": max(
            (w - wo) * 1000 for w, wo in zip(with_delta, without_delta, strict=True)
        ),
    }


def run(options: argparse.Namespace) -> None:
    started = datetime.now(UTC)
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="index-refresh-") as directory:
        result = asyncio.run(measure(options.size, options.searches, Path(directory)))
    refresh_ok = result["fullBuildOverRefresh"] >= REFRESH_GOAL
    search_ok = result["searchAddedMsWithDelta"] <= SEARCH_GOAL_MS
    print(
        f"\n{options.size:,} live adverts\n"
        f"  full base build:              {result['fullBuildSeconds'] * 1000:9.1f} ms\n"
        f"  refresh after 1 approval:     {result['refreshAfterOneApprovalSeconds'] * 1000:9.1f} ms"
        f"  ({result['fullBuildOverRefresh']:.0f}x faster; goal >= {REFRESH_GOAL:.0f}x) "
        f"{verdict(refresh_ok)}\n"
        f"  refresh after a withdrawal:   {result['refreshAfterWithdrawalSeconds'] * 1000:9.1f} ms\n"
        f"  refresh after 1,000 changes:  {result['refreshAfter1000ChangesSeconds'] * 1000:9.1f} ms\n"
        "  search medians (ms), without / with a delta: "
        + ", ".join(
            f"{a * 1000:.2f} / {b * 1000:.2f}"
            for a, b in zip(
                result["searchMedianSecondsWithoutDelta"],
                result["searchMedianSecondsWithDelta"],
                strict=True,
            )
        )
        + f"  (adds at most {result['searchAddedMsWithDelta']:.3f} ms; goal <= {SEARCH_GOAL_MS}) "
        f"{verdict(search_ok)}"
    )
    write_results(
        "index-refresh",
        started,
        {
            "started": started.isoformat(),
            "loadAverage": {"before": load_before, "after": load_average()},
            "goals": {
                "fullBuildOverRefresh": REFRESH_GOAL,
                "searchAddedMsWithDelta": SEARCH_GOAL_MS,
            },
            "passed": {"refresh": refresh_ok, "search": search_ok},
            **result,
        },
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000, help="live adverts (default 200,000)")
    parser.add_argument("--searches", type=int, default=200, help="searches per query timed")
    options = parser.parse_args(argv)
    if options.size < 2_000:
        parser.error("--size must be at least 2,000")
    return run_main(lambda: run(options))


if __name__ == "__main__":
    raise SystemExit(main())
