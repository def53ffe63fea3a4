"""``apprenticeships db``: the database schema."""

from __future__ import annotations

import typer
from sqlalchemy.exc import DBAPIError, OperationalError

from apprenticeships.cli.common import (
    CliError,
    fail,
    first_line,
    load_settings,
    safe_url,
    with_engine,
)
from apprenticeships.install import install

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply database migrations and install the shipped reference data (idempotent)."""
    try:
        settings = load_settings()
        report = with_engine(settings, install)
    except CliError as error:
        fail(str(error))
    except (OperationalError, DBAPIError, OSError) as error:
        fail(f"cannot migrate the database: {type(error).__name__}: {first_line(error)}")
    typer.echo(
        f"Database is up to date ({safe_url(settings.async_database_url)}); "
        f"added {report.releases} releases, {report.routes} routes and "
        f"{report.standards} standards.",
        err=True,
    )
