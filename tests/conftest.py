from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import settings
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.app import Platform
from apprenticeships.observability.logs import configure_logging
from apprenticeships.settings import Settings
from apprenticeships.storage.engine import create_engine, session_factory
from tests.support import services

# Property tests take their example counts from a profile, named by HYPOTHESIS_PROFILE:
# - dev (the default): quick, and random, so every run tries inputs no run tried before
#   (a failing one is kept in .hypothesis/ and tried first next time);
# - ci (.ci/run): more examples, derandomized, so CI never passes or fails by chance and
#   a failure there fails the same way on any machine;
# - thorough: a long random hunt, for after changing a parser or the search index.
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci", max_examples=200, deadline=None, derandomize=True, database=None, print_blob=True
)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# A test that uses one of these fixtures gets the marker, so `-m "not postgres"` and
# `-m "not redis"` select what runs without those services. Fixtures that pick a backend
# by parameter (database_url, limiter_backend) mark their parameters instead.
SERVICE_MARKERS = {
    "postgres_url": "postgres",
    "postgres_databases": "postgres",
    "redis_url": "redis",
}


def pytest_configure(config: pytest.Config) -> None:
    configure_logging("INFO")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = getattr(item, "fixturenames", ())
        for marker in sorted({m for fixture, m in SERVICE_MARKERS.items() if fixture in used}):
            item.add_marker(marker)


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> services.SqliteDatabases:
    return services.SqliteDatabases(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[services.PostgresDatabases | None]:
    if not services.POSTGRES_URL:
        yield None
        return
    databases = services.PostgresDatabases(services.POSTGRES_URL)
    yield databases
    databases.close()


@pytest.fixture
def sqlite_url(sqlite_databases: services.SqliteDatabases) -> str:
    return sqlite_databases.new()


def _require_marker(request: pytest.FixtureRequest, marker: str) -> None:
    """A test reaching a service must carry its marker, or `-m "not ..."` would still
    run it (a backend parameter is marked with ``pytest.param(..., marks=...)``)."""
    if request.node.get_closest_marker(marker) is None:
        pytest.fail(f"{request.node.nodeid} uses {marker} without the {marker!r} marker")


@pytest.fixture
def postgres_url(
    request: pytest.FixtureRequest, postgres_databases: services.PostgresDatabases | None
) -> Iterator[str]:
    _require_marker(request, "postgres")
    services.require(services.POSTGRES_URL, "APPRENTICESHIPS_TEST_DATABASE_URL", "PostgreSQL")
    assert postgres_databases is not None
    url = postgres_databases.new()
    yield url
    postgres_databases.drop(url)


@pytest.fixture(params=["sqlite", services.POSTGRES_PARAM])
def database_url(request: pytest.FixtureRequest) -> str:
    """Every repository test runs once on SQLite and once on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a fresh database, SQLite and PostgreSQL in turn."""
    engine = create_engine(database_url)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
def redis_url(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A Redis URL and a key prefix of this test's own, cleared afterwards."""
    _require_marker(request, "redis")
    services.require(services.REDIS_URL, "APPRENTICESHIPS_TEST_REDIS_URL", "Redis")
    prefix = f"{services.REDIS_PREFIX}{uuid.uuid4().hex[:10]}:"
    yield services.REDIS_URL, prefix
    asyncio.run(services.clear_redis_prefix(services.REDIS_URL, prefix))


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def limiter_backend(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings for each rate-limit backend, for tests that must hold on both."""
    if request.param == "memory":
        return {}
    url, prefix = request.getfixturevalue("redis_url")
    return {"redis_url": url, "redis_prefix": prefix}


@pytest.fixture
def make_settings(tmp_path: Path, sqlite_url: str) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "var_dir": tmp_path / "var",
            "database_url": sqlite_url,
            "secret_key": "test-secret-not-for-production",
            "access_log": False,
            "_env_file": None,
        }
        values.update(overrides)
        return Settings(**values)

    return make


PlatformFactory = Callable[..., AbstractAsyncContextManager[Platform]]
PLATFORM_CLOCKS = ("clock", "epoch_clock", "monotonic_clock")


@pytest.fixture
def platform_factory(make_settings: Callable[..., Settings]) -> PlatformFactory:
    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Platform]:
        """A running platform; ``overrides`` are settings, except the clocks, which are
        the platform's own arguments."""
        clocks = {name: overrides.pop(name) for name in PLATFORM_CLOCKS if name in overrides}
        platform = Platform(make_settings(**overrides), **clocks)
        async with platform.running():
            yield platform

    return start


@pytest.fixture
async def platform(platform_factory: PlatformFactory) -> AsyncIterator[Platform]:
    async with platform_factory() as running:
        yield running


def client_for(platform: Platform, base_url: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=platform), base_url=base_url)


@pytest.fixture
async def client(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(platform) as http:
        yield http
