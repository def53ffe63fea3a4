"""What the gateway costs: wrk on loopback against one server process, gated and ungated.

``GET /vacancies/referencedata/courses/routes`` with a valid key and ``X-Version: 2`` is
measured through the full gateway and against the same handler with no gateway in front
(``bench.ungated``), in the same server process and the same run, once with the memory
rate-limit backend and once with Redis. See bench/README.md.

Exits 1 if the benchmark could not be run or measured something other than 200s; a
missed goal is reported, not an error.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

from bench.ungated import UNGATED_PREFIX

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
STATUS_SCRIPT = ROOT / "bench" / "status.lua"
# Not resolved: the virtual environment's python is a symlink to the system's.
VENV_BIN = Path(sys.executable).parent

PATH = "/vacancies/referencedata/courses/routes"
OWNER_EMAIL = "bench@example.com"
# High enough that no request of the run is ever refused.
RATE_LIMIT = "100000000/300"
SERVER_CPU = 0
WRK_CPU = 1
READY_TIMEOUT_SECONDS = 30.0

# Gated rps / ungated rps at least this, per rate-limit backend.
THROUGHPUT_GOALS = {"memory": 0.70, "redis": 0.50}
LATENCY_GOAL_US = 150.0  # added median latency at 1 connection, under this


class BenchError(Exception):
    """The benchmark could not run, or measured something it must not."""


@dataclass(frozen=True, slots=True)
class Measurement:
    """One wrk run."""

    label: str
    connections: int
    requests: int
    seconds: float
    statuses: dict[str, int]
    socket_errors: dict[str, int]
    latency_us: dict[str, float]
    wrk_output: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "rps": round(self.rps, 1)}


@dataclass(frozen=True, slots=True)
class BackendResult:
    name: str
    warmup: tuple[Measurement, Measurement]  # gated, ungated
    throughput: tuple[Measurement, Measurement]
    latency: tuple[Measurement, Measurement]
    access_log_lines: int

    @property
    def ratio(self) -> float:
        gated, ungated = self.throughput
        return gated.rps / ungated.rps

    @property
    def added_p50_us(self) -> float:
        gated, ungated = self.latency
        return gated.latency_us["p50"] - ungated.latency_us["p50"]

    def gated_requests(self) -> int:
        return sum(m.requests for m in (self.warmup[0], self.throughput[0], self.latency[0]))

    def as_json(self) -> dict[str, Any]:
        def pair(measurements: tuple[Measurement, Measurement]) -> dict[str, Any]:
            return {"gated": measurements[0].as_json(), "ungated": measurements[1].as_json()}

        return {
            "warmup": pair(self.warmup),
            "throughput": pair(self.throughput),
            "latency_1_connection": pair(self.latency),
            "access_log_lines": self.access_log_lines,
            "gated_over_ungated_rps": round(self.ratio, 4),
            "added_p50_latency_us": self.added_p50_us,
        }


@dataclass(frozen=True, slots=True)
class Options:
    duration: int
    connections: int
    warmup: int
    redis_url: str
    rounds: int


def combine(label: str, runs: list[Measurement]) -> Measurement:
    """Several runs of one path as one: requests and time added up."""
    statuses: dict[str, int] = {}
    errors: dict[str, int] = {}
    for run in runs:
        for status, count in run.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
        for kind, count in run.socket_errors.items():
            errors[kind] = errors.get(kind, 0) + count
    return Measurement(
        label=label,
        connections=runs[0].connections,
        requests=sum(run.requests for run in runs),
        seconds=sum(run.seconds for run in runs),
        statuses=statuses,
        socket_errors=errors,
        latency_us=runs[0].latency_us,
        wrk_output="\n".join(run.wrk_output for run in runs),
    )


# -- processes -----------------------------------------------------------------------------


def base_environment(var_dir: Path) -> dict[str, str]:
    """This machine's environment without any APPRENTICESHIPS_* setting, plus the bench's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPRENTICESHIPS_")}
    env.update(
        PYTHONPATH=str(ROOT),
        APPRENTICESHIPS_VAR_DIR=str(var_dir),
        APPRENTICESHIPS_DATABASE_URL=f"sqlite:///{var_dir / 'apprenticeships.sqlite3'}",
        APPRENTICESHIPS_SECRET_KEY=secrets.token_urlsafe(32),
        APPRENTICESHIPS_RATE_LIMIT=RATE_LIMIT,
        APPRENTICESHIPS_ACCESS_LOG="true",
        APPRENTICESHIPS_LOG_LEVEL="INFO",
        APPRENTICESHIPS_REDIS_URL="",
    )
    return env


