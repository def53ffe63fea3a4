"""``apprenticeships accounts``: organisations, people, legal entities and permissions.

People added here get an invitation email with a link to set their password (sent when
the command has committed; see ``cli/common.py``)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.acting import OPERATOR
from apprenticeships.accounts.permissions import ProviderPermissionService
from apprenticeships.accounts.service import AccountService, OwnerRef
from apprenticeships.accounts.team import TeamService
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.cli.common import fail, now, run
from apprenticeships.settings import Settings

app = typer.Typer(
    help="Organisations, people, legal entities and permissions.", no_args_is_help=True
)


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
    """Create an independent developer account and email its person an invitation to set
    a password; prints the account id."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        organisation, _ = await TeamService(session, settings.public_url).add_developer(
            email, name, now()
        )
        return organisation.public_id

    typer.echo(run(work))


@app.command("add-person")
def add_person(
    email: Annotated[str, typer.Option("--email", help="The person's email address.")],
    name: Annotated[str, typer.Option("--name", help="The person's full name.")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="Owner, Transactor or Viewer (employers); AccountOwner, Contributor or "
            "Viewer (providers).",
        ),
    ],
    employer: Annotated[
        str | None, typer.Option("--employer", help="The employer's hashed account id.")
    ] = None,
    provider: Annotated[
        str | None, typer.Option("--provider", help="The provider's UKPRN.")
    ] = None,
) -> None:
    """Add a person to an employer or a provider and email them an invitation to set a
    password (the link works once, for 7 days); prints the person's id."""
    if (employer is None) == (provider is None):
        fail("give exactly one of --employer ID and --provider UKPRN")
    owner = (
        OwnerRef(OwnerKind.EMPLOYER, employer.strip().upper())
        if employer is not None
        else OwnerRef(OwnerKind.PROVIDER, (provider or "").strip())
    )

    async def work(session: AsyncSession, settings: Settings) -> int:
        invitation = await TeamService(session, settings.public_url).add_person(
            owner, email, name, role, now()
        )
        return invitation.person_id

    typer.echo(run(work))


@app.command("add-admin")
def add_admin(
    email: Annotated[str, typer.Option("--email", help="The admin's email address.")],
    name: Annotated[str, typer.Option("--name", help="The admin's full name.")] = "",
) -> None:
    """Make a person a platform admin (creating them if needed); one without a password
    is emailed an invitation to set one. Prints the email address."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        return (await TeamService(session, settings.public_url).add_admin(email, now(), name)).email

    typer.echo(run(work))


@app.command("add-legal-entity")
def add_legal_entity(
    employer: Annotated[str, typer.Option("--employer", help="The employer's hashed account id.")],
    name: Annotated[str, typer.Option("--name", help="The legal entity's name.")],
) -> None:
    """Add a legal entity to an employer; prints its public hashed id."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        entity = await AccountService(session).add_legal_entity(
            OwnerRef(OwnerKind.EMPLOYER, employer.strip().upper()), name, now()
        )
        return entity.public_hashed_id

    typer.echo(run(work))


@app.command("grant")
def grant(
    provider: Annotated[str, typer.Option("--provider", help="The provider's UKPRN.")],
    legal_entity: Annotated[
        str, typer.Option("--legal-entity", help="The legal entity's public hashed id.")
    ],
    permission: Annotated[
        str, typer.Option("--permission", help="Recruitment or RecruitmentRequiresReview.")
    ],
) -> None:
    """Let a training provider recruit for a legal entity (or change how)."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        change = await ProviderPermissionService(session).grant(
            OPERATOR, legal_entity, provider, permission, now()
        )
        return (
            f"{change.ukprn} may now use {change.after} for legal entity "
            f"{change.public_hashed_id}"
            + (f" (was {change.before})" if change.before and change.before != change.after else "")
        )

    typer.echo(run(work))


@app.command("revoke-permission")
def revoke_permission(
    provider: Annotated[str, typer.Option("--provider", help="The provider's UKPRN.")],
    legal_entity: Annotated[
        str, typer.Option("--legal-entity", help="The legal entity's public hashed id.")
    ],
) -> None:
    """Stop a training provider recruiting for a legal entity."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        change = await ProviderPermissionService(session).revoke(
            OPERATOR, legal_entity, provider, now()
        )
        return (
            f"{change.ukprn} no longer has {change.before} for legal entity "
            f"{change.public_hashed_id}"
        )

    typer.echo(run(work))
