"""``apprenticeships keys``: issuing, listing, rotating and revoking API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.service import OwnerRef
from apprenticeships.catalog.products import (
    Environment,
    parse_product_reference,
    product_reference,
)
from apprenticeships.cli.common import ProductOption, now, out, run
from apprenticeships.keys.repository import KeyListing
from apprenticeships.keys.service import KeyService, parse_duration
from apprenticeships.settings import Settings

app = typer.Typer(help="API keys.", no_args_is_help=True)

OwnerOption = Annotated[
    str,
    typer.Option("--owner", help="employer:<hashed id>, provider:<ukprn> or developer:<email>."),
]
KeyIdArgument = Annotated[str, typer.Argument(help="The key's id, from `keys list`.")]


@app.command("issue")
def issue(
    product: ProductOption,
    owner: OwnerOption,
    name: Annotated[str, typer.Option("--name", help="A name to tell keys apart.")] = "",
) -> None:
    """Issue a key and print it (only the key, on stdout). It is shown this once."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        chosen, environment = parse_product_reference(product)
        issued = await KeyService(session, settings.resolved_secret_key()).issue(
            OwnerRef.parse(owner), chosen, environment, now(), name
        )
        typer.echo(f"Issued {issued.key_id} ({issued.fragment}).", err=True)
        return issued.secret

    typer.echo(run(work))


@app.command("list")
def list_keys(
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner", help="Only this owner's keys (employer:…, provider:…, developer:…)."
        ),
    ] = None,
) -> None:
    """List keys (never the keys themselves: ids and visible fragments)."""

    async def work(session: AsyncSession, settings: Settings) -> list[KeyListing]:
        return await KeyService(session, settings.resolved_secret_key()).list_keys(
            OwnerRef.parse(owner) if owner else None
        )

    rows = run(work)
    shown_at = now()
    table = Table("id", "name", "key", "product", "owner", "created", "last used", "uses", "state")
    for row in rows:
        table.add_row(
            row.key_id,
            row.name,
            row.fragment,
            product_reference(row.product_id, Environment(row.environment)),
            f"{row.owner_kind}:{row.owner_public_id}",
            f"{row.created_at:%Y-%m-%d %H:%M}",
            f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never",
            str(row.usage_count),
            _state(row, shown_at),
        )
    out().print(table)


def _state(row: KeyListing, at: datetime) -> str:
    if row.revoked_at is not None:
        return f"revoked {row.revoked_at:%Y-%m-%d %H:%M}"
    if row.expires_at is not None:
        word = "expires" if row.expires_at > at else "expired"
        return f"{word} {row.expires_at:%Y-%m-%d %H:%M}"
    return "active"


@app.command("revoke")
def revoke(key_id: KeyIdArgument) -> None:
    """Stop a key at once, on every process, within a second."""

    async def work(session: AsyncSession, settings: Settings) -> None:
        await KeyService(session, settings.resolved_secret_key()).revoke(key_id, now())

    run(work)
    typer.echo(f"Revoked {key_id}.", err=True)


@app.command("rotate")
def rotate(
    key_id: KeyIdArgument,
    grace: Annotated[
        str, typer.Option("--grace", help="How long the old key keeps working: 90s, 15m, 24h, 7d.")
    ] = "24h",
) -> None:
    """Issue a replacement key (printed on stdout); the old one works until the grace ends."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        issued = await KeyService(session, settings.resolved_secret_key()).rotate(
            key_id, parse_duration(grace), now()
        )
        typer.echo(
            f"Issued {issued.key_id} ({issued.fragment}); {key_id} stops working in {grace}.",
            err=True,
        )
        return issued.secret

    typer.echo(run(work))
