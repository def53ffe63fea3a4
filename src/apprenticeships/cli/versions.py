"""``apprenticeships versions``: the API version lifecycle."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.catalog.lifecycle import VersionState
from apprenticeships.catalog.products import product_by_id
from apprenticeships.catalog.service import CatalogService, ProductVersions
from apprenticeships.cli.common import now, out, run
from apprenticeships.settings import Settings

app = typer.Typer(help="API version lifecycle.", no_args_is_help=True)


@app.command("list")
def list_versions() -> None:
    """Show each product's versions: released, current, deprecated until, decommissioned."""

    async def work(session: AsyncSession, settings: Settings) -> list[ProductVersions]:
        return await CatalogService(session).list_versions(now(), settings.deprecation_months)

    table = Table("product", "version", "state", "released", "deprecated", "sunset")
    for entry in run(work):
        for status in entry.versions:
            table.add_row(
                entry.product.id,
                str(status.version),
                status.state.value,
                f"{status.released_at:%Y-%m-%d}" if status.released_at else "",
                f"{status.deprecated_at:%Y-%m-%d}" if status.deprecated_at else "",
                f"{status.sunset_at:%Y-%m-%d}"
                if status.sunset_at and status.state is not VersionState.CURRENT
                else "",
            )
    out().print(table)


@app.command("release")
def release(
    product: Annotated[str, typer.Argument(help="display-advert, recruitment or track-progress.")],
) -> None:
    """Release the next version; the previous one is deprecated and then decommissioned."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        chosen = product_by_id(product)
        version = await CatalogService(session).release(chosen, now())
        return f"Released {chosen.name} version {version}."

    typer.echo(run(work), err=True)
