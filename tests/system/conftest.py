"""Helpers for end-to-end tests that run the real thing: `apprenticeships serve` processes,
the CLI as a subprocess, and (for the outage test) a `redis-server` of the test's own.

Every process a test starts runs in its own session (process group), is stopped at
teardown whatever happens, and writes its output to a file under the test's tmp dir; when
a test fails, that output is attached to the failure report.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
import redis

from tests.support import services
from tests.support.responses import RawResponse

SECRET_KEY = "system-test-secret-key-not-for-production"
HEALTH_TIMEOUT_SECONDS = 30.0
LOG_TAIL_LINES = 150

_ISSUED = re.compile(r"Issued (key_[0-9a-f]+) \(")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """Stop a process this test started, and its children (its own process group)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(grace)


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no output file)"
    kept = text.splitlines()[-lines:]
    return "\n".join(kept) if kept else "(no output)"


@dataclass
class Process:
    """One process started by a test, its output going to ``log_path``."""

    name: str
    args: list[str]
    log_path: Path
    process: subprocess.Popen[bytes]
    log_file: IO[bytes]

    def stop(self) -> None:
        _stop(self.process)
        if not self.log_file.closed:
            self.log_file.close()

    def output(self) -> str:
        self.log_file.flush()
        return _tail(self.log_path)

    def full_output(self) -> str:
        self.log_file.flush()
        return self.log_path.read_text(errors="replace")


@dataclass
class Server(Process):
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class RedisServer:
    """A `redis-server` of the test's own, with no persistence, that can be stopped and
    started again on the same port."""

    harness: Harness
    port: int
    current: Process | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _new_client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def client(self) -> redis.Redis:
        """A client for inspecting it; closed at teardown."""
        client = self._new_client()
        self.harness.cleanups.append(client.close)
        return client

    def start(self) -> None:
        assert self.current is None or self.current.process.poll() is not None
        self.starts += 1
        data_dir = self.harness.tmp / f"redis-{self.port}"
        data_dir.mkdir(exist_ok=True)
        self.current = self.harness.spawn(
            f"redis-server:{self.port}#{self.starts}",
            [
                redis_server_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(data_dir),
            ],
        )
        deadline = time.monotonic() + 10
        while True:
            if self.current.process.poll() is not None:
                pytest.fail(f"redis-server exited at start:\n{self.current.output()}")
            try:
                with self._new_client() as client:
                    if client.ping():
                        return
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"redis-server did not answer PING:\n{self.current.output()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Terminate it (mid-run, as an outage would) and wait until it is gone."""
        assert self.current is not None
        self.current.stop()


def redis_server_binary() -> str:
    """The `redis-server` binary: the test is skipped locally without it, fails in CI."""
    path = shutil.which("redis-server") or ""
    if not path and Path("/usr/bin/redis-server").exists():
        path = "/usr/bin/redis-server"
    if not path:
        if services.REQUIRED:
            pytest.fail("redis-server must be installed: CI requires it for the outage test")
        pytest.skip("redis-server is not installed: the Redis outage test starts its own")
    return path


