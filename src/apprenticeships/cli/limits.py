"""``apprenticeships limits``: rate-limit overrides."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.service import OwnerRef
from apprenticeships.catalog.products import parse_product_reference
from apprenticeships.cli.common import CliError, ProductOption, now, run
from apprenticeships.keys.service import KeyService
from apprenticeships.settings import RateLimitRule, Settings

app = typer.Typer(help="Rate-limit overrides.", no_args_is_help=True)


@app.command("set")
def set_limit(
    rule: Annotated[str, typer.Argument(metavar="CALLS/SECONDS", help="For example 300/300.")],
    product: ProductOption,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Only this owner's subscription to the product.")
    ] = None,
) -> None:
    """Override the rate limit for a product, or for one owner's subscription to it."""

    async def work(session: AsyncSession, settings: Settings) -> None:
        try:
            parsed = RateLimitRule.parse(rule)
        except ValueError as error:
            raise CliError(str(error)) from None
        chosen, environment = parse_product_reference(product)
        await KeyService(session, settings.resolved_secret_key()).set_limit(
            chosen, environment, parsed, now(), OwnerRef.parse(owner) if owner else None
        )

    run(work)
    typer.echo(f"Limit for {product}{' / ' + owner if owner else ''} is now {rule}.", err=True)
