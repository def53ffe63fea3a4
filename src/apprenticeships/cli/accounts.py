"""``apprenticeships accounts``: organisations and people."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.service import AccountService
from apprenticeships.cli.common import now, run
from apprenticeships.settings import Settings

app = typer.Typer(help="Organisations and people.", no_args_is_help=True)


@app.command("add-employer")
def add_employer(
    name: Annotated[str, typer.Option("--name", help="The employer's name.")],
    account_id: Annotated[
        str | None, typer.Option("--account-id", help="Use this hashed account id (6 characters).")
    ] = None,
) -> None:
    """Create an employer account; prints its hashed account id."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        return (await AccountService(session).add_employer(name, now(), account_id)).public_id

    typer.echo(run(work))


@app.command("add-provider")
def add_provider(
    ukprn: Annotated[str, typer.Option("--ukprn", help="UK provider reference number (8 digits).")],
    name: Annotated[str, typer.Option("--name", help="The provider's name.")],
) -> None:
    """Create a training provider; prints its UKPRN."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        return (await AccountService(session).add_provider(ukprn, name, now())).public_id

    typer.echo(run(work))


@app.command("add-developer")
def add_developer(
    email: Annotated[str, typer.Option("--email", help="The developer's email address.")],
    name: Annotated[str, typer.Option("--name", help="The developer's name.")] = "",
) -> None:
    """Create an independent developer account; prints its account id."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        return (await AccountService(session).add_developer(email, now(), name)).public_id

    typer.echo(run(work))


@app.command("add-admin")
def add_admin(
    email: Annotated[str, typer.Option("--email", help="The admin's email address.")],
) -> None:
    """Make a person a platform admin (creating them if needed)."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        return (await AccountService(session).add_admin(email, now())).email

    typer.echo(run(work))