@dataclass
class Harness:
    """Starts processes for one test and stops all of them at teardown."""

    tmp: Path
    processes: list[Process] = field(default_factory=list)
    cleanups: list[Callable[[], object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.var_dir = self.tmp / "var"
        self.var_dir.mkdir(parents=True, exist_ok=True)

    # -- environment ------------------------------------------------------------------------

    def env(self, settings: Mapping[str, str] | None = None) -> dict[str, str]:
        """A clean environment: none of the caller's APPRENTICESHIPS_* settings leak in,
        the same secret and var dir for every process and CLI call, plus ``settings``."""
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("APPRENTICESHIPS_") and name != "COLUMNS"
        }
        env.update(
            {
                "APPRENTICESHIPS_VAR_DIR": str(self.var_dir),
                "APPRENTICESHIPS_SECRET_KEY": SECRET_KEY,
                "APPRENTICESHIPS_ACCESS_LOG": "false",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(settings or {})
        return env

    # -- processes --------------------------------------------------------------------------

    def _popen(
        self, name: str, args: list[str], env: Mapping[str, str] | None
    ) -> tuple[Path, subprocess.Popen[bytes], IO[bytes]]:
        log_path = self.tmp / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + ".log")
        log_file = log_path.open("wb")
        try:
            process = subprocess.Popen(
                args,
                env=dict(env) if env is not None else None,
                cwd=self.tmp,  # so no stray .env file is read
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as one
            )
        except BaseException:
            log_file.close()
            raise
        return log_path, process, log_file

    def spawn(self, name: str, args: list[str], env: Mapping[str, str] | None = None) -> Process:
        started = Process(name, args, *self._popen(name, args, env))
        self.processes.append(started)
        return started

    def spawn_server(
        self, settings: Mapping[str, str], *extra_args: str, port: int | None = None
    ) -> Server:
        port = port or free_port()
        name = f"server:{port}"
        args = [sys.executable, "-m", "apprenticeships", "serve"]
        args += ["--host", "127.0.0.1", "--port", str(port), *extra_args]
        server = Server(name, args, *self._popen(name, args, self.env(settings)), port=port)
        self.processes.append(server)
        return server

    async def wait_healthy(self, servers: list[Server]) -> None:
        async with httpx.AsyncClient(timeout=2) as client:
            await asyncio.gather(*(self._wait_healthy(client, server) for server in servers))

    async def _wait_healthy(self, client: httpx.AsyncClient, server: Server) -> None:
        deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
        while True:
            if server.process.poll() is not None:
                pytest.fail(
                    f"{server.name} exited with {server.process.returncode} before answering "
                    f"/health:\n{server.output()}"
                )
            try:
                response = await client.get(f"{server.url}/health")
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{server.name} did not answer /health in time:\n{server.output()}")
            await asyncio.sleep(0.1)

    def redis_server(self) -> RedisServer:
        server = RedisServer(self, free_port())
        server.start()
        return server

    def stop_all(self) -> None:
        errors: list[Exception] = []
        for cleanup in [*reversed(self.cleanups), *(p.stop for p in reversed(self.processes))]:
            try:
                cleanup()
            except Exception as error:  # stop the others all the same
                errors.append(error)
        if errors:
            raise errors[0]

    def report(self) -> str:
        parts = []
        for process in self.processes:
            state = process.process.poll()
            status = "running" if state is None else f"exit code {state}"
            parts.append(
                f"===== {process.name} ({status}): {' '.join(process.args)}\n{process.output()}"
            )
        return "\n".join(parts) if parts else "(no processes were started)"

    # -- the CLI ----------------------------------------------------------------------------

    def cli(
        self,
        *args: str,
        settings: Mapping[str, str] | None = None,
        check: bool = True,
        timeout: float = 60,
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "apprenticeships", *args],
            env=self.env(settings),
            cwd=self.tmp,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            pytest.fail(
                f"`apprenticeships {' '.join(args)}` exited with {result.returncode}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    def issue_key(
        self, settings: Mapping[str, str], email: str = "system-test@example.com"
    ) -> tuple[str, str]:
        """A new developer and a live Display advert key for them: (key, key id)."""
        self.cli("accounts", "add-developer", "--email", email, settings=settings)
        issued = self.cli(
            "keys", "issue", "--product", "display-advert", "--owner", f"developer:{email}",
            settings=settings,
        )  # fmt: skip
        key = issued.stdout.strip()
        match = _ISSUED.search(issued.stderr)
        assert match, f"no key id in the CLI's stderr: {issued.stderr!r}"
        assert key, f"no key on the CLI's stdout: {issued.stdout!r}"
        assert "\n" not in key, f"stdout should be the key alone: {issued.stdout!r}"
        return key, match.group(1)


async def burst(
    targets: Sequence[tuple[int, str]], headers: Mapping[str, str]
) -> list[RawResponse]:
    """One GET per ``(port, path)`` target, all in flight at once.

    Plain asyncio streams, one connection each: every connection is opened first, then
    every request is written, then the responses are read. (httpx's pool spends seconds
    of CPU juggling a thousand connections; this takes a fraction of a second.)
    """

    async def connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", port)

    connections = await asyncio.gather(*(connect(port) for port, _ in targets))
    try:
        for (port, path), (_, writer) in zip(targets, connections, strict=True):
            lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
            lines += [f"{name}: {value}" for name, value in headers.items()]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

        async def read(reader: asyncio.StreamReader) -> RawResponse:
            return RawResponse.from_wire(await reader.read())

        async with asyncio.timeout(60):
            return await asyncio.gather(*(read(reader) for reader, _ in connections))
    finally:
        for _, writer in connections:
            writer.close()
        await asyncio.gather(
            *(writer.wait_closed() for _, writer in connections), return_exceptions=True
        )


_HARNESS = pytest.StashKey[Harness]()


@pytest.fixture
def system(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    request.node.stash[_HARNESS] = harness
    try:
        yield harness
    finally:
        harness.stop_all()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> pytest.TestReport:
    report: pytest.TestReport = yield
    harness = item.stash.get(_HARNESS, None)
    if report.failed and harness is not None and report.when in ("setup", "call"):
        try:
            output = harness.report()
        except Exception as error:  # never let the report break the run
            output = f"(could not collect the output: {error!r})"
        report.sections.append(("output of the processes this test started", output))
    return report
