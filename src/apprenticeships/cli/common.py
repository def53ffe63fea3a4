"""What every command shares: settings, one unit of work per command, the one-line
``error: …`` exit for expected failures, output that scripts can read, and sending the
email a command queued once it has committed."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from apprenticeships.errors import DomainError
from apprenticeships.install import install
from apprenticeships.mail.delivery import deliver_pending
from apprenticeships.mail.outbox import mail_was_enqueued
from apprenticeships.mail.senders import SmtpUrlError, sender_from_settings
from apprenticeships.settings import Settings
from apprenticeships.storage import migrate
from apprenticeships.storage.engine import create_engine, session_factory, unit_of_work

T = TypeVar("T")

ProductOption = Annotated[
    str,
    typer.Option(
        "--product",
        help="display-advert, recruitment or track-progress; add -sandbox for the sandbox.",
    ),
]


class CliError(Exception):
    """Bad input the CLI itself finds (a setting, an argument); shown like a DomainError."""


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def out() -> Console:
    # Piped output is never wrapped, so ids and keys stay whole for scripts.
    return Console() if sys.stdout.isatty() else Console(width=10_000)


def now() -> datetime:
    return datetime.now(UTC)


def first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [""])[0][:300]


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"APPRENTICESHIPS_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in error.errors()
        )
        raise CliError(f"bad setting: {problems}") from None


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def is_sqlite(settings: Settings) -> bool:
    return make_url(settings.async_database_url).get_backend_name() == "sqlite"


def with_engine(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run ``work`` on an engine of its own, disposed of afterwards."""

    async def main() -> T:
        engine = create_engine(settings.async_database_url, pool_size=2)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(main())


async def _ensure_schema(engine: AsyncEngine, settings: Settings) -> None:
    if is_sqlite(settings):
        await install(engine)  # the embedded database looks after itself
        return
    if not await migrate.is_installed(engine):
        raise CliError("the database has no tables yet: run `apprenticeships db upgrade` first")


async def _deliver_mail(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """Send what the command just queued, so an invitation goes out now rather than when
    a server next runs. The command has committed: a failure here is only a warning (the
    email stays queued, and a server retries it)."""
    try:
        report = await deliver_pending(
            sessions, sender_from_settings(settings), settings.resolved_mail_from, now()
        )
    except SmtpUrlError as error:
        typer.echo(f"warning: email not sent: {error}", err=True)
        return
    if report.failed or report.given_up:
        typer.echo(
            "warning: an email could not be sent now; it stays queued and the server "
            "retries it (see the log)",
            err=True,
        )


def run(work: Callable[[AsyncSession, Settings], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction, turning expected failures into one-line errors."""
    settings: Settings | None = None
    try:
        settings = load_settings()

        async def in_unit_of_work(engine: AsyncEngine) -> T:
            await _ensure_schema(engine, settings)
            sessions = session_factory(engine)
            async with unit_of_work(sessions) as session:
                result = await work(session, settings)
            if mail_was_enqueued(session):
                await _deliver_mail(sessions, settings)
            return result

        return with_engine(settings, in_unit_of_work)
    except (DomainError, CliError) as error:
        fail(str(error))
    except (OperationalError, DBAPIError, ConnectionError, TimeoutError, socket.gaierror) as error:
        target = safe_url(settings.async_database_url) if settings is not None else "?"
        fail(f"cannot use the database at {target}: {type(error).__name__}: {first_line(error)}")
    except OSError as error:  # a file the command reads or writes
        fail(f"{error.filename or 'file'}: {error.strerror or first_line(error)}")
