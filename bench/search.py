"""Display advert search: latency, throughput, start-up and memory at 10k, 100k and 1M live
adverts, compared with the distance search done as one plain SQL statement.

For each size, a SQLite database seeded with that many live demo adverts (cached under
bench/.cache/) is copied into a temporary directory and one ``apprenticeships serve`` is
started on the copy, pinned to one CPU; wrk, pinned to the other, measures a distance
search, a course search and the detail route. The baseline runs the distance search as one
SQL statement on the same file (and, with --postgres-url, on the same rows in PostgreSQL).
See bench/README.md.

Exits 1 if the benchmark could not be run or measured something other than 200s; a
missed goal is reported, not an error.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg

from apprenticeships.demo.service import seed
from apprenticeships.settings import to_async_url
from apprenticeships.storage.engine import create_engine, session_factory, unit_of_work
from bench.gateway import (
    RATE_LIMIT,
    ROOT,
    SERVER_CPU,
    STATUS_SCRIPT,
    WRK_CPU,
    BenchError,
    Measurement,
    base_environment,
    check_machine,
    cli,
    get,
    load_average,
    provision_key,
    run_main,
    server,
    verdict,
    write_results,
    wrk,
    wrk_version,
)

CACHE_DIR = ROOT / "bench" / ".cache"
PATHS_SCRIPT = ROOT / "bench" / "paths.lua"
DEMO_PACKAGE = ROOT / "src" / "apprenticeships" / "demo"

SIZES = (10_000, 100_000, 1_000_000)
# A cached database older than this is seeded again: its adverts' posting dates have
# drifted too far from now. Younger ones are topped up with replacements for the adverts
# that closed since.
CACHE_MAX_AGE = timedelta(days=7)
# Disk a seeded database takes per live advert (sandbox share included), with a margin.
# Seeding needs about twice that until the write-ahead log is checkpointed.
BYTES_PER_ADVERT = 4_000
READY_TIMEOUT_SECONDS = 600.0
DETAIL_REFERENCES = 100
# The baseline stops after this many seconds of timed runs, once it has BASELINE_MIN_RUNS.
BASELINE_BUDGET_SECONDS = 60.0
BASELINE_MIN_RUNS = 5

# The demo's second largest town (London, the largest, holds a third of all adverts).
CITY = "Birmingham"
LATITUDE, LONGITUDE = 52.4862, -1.8904
DISTANCE_MILES = 30
POSTED_IN_LAST_DAYS = 7
EARTH_RADIUS_MILES = 3958.7613  # the radius the search index uses
API_VERSION = "2"

QUERIES = ("distance", "course", "detail")
QUERY_LABELS = {"distance": "(a) distance", "course": "(b) course", "detail": "(c) detail"}

# Goals of the issue.
RATIO_GOAL = 10.0  # baseline median / distance search median, at RATIO_SIZE
RATIO_SIZE = 100_000
SCALING_GOAL = 3.0  # median at the second size / median at the first, for each query
SCALING_SIZES = (10_000, 1_000_000)
MEMORY_GOAL_KIB = 1 << 20  # peak resident memory (VmHWM) of the server, at MEMORY_SIZE
MEMORY_SIZE = 1_000_000

# The distance search as one statement: the haversine distance of every address of every
# live advert, each advert's nearest, those in range by distance then reference, the first
# ten, and (a window function over the same rows) how many there are in all.
BASELINE_SQL = """
WITH nearest AS (
    SELECT v.reference AS reference,
           MIN(2 * :radius * asin(sqrt(
               power(sin(radians(a.latitude - :lat) / 2), 2)
               + cos(radians(:lat)) * cos(radians(a.latitude))
                 * power(sin(radians(a.longitude - :lon) / 2), 2)
           ))) AS miles
    FROM vacancies AS v
    JOIN vacancy_addresses AS a ON a.vacancy_id = v.id
    WHERE v.environment = 'live' AND v.status = 'Live' AND v.closing_date >= :today
    GROUP BY v.id
)
SELECT reference, miles, count(*) OVER () AS total_filtered
FROM nearest
WHERE miles <= :miles
ORDER BY miles, reference
LIMIT 10
"""
LIVE = "v.environment = 'live' AND v.status = 'Live' AND v.closing_date >= :today"
BASELINE_PARAMETERS = ("radius", "lat", "lon", "today", "miles")
# PostgreSQL gets only the columns the baseline reads, with the SQLite database's keys and
# indexes (narrower rows than the real table, which favours the baseline).
POSTGRES_TABLES = (
    "CREATE TABLE vacancies (id bigint PRIMARY KEY, reference bigint NOT NULL, "
    "environment text NOT NULL, status text NOT NULL, closing_date date NOT NULL)",
    "CREATE INDEX ix_vacancies_environment_status_closing "
    "ON vacancies (environment, status, closing_date)",
    "CREATE TABLE vacancy_addresses (id bigint PRIMARY KEY, "
    "vacancy_id bigint NOT NULL REFERENCES vacancies (id), position integer NOT NULL, "
    "latitude double precision NOT NULL, longitude double precision NOT NULL, "
    "UNIQUE (vacancy_id, position))",
)
POSTGRES_COPY = {
    "vacancies": ("id", "reference", "environment", "status", "closing_date"),
    "vacancy_addresses": ("id", "vacancy_id", "position", "latitude", "longitude"),
}
COPY_CHUNK = 100_000


@dataclass(frozen=True, slots=True)
class Options:
    sizes: tuple[int, ...]
    duration: int
    connections: int
    warmup: int
    baseline_runs: int
    postgres_url: str  # empty: no PostgreSQL baseline


@dataclass(frozen=True, slots=True)
class CachedDatabase:
    path: Path
    reused: bool
    seeded_at: datetime
    seed_seconds: float  # how long seeding it took, in this run or the one that made it

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path.relative_to(ROOT)),
            "reused": self.reused,
            "seeded_at": self.seeded_at.isoformat(),
            "seed_seconds": round(self.seed_seconds, 1),
        }


@dataclass(frozen=True, slots=True)
class Workspace:
    """A size's working copy of its cached database, topped up, with a key."""

    size: int
    cached: CachedDatabase
    directory: Path
    database: Path
    env: dict[str, str]
    key: str
    live_adverts: int
    topped_up: int
    phases: dict[str, float]  # seconds