def cli(env: dict[str, str], cwd: Path, *args: str) -> str:
    """Run the platform's CLI; its stdout, stripped."""
    done = subprocess.run(
        [str(VENV_BIN / "apprenticeships"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"`apprenticeships {' '.join(args)}` failed: {done.stderr.strip()}")
    return done.stdout.strip()


def provision_key(env: dict[str, str], cwd: Path) -> str:
    cli(env, cwd, "db", "upgrade")
    cli(env, cwd, "accounts", "add-developer", "--email", OWNER_EMAIL)
    return cli(
        env,
        cwd,
        "keys",
        "issue",
        "--product",
        "display-advert",
        "--owner",
        f"developer:{OWNER_EMAIL}",
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass(frozen=True, slots=True)
class Server:
    port: int
    pid: int
    ready_seconds: float  # from launch until it first answered /health


@contextmanager
def server(
    args: list[str],
    env: dict[str, str],
    cwd: Path,
    log_path: Path,
    ready_timeout: float = READY_TIMEOUT_SECONDS,
) -> Iterator[Server]:
    """``python <args> --port <free port>`` pinned to SERVER_CPU, stdout and stderr to a
    file; yields it once /health answers 200."""
    port = free_port()
    launched = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["taskset", "-c", str(SERVER_CPU), sys.executable, *args, "--port", str(port)],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        while True:
            if process.poll() is not None:
                raise BenchError(
                    f"the server exited with status {process.returncode}:\n{tail(log_path)}"
                )
            try:
                if get(port, "/health", {})[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() - launched > ready_timeout:
                raise BenchError(f"the server did not start within {ready_timeout:.0f} s")
            time.sleep(0.1)
        yield Server(port, process.pid, time.monotonic() - launched)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(
    label: str,
    url: str,
    headers: dict[str, str],
    connections: int,
    seconds: int,
    script: Path = STATUS_SCRIPT,
    script_args: Sequence[str] = (),
) -> Measurement:
    """One wrk run pinned to WRK_CPU; fails on anything but 200s. ``script`` must print
    the BENCH_RESULT line of bench/status.lua; ``script_args`` go to it after ``--``."""
    command = ["taskset", "-c", str(WRK_CPU), "wrk", "-t1", f"-c{connections}", f"-d{seconds}s"]
    command += ["--timeout", "5s", "--latency", "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise BenchError(f"wrk failed for {label}:\n{done.stdout}{done.stderr}")
    result = json.loads(line.removeprefix("BENCH_RESULT "))
    measurement = Measurement(
        label=label,
        connections=connections,
        requests=result["requests"],
        seconds=result["duration_us"] / 1e6,
        statuses=result["statuses"],
        socket_errors=result["socket_errors"],
        latency_us=result["latency_us"],
        wrk_output=done.stdout,
    )
    not_ok = {s: n for s, n in measurement.statuses.items() if s != "200"}
    if not_ok or measurement.requests == 0:
        raise BenchError(f"{label}: responses other than 200: {not_ok or 'no responses at all'}")
    if any(measurement.socket_errors.values()):
        raise BenchError(f"{label}: socket errors: {measurement.socket_errors}")
    return measurement


# -- the benchmark -------------------------------------------------------------------------


def measure_backend(
    name: str, env: dict[str, str], cwd: Path, key: str, options: Options
) -> BackendResult:
    headers = {"Ocp-Apim-Subscription-Key": key, "X-Version": "2"}
    log_path = cwd / f"server-{name}.log"
    print(f"[{name}] starting the server", flush=True)
    with server(["-m", "bench.ungated"], env, cwd, log_path) as running:
        port = running.port
        gated_url = f"http://127.0.0.1:{port}{PATH}"
        ungated_url = f"http://127.0.0.1:{port}{UNGATED_PREFIX}{PATH}"
        gated_status, gated_body = get(port, PATH, headers)
        ungated_status, ungated_body = get(port, UNGATED_PREFIX + PATH, headers)
        if (gated_status, ungated_status) != (200, 200) or gated_body != ungated_body:
            raise BenchError(
                f"[{name}] gated and ungated must both answer 200 with the same body; got "
                f"{gated_status} {gated_body[:200]!r} and {ungated_status} {ungated_body[:200]!r}"
            )

        def pair(what: str, connections: int, seconds: int) -> tuple[Measurement, Measurement]:
            print(f"[{name}] {what}: {connections} connection(s) x {seconds} s, each", flush=True)
            gated = wrk(f"{name} {what} gated", gated_url, headers, connections, seconds)
            ungated = wrk(f"{name} {what} ungated", ungated_url, headers, connections, seconds)
            return gated, ungated

        warmup = pair("warm-up", options.connections, options.warmup)
        # Rounds alternate which path goes first (gated-ungated, ungated-gated, ...), so a
        # drift in the machine's speed during the run does not favour either path.
        gated_runs: list[Measurement] = []
        ungated_runs: list[Measurement] = []
        for number in range(1, options.rounds + 1):
            print(
                f"[{name}] throughput round {number}: {options.connections} connections x "
                f"{options.duration} s, each path",
                flush=True,
            )
            order = [("gated", gated_url, gated_runs), ("ungated", ungated_url, ungated_runs)]
            for path_name, url, runs in order if number % 2 else reversed(order):
                label = f"{name} throughput {number} {path_name}"
                runs.append(wrk(label, url, headers, options.connections, options.duration))
        throughput = (
            combine(f"{name} throughput gated", gated_runs),
            combine(f"{name} throughput ungated", ungated_runs),
        )
        latency = pair("latency", 1, options.duration)
    access_log_lines = len(re.findall(rb'"event": ?"request"', log_path.read_bytes()))
    return BackendResult(name, warmup, throughput, latency, access_log_lines)


def connect_redis(url: str) -> redis.Redis:
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        raise BenchError(f"Redis is unreachable at {url}: {error}") from None
    return client


def measure_redis(
    client: redis.Redis, env: dict[str, str], cwd: Path, key: str, options: Options
) -> BackendResult:
    """The Redis run, under a key prefix of its own that is deleted afterwards."""
    prefix = f"bench-gateway-{os.getpid()}-{secrets.token_hex(4)}:"
    redis_env = env | {
        "APPRENTICESHIPS_REDIS_URL": options.redis_url,
        "APPRENTICESHIPS_REDIS_PREFIX": prefix,
    }
    try:
        result = measure_backend("redis", redis_env, cwd, key, options)
        # Every gated request is counted in Redis unless the limiter fell back to memory.
        counters = list(client.scan_iter(f"{prefix}rl:*"))
        values: list[bytes | str | None] = client.mget(counters) if counters else []
        counted = sum(int(value or 0) for value in values)
        if counted < result.gated_requests():
            raise BenchError(
                f"Redis counted {counted} requests but wrk saw {result.gated_requests()} gated "
                "200s: the rate limiter fell back to memory during the run"
            )
        return result
    finally:
        stale = list(client.scan_iter(f"{prefix}*"))
        if stale:
            client.delete(*stale)


def check_machine() -> None:
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            raise BenchError(f"{tool} is not installed (`apt-get install -y wrk` brings wrk)")
    if not {SERVER_CPU, WRK_CPU} <= os.sched_getaffinity(0):
        raise BenchError(f"CPUs {SERVER_CPU} and {WRK_CPU} are both needed, to pin to")


def wrk_version() -> str:
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return (done.stdout + done.stderr).splitlines()[0].strip()


# -- report --------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(results: dict[str, BackendResult], options: Options, load: dict[str, str]) -> str:
    lines = [
        "",
        f"GET {PATH}, X-Version: 2, valid key; wrk -t1 -c{options.connections} "
        f"-d{options.duration}s x {options.rounds} rounds per path; server on CPU "
        f"{SERVER_CPU}, wrk on CPU {WRK_CPU}",
        "",
        "Throughput (requests per second)",
        f"{'backend':<8} {'gated':>10} {'ungated':>10} {'gated/ungated':>14} {'goal':>7}  result",
    ]
    for name, result in results.items():
        gated, ungated = result.throughput
        goal = THROUGHPUT_GOALS[name]
        lines.append(
            f"{name:<8} {gated.rps:>10,.0f} {ungated.rps:>10,.0f} {result.ratio:>14.1%} "
            f"{'>= ' + format(goal, '.0%'):>7}  {verdict(result.ratio >= goal)}"
        )
    lines += [
        "",
        f"Median latency at 1 connection (µs), wrk -t1 -c1 -d{options.duration}s",
        f"{'backend':<8} {'gated':>10} {'ungated':>10} {'added':>14} {'goal':>7}  result",
    ]
    for name, result in results.items():
        gated, ungated = result.latency
        added = result.added_p50_us
        lines.append(
            f"{name:<8} {gated.latency_us['p50']:>10,.0f} {ungated.latency_us['p50']:>10,.0f} "
            f"{added:>+14,.0f} {'< ' + format(LATENCY_GOAL_US, '.0f'):>7}  "
            f"{verdict(added < LATENCY_GOAL_US)}"
        )
    lines += [
        "",
        f"Load average (1, 5, 15 min): before {load['before']}; after {load['after']}",
    ]
    return "\n".join(lines)


def summary(results: dict[str, BackendResult]) -> dict[str, Any]:
    return {
        name: {
            "gated_rps": round(result.throughput[0].rps, 1),
            "ungated_rps": round(result.throughput[1].rps, 1),
            "ratio": round(result.ratio, 4),
            "ratio_goal": THROUGHPUT_GOALS[name],
            "ratio_pass": result.ratio >= THROUGHPUT_GOALS[name],
            "gated_p50_us": result.latency[0].latency_us["p50"],
            "ungated_p50_us": result.latency[1].latency_us["p50"],
            "added_p50_us": result.added_p50_us,
            "added_p50_goal_us": LATENCY_GOAL_US,
            "added_p50_pass": result.added_p50_us < LATENCY_GOAL_US,
        }
        for name, result in results.items()
    }


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def parse_options(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.gateway", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=64, help="for the throughput runs")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up, each path")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--rounds", type=int, default=2, help="throughput runs per path, in alternating order"
    )
    args = parser.parse_args(argv)
    if min(args.duration, args.connections, args.warmup, args.rounds) < 1:
        parser.error("--duration, --connections, --warmup and --rounds must be at least 1")
    return Options(args.duration, args.connections, args.warmup, args.redis_url, args.rounds)


def run(options: Options) -> None:
    check_machine()
    started = datetime.now(UTC)
    load = {"before": load_average()}
    with (
        closing(connect_redis(options.redis_url)) as client,
        tempfile.TemporaryDirectory(prefix="bench-gateway-") as temporary,
    ):
        cwd = Path(temporary)
        env = base_environment(cwd / "var")
        key = provision_key(env, cwd)
        results = {
            "memory": measure_backend("memory", env, cwd, key, options),
            "redis": measure_redis(client, env, cwd, key, options),
        }
    load["after"] = load_average()
    print(report(results, options, load))

    document = {
        "benchmark": "gateway",
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "command": [Path(sys.executable).name, "-m", "bench.gateway", *sys.argv[1:]],
        "config": {
            "path": PATH,
            "duration_seconds": options.duration,
            "throughput_rounds": options.rounds,
            "connections": options.connections,
            "warmup_seconds": options.warmup,
            "wrk": wrk_version(),
            "wrk_threads": 1,
            "server": "uvicorn, 1 worker, uvloop, httptools, options of `apprenticeships serve`",
            "server_cpu": SERVER_CPU,
            "wrk_cpu": WRK_CPU,
            "rate_limit": RATE_LIMIT,
            "access_log": "on, server stdout and stderr to a file",
            "python": sys.version.split()[0],
            "cpus": os.cpu_count(),
        },
        "load_average": load,
        "summary": summary(results),
        "backends": {name: result.as_json() for name, result in results.items()},
    }
    write_results("gateway", started, document)


def write_results(name: str, started: datetime, document: dict[str, Any]) -> None:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nResults: {path.relative_to(ROOT)}")


def run_main(run_options: Callable[[], None]) -> int:
    """Exit status of a benchmark: 1 with a one-line error for a BenchError."""
    try:
        run_options()
    except BenchError as error:
        print(f"bench: error: {error}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    return run_main(lambda: run(options))


if __name__ == "__main__":
    sys.exit(main())
