"""Test databases and Redis prefixes: a fresh database per test, built from a template
that the real migrations made once per run."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from apprenticeships.install import install
from apprenticeships.settings import to_async_url
from apprenticeships.storage.engine import create_engine

POSTGRES_URL = os.environ.get("APPRENTICESHIPS_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("APPRENTICESHIPS_TEST_REDIS_URL", "")
REDIS_PREFIX = os.environ.get("APPRENTICESHIPS_TEST_REDIS_PREFIX", "apprenticeships-test:")
REQUIRED = os.environ.get("APPRENTICESHIPS_TEST_REQUIRE_SERVICES") == "1"
# The PostgreSQL parameter of a fixture that runs on both databases: marked, so that
# `-m "not postgres"` leaves it out.
POSTGRES_PARAM = pytest.param("postgresql", marks=pytest.mark.postgres)


def require(value: str, variable: str, what: str) -> None:
    """Skip (with the reason shown) when a service is not configured; fail in CI."""
    if value:
        return
    if REQUIRED:
        pytest.fail(f"{variable} must be set: CI requires {what}")
    pytest.skip(f"{what} not configured: set {variable} (or run .ci/run) to run this test")


async def _install(url: str) -> None:
    engine = create_engine(url)
    try:
        await install(engine)
    finally:
        await engine.dispose()


class SqliteDatabases:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.template = root / "template.sqlite3"
        asyncio.run(_install(f"sqlite+aiosqlite:///{self.template}"))

    def new(self) -> str:
        path = self.root / f"{uuid.uuid4().hex}.sqlite3"
        shutil.copyfile(self.template, path)
        return f"sqlite+aiosqlite:///{path}"


class PostgresDatabases:
    """A fresh database per test, copied from the template. Creating and dropping a
    database is mostly the server's disk work, often as long as a test takes, so it is
    done in the background: one thread keeps the next databases ready before they are
    asked for, another drops used ones while the next test runs."""

    READY = 2

    def __init__(self, url: str) -> None:
        self.admin_url = to_async_url(url)
        base = make_url(self.admin_url).database or "test"
        self.prefix = f"{base}_{uuid.uuid4().hex[:8]}"
        self.template = f"{self.prefix}_tmpl"
        self.created: list[str] = []
        asyncio.run(self._execute(f'CREATE DATABASE "{self.template}"'))
        asyncio.run(_install(self.url_for(self.template)))
        self._creator = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-db-create")
        self._dropper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-db-drop")
        self._ready = deque(
            self._creator.submit(self._create, self.template) for _ in range(self.READY)
        )
        self._drops: list[Future[None]] = []

    def url_for(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    async def _execute(self, *statements: str) -> None:
        engine = create_engine(self.admin_url).execution_options(isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                for statement in statements:
                    await connection.execute(text(statement))
        finally:
            await engine.dispose()

    def _create(self, template: str | None = None) -> str:
        name = f"{self.prefix}_{len(self.created)}"
        self.created.append(name)  # only the creating thread appends
        copied = f' TEMPLATE "{template}"' if template else ""
        asyncio.run(self._execute(f'CREATE DATABASE "{name}"{copied}'))
        return name

    def _drop(self, name: str) -> None:
        asyncio.run(self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def new(self) -> str:
        """A database with the schema and reference data, as installed."""
        self._ready.append(self._creator.submit(self._create, self.template))
        return self.url_for(self._ready.popleft().result())

    def new_empty(self) -> str:
        """A database with nothing in it, not even the schema."""
        return self.url_for(self._creator.submit(self._create).result())

    def drop(self, url: str) -> None:
        """Drop a database its test has finished with, in the background."""
        name = make_url(url).database
        assert name is not None
        self._drops.append(self._dropper.submit(self._drop, name))

    def close(self) -> None:
        unused = [ready.result() for ready in self._ready]
        self._creator.shutdown(wait=True)
        for name in [*unused, self.template]:  # the template last: the copies came first
            self._drops.append(self._dropper.submit(self._drop, name))
        self._dropper.shutdown(wait=True)
        for dropped in self._drops:
            dropped.result()  # a failed drop is reported, not left behind unseen


async def clear_redis_prefix(url: str, prefix: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
