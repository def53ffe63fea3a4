"""Migrations build the schema from empty on both databases, and match the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from apprenticeships.install import install
from apprenticeships.storage import migrate
from apprenticeships.storage.engine import create_engine
from apprenticeships.storage.models import Base
from tests.support import services


@pytest.fixture(params=["sqlite", services.POSTGRES_PARAM])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/empty.sqlite3"
        return
    databases = request.getfixturevalue("postgres_databases")
    services.require(services.POSTGRES_URL, "APPRENTICESHIPS_TEST_DATABASE_URL", "PostgreSQL")
    url = databases.new_empty()
    yield url
    databases.drop(url)


async def test_upgrade_from_empty_creates_every_table_and_check_finds_no_drift(
    empty_database: str,
) -> None:
    engine = create_engine(empty_database)
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert set(Base.metadata.tables) <= tables
        assert "alembic_version" in tables
        await migrate.check(engine)  # raises if the models and migrations differ
    finally:
        await engine.dispose()


async def test_install_is_idempotent(empty_database: str) -> None:
    engine = create_engine(empty_database)
    try:
        first = await install(engine)
        second = await install(engine)
    finally:
        await engine.dispose()
    assert (first.releases, first.routes) == (4, 15)
    assert first.standards > 100
    assert (second.releases, second.routes, second.standards) == (0, 0, 0)
