"""The operator's command line: ``apprenticeships --help``.

One module per domain, each a thin layer over that domain's services: read the
arguments, call a service, print. Each command is one unit of work: it commits when it
finishes and rolls back if it fails. Expected failures print one line to stderr and
exit 1; never a stack trace (``common.py``).
"""

from __future__ import annotations

import os
import sys

import typer

from apprenticeships.cli import (
    accounts,
    db,
    demo,
    geo,
    keys,
    limits,
    records,
    referencedata,
    serve,
    vacancies,
    versions,
)
from apprenticeships.cli.common import CliError

app = typer.Typer(
    help="Run and operate the Apprenticeship Service API platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# Help lists commands, then groups, each in the order added here.
app.command("import")(records.import_file)
app.command("serve")(serve.serve)
app.add_typer(db.app, name="db")
app.add_typer(accounts.app, name="accounts")
app.add_typer(keys.app, name="keys")
app.add_typer(limits.app, name="limits")
app.add_typer(versions.app, name="versions")
app.add_typer(referencedata.app, name="referencedata")
app.add_typer(demo.app, name="demo")
app.add_typer(vacancies.app, name="vacancies")
app.add_typer(records.app, name="apprenticeships")
app.add_typer(geo.app, name="geo")


def main() -> None:
    # Rich wraps long lines; keys must stay on one line to be copied.
    os.environ.setdefault("COLUMNS", "200")
    try:
        app()
    except CliError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(1)
