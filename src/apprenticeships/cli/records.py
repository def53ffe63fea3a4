"""``apprenticeships import`` and ``apprenticeships apprenticeships import``: loading
apprenticeship records for the Track progress API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.cli.common import fail, now, run
from apprenticeships.progress.importer import ImportFileError, import_apprenticeships
from apprenticeships.settings import Settings

app = typer.Typer(help="Apprenticeship records (Track progress).", no_args_is_help=True)

FileArgument = Annotated[
    Path, typer.Argument(help="Apprenticeship records, one JSON object a line.")
]
SkipInvalidOption = Annotated[
    bool, typer.Option("--skip-invalid", help="Load the good lines of a file with bad ones.")
]


# `apprenticeships import`: the package registers it on the root app.
def import_file(file: FileArgument, skip_invalid: SkipInvalidOption = False) -> None:
    """Load apprenticeship records (JSON lines). Every bad line is listed with its number;
    a file with bad lines loads nothing unless --skip-invalid is given."""
    if not file.is_file():
        fail(f"no such file: {file}")
    bad: list[str] = []

    async def work(session: AsyncSession, settings: Settings) -> str:
        with file.open("rb") as lines:
            try:
                report = await import_apprenticeships(
                    session, lines, now(), skip_invalid=skip_invalid
                )
            except ImportFileError as error:
                bad.extend(str(line) for line in error.bad)
                raise
        bad.extend(str(line) for line in report.bad)
        return report.summary()

    try:
        summary = run(work)
    finally:
        # Listed even when nothing loads: they are what the operator has to fix.
        for line in bad:
            typer.echo(f"{file}: {line}")
    typer.echo(summary, err=True)


@app.command("import")
def import_records(file: FileArgument, skip_invalid: SkipInvalidOption = False) -> None:
    """The same as `apprenticeships import FILE`."""
    import_file(file, skip_invalid)
