from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.app import Platform
from apprenticeships.observability.logs import configure_logging
from apprenticeships.settings import Settings
from apprenticeships.storage.engine import create_engine, session_factory
from tests.support import services


def pytest_configure(config: pytest.Config) -> None:
    configure_logging("INFO")


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


@pytest.fixture
def postgres_url(postgres_databases: services.PostgresDatabases | None) -> Iterator[str]:
    services.require(services.POSTGRES_URL, "APPRENTICESHIPS_TEST_DATABASE_URL", "PostgreSQL")
    assert postgres_databases is not None
    url = postgres_databases.new()
    yield url
    postgres_databases.drop(url)


@pytest.fixture(params=["sqlite", "postgresql"])
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
def redis_url() -> Iterator[tuple[str, str]]:
    """A Redis URL and a key prefix of this test's own, cleared afterwards."""
    services.require(services.REDIS_URL, "APPRENTICESHIPS_TEST_REDIS_URL", "Redis")
    prefix = f"{services.REDIS_PREFIX}{uuid.uuid4().hex[:10]}:"
    yield services.REDIS_URL, prefix
    asyncio.run(services.clear_redis_prefix(services.REDIS_URL, prefix))


@pytest.fixture(params=["memory", "redis"])
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
