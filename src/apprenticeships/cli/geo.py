"""``apprenticeships geo``: postcode geocoding data."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.cli.common import fail, run
from apprenticeships.geo.importer import ImportReport, import_centroids
from apprenticeships.settings import Settings

app = typer.Typer(help="Postcode geocoding data.", no_args_is_help=True)


@app.command("import")
def import_postcodes(
    file: Annotated[
        Path,
        typer.Argument(
            help="A CSV with postcode (or district), latitude, longitude and country "
            "columns: the ONS Postcode Directory, the NSPL, or a plain file."
        ),
    ],
) -> None:
    """Load postcode and district centres from an open postcode file. They take
    precedence over the shipped district centres. Unusable lines are listed by line
    number; importing the same file again changes nothing."""
    if not file.is_file():
        fail(f"no such file: {file}")
    try:
        # Replacement characters rather than a failure part-way through a big file: a
        # stray byte can only spoil the line it is on.
        raw = file.open("rb")
        handle = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror or error}")
    started = time.monotonic()
    bar = Progress(
        TextColumn("Importing postcodes"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[lines]:,} lines"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("import", total=max(file.stat().st_size, 1), lines=0)

    def report(progress: ImportReport) -> None:
        bar.update(task, completed=raw.tell(), lines=progress.lines)

    async def work(session: AsyncSession, settings: Settings) -> ImportReport:
        return await import_centroids(session, handle, on_batch=report)

    # Only on a terminal: piped output would get nothing but a stray blank line.
    if bar.console.is_terminal:
        bar.start()
    try:
        with handle:
            result = run(work)
    finally:
        if bar.live.is_started:
            bar.stop()
    for skipped in result.listed:
        typer.echo(f"skipped {skipped}", err=True)
    if (more := result.skipped.total() - len(result.listed)) > 0:
        typer.echo(
            f"skipped {more:,} more lines (only the first {len(result.listed)} are listed)",
            err=True,
        )
    typer.echo(f"{result.summary()[:-1]}; took {time.monotonic() - started:.1f}s.", err=True)