@dataclass(frozen=True, slots=True)
class Baseline:
    engine: str
    settings: str
    seconds: list[float]
    references: list[str]
    total_filtered: int

    @property
    def p50_us(self) -> float:
        return statistics.median(self.seconds) * 1e6

    @property
    def p99_us(self) -> float:
        return percentile(self.seconds, 99) * 1e6

    def as_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "runs": len(self.seconds),
            "p50_us": round(self.p50_us),
            "p99_us": round(self.p99_us),
        }


@dataclass(frozen=True, slots=True)
class QueryResult:
    paths: list[str]
    warmup: Measurement
    latency: Measurement  # 1 connection
    throughput: Measurement  # --connections connections

    def as_json(self) -> dict[str, Any]:
        return {
            "paths": self.paths,
            "warmup": self.warmup.as_json(),
            "latency_1_connection": self.latency.as_json(),
            "throughput": self.throughput.as_json(),
        }


@dataclass(frozen=True, slots=True)
class SizeResult:
    workspace: Workspace
    startup_seconds: float
    memory_kib: dict[str, dict[str, int]]  # "started", "after_load": VmRSS, VmHWM
    baselines: dict[str, Baseline]  # "sqlite", and "postgres" if asked for
    answers: dict[str, dict[str, Any]]  # what the first request of each kind returned
    queries: dict[str, QueryResult]
    access_log_lines: int

    @property
    def size(self) -> int:
        return self.workspace.size

    def p50_us(self, query: str) -> float:
        return self.queries[query].latency.latency_us["p50"]

    def ratio(self, engine: str = "sqlite") -> float:
        return self.baselines[engine].p50_us / self.p50_us("distance")

    def same_as(self, engine: str) -> bool:
        """Whether the baseline found the page and count that (a) did."""
        answer, baseline = self.answers["distance"], self.baselines[engine]
        return bool(
            answer["references"] == baseline.references
            and answer["totalFiltered"] == baseline.total_filtered
        )

    @property
    def peak_kib(self) -> int:
        return self.memory_kib["after_load"]["VmHWM"]

    def as_json(self) -> dict[str, Any]:
        workspace = self.workspace
        return {
            "database": workspace.cached.as_json(),
            "live_adverts": workspace.live_adverts,
            "topped_up": workspace.topped_up,
            "phase_seconds": {name: round(s, 2) for name, s in workspace.phases.items()},
            "startup_seconds": round(self.startup_seconds, 2),
            "memory_kib": self.memory_kib,
            "baselines": {
                engine: {
                    **baseline.as_json(),
                    "over_distance_p50": round(self.ratio(engine), 1),
                    "same_page_and_count": self.same_as(engine),
                }
                for engine, baseline in self.baselines.items()
            },
            "answers": self.answers,
            "queries": {name: result.as_json() for name, result in self.queries.items()},
            "access_log_lines": self.access_log_lines,
        }


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


