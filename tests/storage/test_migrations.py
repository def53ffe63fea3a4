"""Migrations build the schema from empty on both databases, and match the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

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


async def test_migrating_a_database_with_data_keeps_rows_and_foreign_keys(
    empty_database: str,
) -> None:
    """0008 rebuilds tables that other rows refer to (on SQLite, a copy, drop and
    rename): the rows survive, and foreign keys are enforced again afterwards."""
    engine = create_engine(empty_database)
    try:
        await migrate.upgrade(engine, "0007")
        async with engine.begin() as connection:
            for statement in (
                "INSERT INTO organisations (id, kind, public_id, name, status, created_at) "
                "VALUES (1, 'employer', 'ABCDEF', 'Acme', 'active', CURRENT_TIMESTAMP)",
                "INSERT INTO legal_entities (id, organisation_id, public_hashed_id, name, "
                "created_at) VALUES (1, 1, 'ZZZZZZ', 'Acme Ltd', CURRENT_TIMESTAMP)",
                "INSERT INTO subscriptions (id, organisation_id, product_id, environment, "
                "created_at) VALUES (1, 1, 'recruitment', 'live', CURRENT_TIMESTAMP)",
                "INSERT INTO api_keys (id, subscription_id, name, key_hash, fragment, "
                "created_at, usage_count) VALUES ('key_1', 1, 'n', 'h', 'f', CURRENT_TIMESTAMP, 0)",
            ):
                await connection.execute(text(statement))
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            kept = (
                await connection.execute(
                    text(
                        "SELECT o.status, l.public_hashed_id, k.id, k.created_by_user_id "
                        "FROM organisations o JOIN legal_entities l ON l.organisation_id = o.id "
                        "JOIN subscriptions s ON s.organisation_id = o.id "
                        "JOIN api_keys k ON k.subscription_id = s.id"
                    )
                )
            ).all()
        assert [tuple(row) for row in kept] == [("active", "ZZZZZZ", "key_1", None)]
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(
                    text(
                        "INSERT INTO legal_entities (organisation_id, public_hashed_id, name, "
                        "created_at) VALUES (99, 'YYYYYY', 'Nobody', CURRENT_TIMESTAMP)"
                    )
                )
        with pytest.raises(IntegrityError):  # the new status list is checked
            async with engine.begin() as connection:
                await connection.execute(text("UPDATE organisations SET status = 'gone'"))
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE organisations SET status = 'deleted'"))
    finally:
        await engine.dispose()
