"""``apprenticeships referencedata``: loading official reference data files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.cli.common import fail, now, run
from apprenticeships.referencedata.importer import import_ifate_standards
from apprenticeships.settings import Settings

app = typer.Typer(help="Reference data.", no_args_is_help=True)
import_app = typer.Typer(help="Load official reference data files.", no_args_is_help=True)
app.add_typer(import_app, name="import")


@import_app.command("standards")
def import_standards(
    file: Annotated[Path, typer.Argument(help="The IfATE apprenticeship standards JSON file.")],
) -> None:
    """Load standards (and their routes) from the official IfATE standards JSON."""
    if not file.is_file():
        fail(f"no such file: {file}")

    async def work(session: AsyncSession, settings: Settings) -> str:
        report = await import_ifate_standards(session, file.read_bytes(), now())
        return report.summary()

    typer.echo(run(work), err=True)