@contextmanager
def timed(phases: dict[str, float], name: str) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        phases[name] = time.monotonic() - started


def say(size: int, message: str) -> None:
    print(f"[{size:,}] {message}", flush=True)


def today() -> date:
    return datetime.now(UTC).date()


# -- databases -----------------------------------------------------------------------------


def demo_hash() -> str:
    """A digest of the demo package's code and data, which decide what seeding makes."""
    digest = hashlib.sha256()
    for path in sorted(DEMO_PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(DEMO_PACKAGE).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_path(size: int, digest: str) -> Path:
    return CACHE_DIR / f"search-{size}-{digest}.sqlite3"


def seed_adverts(database: Path, size: int, progress: Callable[[int, int], None]) -> dict[str, Any]:
    """``demo.service.seed`` in one unit of work: live adverts topped up to ``size``, the
    sandbox to its default share (a twentieth). Returns the demo manifest."""

    async def work() -> dict[str, Any]:
        engine = create_engine(to_async_url(f"sqlite:///{database}"))
        try:
            async with unit_of_work(session_factory(engine)) as session:
                return await seed(session, datetime.now(UTC), vacancies=size, progress=progress)
        finally:
            await engine.dispose()

    return asyncio.run(work())


def seeding_progress(size: int) -> Callable[[int, int], None]:
    """A progress callback that prints every tenth of the way."""
    started = time.monotonic()
    shown = -1

    def report(done: int, total: int) -> None:
        nonlocal shown
        tenth = done * 10 // total if total else 10
        if tenth > shown:
            shown = tenth
            elapsed = time.monotonic() - started
            say(size, f"seeding: {done:,} of {total:,} adverts added ({elapsed:.0f} s)")

    return report


def cached_database(size: int, digest: str, directory: Path) -> CachedDatabase:
    """The cached database of ``size`` live adverts for this demo package; seeded now if
    it is missing or older than CACHE_MAX_AGE."""
    path = cache_path(size, digest)
    info_path = path.with_suffix(".json")
    if path.exists() and info_path.exists():
        info = json.loads(info_path.read_text())
        seeded_at = datetime.fromisoformat(info["seeded_at"])
        if datetime.now(UTC) - seeded_at < CACHE_MAX_AGE:
            say(size, f"reusing {path.relative_to(ROOT)}, seeded {seeded_at:%Y-%m-%d %H:%M} UTC")
            return CachedDatabase(path, True, seeded_at, info["seed_seconds"])
    for stale in CACHE_DIR.glob(f"search-{size}-*"):
        stale.unlink()  # made from another demo package, too old, or half made
    say(size, f"seeding a new database, cached as {path.relative_to(ROOT)}")
    seeded_at = datetime.now(UTC)
    started = time.monotonic()
    partial = path.with_suffix(".partial")
    env = base_environment(directory / "var")
    cli(env | {"APPRENTICESHIPS_DATABASE_URL": f"sqlite:///{partial}"}, directory, "db", "upgrade")
    seed_adverts(partial, size, seeding_progress(size))
    with closing(sqlite3.connect(partial)) as connection:
        # The write-ahead log into the main file, so the cache is one file.
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    partial.replace(path)
    seconds = time.monotonic() - started
    info = {"size": size, "seeded_at": seeded_at.isoformat(), "seed_seconds": seconds}
    info_path.write_text(json.dumps(info) + "\n")
    return CachedDatabase(path, False, seeded_at, seconds)


def check_disk(sizes: tuple[int, ...], digest: str) -> None:
    """Room for the databases still to seed (twice over, for the write-ahead log) and for
    the largest working copy."""
    missing = sum(size for size in sizes if not cache_path(size, digest).exists())
    needed = (2 * missing + max(sizes)) * BYTES_PER_ADVERT + (1 << 30)
    free = min(shutil.disk_usage(CACHE_DIR).free, shutil.disk_usage(tempfile.gettempdir()).free)
    if free < needed:
        raise BenchError(
            f"{free / 2**30:.1f} GiB of disk free, about {needed / 2**30:.1f} GiB needed; "
            "free some space or pass smaller --sizes"
        )


@contextmanager
def workspace(size: int, digest: str) -> Iterator[Workspace]:
    """A temporary copy of the cached database, topped up to ``size`` live adverts, with
    a Display advert key. Removed afterwards."""
    phases: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-search-") as temporary:
        directory = Path(temporary)
        with timed(phases, "cache"):
            cached = cached_database(size, digest, directory)
        env = base_environment(directory / "var")
        database = directory / "var" / "apprenticeships.sqlite3"  # base_environment's URL
        database.parent.mkdir(exist_ok=True)
        say(size, "copying the database, upgrading it and issuing a key")
        with timed(phases, "copy"):
            shutil.copyfile(cached.path, database)
        with timed(phases, "upgrade_and_key"):
            key = provision_key(env, directory)
        added = 0

        def count(done: int, total: int) -> None:
            nonlocal added
            added = done

        with timed(phases, "top_up"):
            manifest = seed_adverts(database, size, count)
        if added:
            say(size, f"topped up {added:,} adverts that had closed since the cache was made")
        yield Workspace(
            size=size,
            cached=cached,
            directory=directory,
            database=database,
            env=env,
            key=key,
            live_adverts=manifest["vacancies"]["live"],
            topped_up=added,
            phases=phases,
        )


def detail_references(database: Path) -> list[str]:
    """References of about DETAIL_REFERENCES live adverts spread over the whole table."""
    with closing(sqlite3.connect(database)) as connection:
        low, high = connection.execute(
            f"SELECT min(v.id), max(v.id) FROM vacancies AS v WHERE {LIVE}",  # noqa: S608
            {"today": today().isoformat()},
        ).fetchone()
        if low is None:
            raise BenchError(f"{database} holds no live advert")
        step = max(1, (high - low) // (2 * DETAIL_REFERENCES))
        ids = ",".join(str(i) for i in range(low, high + 1, step))
        rows = connection.execute(
            f"SELECT v.reference FROM vacancies AS v WHERE v.id IN ({ids}) AND {LIVE} "  # noqa: S608
            "ORDER BY v.id LIMIT :count",
            {"today": today().isoformat(), "count": DETAIL_REFERENCES},
        ).fetchall()
    return [str(reference) for (reference,) in rows]


def most_advertised_course(database: Path) -> tuple[int, str]:
    """The LARS code with the most live adverts, and its standard's title."""
    with closing(sqlite3.connect(database)) as connection:
        found = connection.execute(
            "SELECT v.lars_code, s.title FROM vacancies AS v "  # noqa: S608
            f"JOIN standards AS s ON s.lars_code = v.lars_code WHERE {LIVE} "
            "GROUP BY v.lars_code ORDER BY count(*) DESC, v.lars_code LIMIT 1",
            {"today": today().isoformat()},
        ).fetchone()
    if found is None:
        raise BenchError(f"{database} holds no live advert")
    return int(found[0]), str(found[1])


# -- the baseline --------------------------------------------------------------------------


def baseline_parameters() -> dict[str, Any]:
    return {
        "radius": EARTH_RADIUS_MILES,
        "lat": LATITUDE,
        "lon": LONGITUDE,
        "today": today(),
        "miles": float(DISTANCE_MILES),
    }


def time_runs(run_once: Callable[[], list[Any]], runs: int) -> tuple[list[Any], list[float]]:
    """One warm-up run, whose rows are returned, then ``runs`` timed runs (fewer once they
    have taken BASELINE_BUDGET_SECONDS, but at least BASELINE_MIN_RUNS)."""
    rows = run_once()
    seconds: list[float] = []
    started = time.monotonic()
    while len(seconds) < runs and not (
        len(seconds) >= BASELINE_MIN_RUNS and time.monotonic() - started > BASELINE_BUDGET_SECONDS
    ):
        begin = time.perf_counter()
        run_once()
        seconds.append(time.perf_counter() - begin)
    return rows, seconds


def use_math_functions(connection: sqlite3.Connection) -> str:
    """SQLite's math functions if this build has them, else Python's, registered."""
    try:
        connection.execute("SELECT sin(1)")
        return "SQLite's own math functions"
    except sqlite3.OperationalError:
        for name in ("sin", "cos", "asin", "sqrt", "radians"):
            connection.create_function(name, 1, getattr(math, name), deterministic=True)
        connection.create_function("power", 2, math.pow, deterministic=True)
        return "Python's math functions, registered with create_function"


def sqlite_baseline(database: Path, runs: int) -> Baseline:
    """BASELINE_SQL with the sqlite3 module, in this process, pinned to SERVER_CPU."""
    parameters = baseline_parameters()
    parameters["today"] = parameters["today"].isoformat()  # how SQLite stores dates
    affinity = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {SERVER_CPU})
    try:
        with closing(sqlite3.connect(database)) as connection:
            functions = use_math_functions(connection)
            rows, seconds = time_runs(
                lambda: connection.execute(BASELINE_SQL, parameters).fetchall(), runs
            )
    finally:
        os.sched_setaffinity(0, affinity)
    return Baseline(
        engine=f"SQLite {sqlite3.sqlite_version} (Python sqlite3 module)",
        settings=f"defaults; {functions}",
        seconds=seconds,
        references=[str(reference) for reference, _, _ in rows],
        total_filtered=rows[0][2] if rows else 0,
    )


async def load_postgres(connection: asyncpg.Connection, source: Path) -> None:
    """POSTGRES_TABLES, filled with every row of the SQLite database's tables."""
    for statement in POSTGRES_TABLES:
        await connection.execute(statement)
    with closing(sqlite3.connect(source)) as sqlite:
        for table, columns in POSTGRES_COPY.items():
            cursor = sqlite.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")  # noqa: S608
            while rows := cursor.fetchmany(COPY_CHUNK):
                if table == "vacancies":  # SQLite keeps the closing date as text
                    rows = [(*row[:4], date.fromisoformat(row[4])) for row in rows]
                await connection.copy_records_to_table(table, records=rows, columns=columns)
    await connection.execute("ANALYZE")


def postgres_baseline(url: str, source: Path, runs: int, phases: dict[str, float]) -> Baseline:
    """BASELINE_SQL on PostgreSQL, in a scratch database (created, loaded from ``source``,
    dropped), through asyncpg. The backend serving the connection is pinned to SERVER_CPU
    and runs without parallel workers, so it uses one CPU as the server does."""
    name = f"bench_search_{os.getpid()}"
    parameters = baseline_parameters()
    sql = BASELINE_SQL
    for number, parameter in enumerate(BASELINE_PARAMETERS, 1):
        sql = sql.replace(f":{parameter}", f"${number}")
    values = [parameters[parameter] for parameter in BASELINE_PARAMETERS]
    loop = asyncio.new_event_loop()
    run = loop.run_until_complete
    try:
        admin = run(asyncpg.connect(url))
    except (OSError, asyncpg.PostgresError) as error:
        loop.close()
        raise BenchError(f"PostgreSQL is unreachable: {error}") from None
    try:
        run(admin.execute(f'DROP DATABASE IF EXISTS "{name}"'))
        run(admin.execute(f'CREATE DATABASE "{name}"'))
        connection = run(asyncpg.connect(url, database=name))
        try:
            with timed(phases, "postgres_load"):
                run(load_postgres(connection, source))
            os.sched_setaffinity(run(connection.fetchval("SELECT pg_backend_pid()")), {SERVER_CPU})
            run(connection.execute("SET max_parallel_workers_per_gather = 0"))
            version = run(connection.fetchval("SHOW server_version"))
            with timed(phases, "postgres_baseline"):
                rows, seconds = time_runs(lambda: run(connection.fetch(sql, *values)), runs)
        finally:
            run(connection.close())
    finally:
        run(admin.execute(f'DROP DATABASE IF EXISTS "{name}"'))
        run(admin.close())
        loop.close()
    return Baseline(
        engine=f"PostgreSQL {version} (asyncpg, loopback)",
        settings="defaults but max_parallel_workers_per_gather = 0; only the columns it reads",
        seconds=seconds,
        references=[str(row[0]) for row in rows],
        total_filtered=rows[0][2] if rows else 0,
    )


# -- the server ----------------------------------------------------------------------------


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (peak resident so far) of a process, in KiB."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


def request_paths(course: int, references: list[str]) -> dict[str, list[str]]:
    distance = {
        "Lat": LATITUDE,
        "Lon": LONGITUDE,
        "DistanceInMiles": DISTANCE_MILES,
        "Sort": "DistanceAsc",
        "PageSize": 10,
    }
    by_course = {"StandardLarsCode": course, "PostedInLastNumberOfDays": POSTED_IN_LAST_DAYS}
    return {
        "distance": [f"/vacancies/vacancy?{urlencode(distance)}"],
        "course": [f"/vacancies/vacancy?{urlencode(by_course)}"],
        "detail": [f"/vacancies/vacancy/{reference}" for reference in references],
    }


def first_answers(
    port: int, headers: dict[str, str], paths: dict[str, list[str]]
) -> dict[str, dict[str, Any]]:
    """One request of each kind: it must answer 200, and a search must find adverts."""
    answers: dict[str, dict[str, Any]] = {}
    for name, (path, *_) in paths.items():
        status, body = get(port, path, headers)
        if status != 200:
            raise BenchError(f"GET {path} answered {status}: {body[:300]!r}")
        document = json.loads(body)
        if name == "detail":
            answers[name] = {"vacancyReference": document["vacancyReference"]}
        elif not document["vacancies"]:
            raise BenchError(f"GET {path} found no advert: {body[:300]!r}")
        else:
            answers[name] = {
                "total": document["total"],
                "totalFiltered": document["totalFiltered"],
                "references": [item["vacancyReference"] for item in document["vacancies"]],
            }
    return answers


def measure_query(
    size: int, port: int, headers: dict[str, str], name: str, paths: list[str], options: Options
) -> QueryResult:
    """Warm-up, then latency at 1 connection, then throughput; the detail route's
    references in turn (bench/paths.lua)."""
    url = f"http://127.0.0.1:{port}{paths[0]}"
    script, script_args = (PATHS_SCRIPT, paths) if len(paths) > 1 else (STATUS_SCRIPT, [])

    def run(what: str, connections: int, seconds: int) -> Measurement:
        say(size, f"{QUERY_LABELS[name]} {what}: {connections} connection(s) x {seconds} s")
        label = f"{size} {name} {what}"
        return wrk(label, url, headers, connections, seconds, script, script_args)

    return QueryResult(
        paths=paths,
        warmup=run("warm-up", options.connections, options.warmup),
        latency=run("latency", 1, options.duration),
        throughput=run("throughput", options.connections, options.duration),
    )


def measure(space: Workspace, course: int, options: Options) -> SizeResult:
    size = space.size
    paths = request_paths(course, detail_references(space.database))
    runs = options.baseline_runs
    say(size, f"SQLite baseline: (a) as one SQL statement, up to {runs} runs")
    with timed(space.phases, "baseline"):
        baselines = {"sqlite": sqlite_baseline(space.database, runs)}
    if options.postgres_url:
        say(size, f"PostgreSQL baseline: loading the rows, then up to {runs} runs")
        baselines["postgres"] = postgres_baseline(
            options.postgres_url, space.database, runs, space.phases
        )
    headers = {"Ocp-Apim-Subscription-Key": space.key, "X-Version": API_VERSION}
    log_path = space.directory / "server.log"
    say(size, "starting the server (it builds its search index first)")
    serve = ["-m", "apprenticeships", "serve"]
    with server(serve, space.env, space.directory, log_path, READY_TIMEOUT_SECONDS) as running:
        say(size, f"server ready in {running.ready_seconds:.1f} s")
        space.phases["startup"] = running.ready_seconds
        memory = {"started": memory_kib(running.pid)}
        answers = first_answers(running.port, headers, paths)
        with timed(space.phases, "load"):
            queries = {
                name: measure_query(size, running.port, headers, name, paths[name], options)
                for name in QUERIES
            }
        memory["after_load"] = memory_kib(running.pid)
    result = SizeResult(
        workspace=space,
        startup_seconds=running.ready_seconds,
        memory_kib=memory,
        baselines=baselines,
        answers=answers,
        queries=queries,
        access_log_lines=len(re.findall(rb'"event": ?"request"', log_path.read_bytes())),
    )
    for engine in baselines:
        if not result.same_as(engine):
            say(size, f"WARNING: (a) and the {engine} baseline found different adverts (see JSON)")
    return result


# -- report --------------------------------------------------------------------------------


def mib(kib: int) -> str:
    return f"{kib / 1024:,.0f}"


def ms(us: float) -> str:
    return f"{us / 1000:,.2f}"


def goals(results: list[SizeResult]) -> dict[str, dict[str, Any]]:
    """Each goal that this run's sizes allow judging: the figure and whether it passes."""
    by_size = {result.size: result for result in results}
    judged: dict[str, dict[str, Any]] = {}
    if RATIO_SIZE in by_size:
        ratio = by_size[RATIO_SIZE].ratio()
        name = f"(a) at least {RATIO_GOAL:.0f}x faster than the SQLite baseline at {RATIO_SIZE:,}"
        judged[name] = {"value": f"{ratio:,.1f}x", "pass": ratio >= RATIO_GOAL}
    small, large = SCALING_SIZES
    if small in by_size and large in by_size:
        for query in QUERIES:
            growth = by_size[large].p50_us(query) / by_size[small].p50_us(query)
            name = (
                f"{QUERY_LABELS[query]} median at {large:,} at most {SCALING_GOAL:.0f}x {small:,}'s"
            )
            judged[name] = {"value": f"{growth:.2f}x", "pass": growth <= SCALING_GOAL}
    if MEMORY_SIZE in by_size:
        peak = by_size[MEMORY_SIZE].peak_kib
        name = f"server's peak resident memory (VmHWM) at {MEMORY_SIZE:,} under 1 GiB"
        judged[name] = {"value": f"{mib(peak)} MiB", "pass": peak < MEMORY_GOAL_KIB}
    return judged


def report(
    results: list[SizeResult],
    course: tuple[int, str],
    options: Options,
    load: dict[str, str],
    judged: dict[str, dict[str, Any]],
) -> str:
    shown = request_paths(course[0], ["<reference>"])
    lines = [
        "",
        f"(a) GET {shown['distance'][0]}  ({CITY})",
        f"(b) GET {shown['course'][0]}  ({course[1]})",
        f"(c) GET {shown['detail'][0]}, {DETAIL_REFERENCES} live adverts in turn",
        f"X-Version: {API_VERSION}, a valid key. `apprenticeships serve` on CPU {SERVER_CPU}, "
        f"wrk -t1 on CPU {WRK_CPU}. Latency: 1 connection x {options.duration} s; "
        f"throughput: {options.connections} connections x {options.duration} s.",
        "",
        "Start-up (launch to the first /health 200) and resident memory of the server (MiB)",
        f"{'live adverts':>12} {'start-up':>9} {'RSS started':>12} {'RSS after load':>15} "
        f"{'peak (VmHWM)':>13}",
    ]
    for result in results:
        started, after = result.memory_kib["started"], result.memory_kib["after_load"]
        lines.append(
            f"{result.workspace.live_adverts:>12,} {result.startup_seconds:>8.1f}s "
            f"{mib(started['VmRSS']):>12} {mib(after['VmRSS']):>15} {mib(result.peak_kib):>13}"
        )
    lines += [
        "",
        "Latency at 1 connection, median / p99 (ms), and throughput (requests/s)",
        f"{'live adverts':>12}" + "".join(f" {QUERY_LABELS[q]:>25}" for q in QUERIES),
    ]
    for result in results:
        cells = []
        for query in QUERIES:
            measured = result.queries[query]
            latency = measured.latency.latency_us
            median_p99 = f"{ms(latency['p50'])} / {ms(latency['p99'])}"
            cells.append(f"{median_p99:>15} {measured.throughput.rps:>7,.0f}/s")
        lines.append(f"{result.workspace.live_adverts:>12,}" + "".join(f" {c:>25}" for c in cells))
    lines += [
        "",
        "(a) against the baseline, the same search as one SQL statement: median / p99 (ms)",
        f"{'live adverts':>12} {'engine':<10} {'baseline':>21} {'runs':>5} {'(a) median':>11} "
        f"{'ratio':>7}  same page and count",
    ]
    for result in results:
        for engine, baseline in result.baselines.items():
            median_p99 = f"{ms(baseline.p50_us)} / {ms(baseline.p99_us)}"
            lines.append(
                f"{result.workspace.live_adverts:>12,} {engine:<10} {median_p99:>21} "
                f"{len(baseline.seconds):>5} {ms(result.p50_us('distance')):>11} "
                f"{result.ratio(engine):>6,.1f}x  {'yes' if result.same_as(engine) else 'NO'}"
            )
    lines += ["", "Goals"]
    if not judged:
        lines.append("  none can be judged with these --sizes")
    lines += [
        f"  {verdict(goal['pass'])}  {name}: {goal['value']}" for name, goal in judged.items()
    ]
    lines += ["", "Phases (s)"]
    for result in results:
        cached = result.workspace.cached
        phases = ", ".join(f"{name} {s:.1f}" for name, s in result.workspace.phases.items())
        origin = (
            f"reused the cache, seeded {cached.seeded_at:%Y-%m-%d %H:%M} UTC in {cached.seed_seconds:.0f} s"
            if cached.reused
            else "seeded the cache in this run"
        )
        lines.append(f"{result.size:>12,}: {phases} ({origin})")
    lines += ["", f"Load average (1, 5, 15 min): before {load['before']}; after {load['after']}"]
    return "\n".join(lines)


# -- main ----------------------------------------------------------------------------------


def parse_sizes(text: str) -> tuple[int, ...]:
    sizes = tuple(int(part.replace("_", "")) for part in text.split(","))
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes are positive numbers of adverts")
    return sizes


def parse_options(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=SIZES,
        help="live adverts, comma separated (default 10000,100000,1000000)",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=64, help="for the throughput runs")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up, per query")
    parser.add_argument(
        "--baseline-runs", type=int, default=20, help="timed runs of the baseline, per size"
    )
    parser.add_argument(
        "--postgres-url",
        default="",
        help="also run the baseline on PostgreSQL, in a scratch database created (and "
        "dropped) through this URL, e.g. postgresql://postgres@127.0.0.1:5432/postgres",
    )
    args = parser.parse_args(argv)
    if min(args.duration, args.connections, args.warmup, args.baseline_runs) < 1:
        parser.error("--duration, --connections, --warmup and --baseline-runs must be at least 1")
    return Options(
        args.sizes,
        args.duration,
        args.connections,
        args.warmup,
        args.baseline_runs,
        args.postgres_url,
    )


def run(options: Options) -> None:
    check_machine()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    digest = demo_hash()
    check_disk(options.sizes, digest)
    started = datetime.now(UTC)
    load = {"before": load_average()}
    results: list[SizeResult] = []
    course: tuple[int, str] | None = None
    for size in options.sizes:
        with workspace(size, digest) as space:
            # The same course at every size: the most advertised one at the first.
            course = course or most_advertised_course(space.database)
            results.append(measure(space, course[0], options))
    load["after"] = load_average()
    assert course is not None
    judged = goals(results)
    print(report(results, course, options, load, judged))

    document = {
        "benchmark": "search",
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "command": [Path(sys.executable).name, "-m", "bench.search", *sys.argv[1:]],
        "config": {
            "sizes": list(options.sizes),
            "duration_seconds": options.duration,
            "connections": options.connections,
            "warmup_seconds": options.warmup,
            "baseline_runs": options.baseline_runs,
            "baseline_budget_seconds": BASELINE_BUDGET_SECONDS,
            "baseline_sql": BASELINE_SQL.strip(),
            "postgres": bool(options.postgres_url),
            "city": {"name": CITY, "lat": LATITUDE, "lon": LONGITUDE},
            "course": {"lars_code": course[0], "title": course[1]},
            "demo_hash": digest,
            "wrk": wrk_version(),
            "wrk_threads": 1,
            "server": "`python -m apprenticeships serve`: 1 worker, uvloop, httptools",
            "server_cpu": SERVER_CPU,
            "wrk_cpu": WRK_CPU,
            "rate_limit": RATE_LIMIT,
            "access_log": "on, server stdout and stderr to a file",
            "python": sys.version.split()[0],
            "cpus": os.cpu_count(),
        },
        "load_average": load,
        "goals": judged,
        "sizes": {str(result.size): result.as_json() for result in results},
    }
    write_results("search", started, document)


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    return run_main(lambda: run(options))


if __name__ == "__main__":
    sys.exit(main())
