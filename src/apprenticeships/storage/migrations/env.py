"""Alembic environment. Runs on a connection handed over by ``storage.migrate``, or on
``APPRENTICESHIPS_DATABASE_URL`` when Alembic's own command line is used."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from apprenticeships.settings import Settings
from apprenticeships.storage.engine import create_engine
from apprenticeships.storage.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_settings() -> None:
    engine = create_engine(Settings().async_database_url)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_from_settings())
