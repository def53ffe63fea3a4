"""``apprenticeships vacancies``: reviewing adverts created through the Recruitment API,
closing live adverts early, and importing adverts from other sources (NHS Jobs, Civil
Service Jobs). The submitter contact of each reviewed advert is emailed the outcome (the
email is queued with the change and sent once the command has committed)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.cli.common import fail, now, out, run
from apprenticeships.geo.service import Geocoder
from apprenticeships.recruitment.review import AwaitingReview, ReviewService
from apprenticeships.settings import Settings
from apprenticeships.vacancies.importer import AdvertImportError, import_adverts
from apprenticeships.vacancies.vocabulary import AdvertStatus

app = typer.Typer(
    help=(
        "Review adverts created through the Recruitment API; close live adverts early; "
        "import adverts from NHS Jobs and Civil Service Jobs."
    ),
    no_args_is_help=True,
)

ReferenceArgument = Annotated[
    str, typer.Argument(help="The advert's reference, with or without VAC.")
]


def _reviewer() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in this environment
        return "cli"


@app.command("list")
def list_awaiting(
    status: Annotated[
        str,
        typer.Option(help="Submitted (waiting for review) or Review (waiting for the employer)."),
    ] = "Submitted",
) -> None:
    """List adverts waiting for review, oldest first."""
    wanted = {"submitted": AdvertStatus.SUBMITTED, "review": AdvertStatus.REVIEW}.get(
        status.strip().lower()
    )
    if wanted is None:
        fail("--status must be Submitted or Review")

    async def work(session: AsyncSession, settings: Settings) -> list[AwaitingReview]:
        return await ReviewService(session).awaiting((wanted,))

    table = Table(
        "reference", "status", "title", "employer", "provider", "by", "submitted", "closes"
    )
    for item in run(work):
        table.add_row(
            f"VAC{item.reference}",
            item.status,
            item.title,
            item.employer,
            item.provider,
            item.owner_kind,
            f"{item.submitted_at:%Y-%m-%d %H:%M}" if item.submitted_at else "",
            item.closing_date,
        )
    out().print(table)


@app.command("approve")
def approve(reference: ReferenceArgument) -> None:
    """Approve a submitted advert: it is live in the Display advert API at once."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        vacancy = await ReviewService(session).approve(reference, _reviewer(), now())
        return f"VAC{vacancy.reference} is live until {vacancy.closing_date.isoformat()}."

    typer.echo(run(work), err=True)


@app.command("reject")
def reject(
    reference: ReferenceArgument,
    reason: Annotated[str, typer.Option(help="Why, for the advert's owner.")] = "",
) -> None:
    """Reject a submitted advert, saying why."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        vacancy = await ReviewService(session).reject(reference, reason, _reviewer(), now())
        return f"VAC{vacancy.reference} is rejected."

    typer.echo(run(work), err=True)


@app.command("close")
def close(reference: ReferenceArgument) -> None:
    """Close a live advert before its closing date: it leaves the Display advert API at
    once, on every process."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        vacancy = await ReviewService(session).close(reference, now())
        return f"VAC{vacancy.reference} is closed."

    typer.echo(run(work), err=True)


@app.command("import")
def import_file(
    file: Annotated[
        Path,
        typer.Argument(
            help="Adverts, one JSON object a line: the Display advert API's detail fields "
            "plus dataSource (Raa, Nhs or Csj) and sourceReference (the feed's own id)."
        ),
    ],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Load the good lines of a file with bad ones.")
    ] = False,
) -> None:
    """Load adverts from other sources (JSON lines); they are live at once. Importing a
    file again updates the adverts that changed. Every bad line is listed with its number;
    a file with bad lines loads nothing unless --skip-invalid is given."""
    if not file.is_file():
        fail(f"no such file: {file}")
    bad: list[str] = []

    async def work(session: AsyncSession, settings: Settings) -> str:
        geocoder = await Geocoder.load(None)  # reads imported postcodes through the session
        with file.open("rb") as lines:
            try:
                report = await import_adverts(
                    session, lines, geocoder, now(), skip_invalid=skip_invalid
                )
            except AdvertImportError as error:
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
