"""Version rules: what is released, what it means now, releasing the next one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.catalog.lifecycle import VersionStatus, version_statuses
from apprenticeships.catalog.products import PRODUCTS, Product, ProductId
from apprenticeships.catalog.repository import VersionRepository
from apprenticeships.errors import OperationError
from apprenticeships.storage.events import CacheEventRepository, EventKind


class CatalogError(OperationError):
    """An operator asked for something the catalog cannot do; the message says why."""


@dataclass(frozen=True, slots=True)
class ProductVersions:
    product: Product
    versions: list[VersionStatus]


class CatalogService:
    def __init__(self, session: AsyncSession, products: tuple[Product, ...] = PRODUCTS) -> None:
        self.products = products
        self.versions = VersionRepository(session)
        self.events = CacheEventRepository(session)

    async def install_initial_releases(self, now: datetime) -> list[tuple[ProductId, int]]:
        """Record the releases a new installation starts with; idempotent."""
        known = {(p, v) for p, v, _ in await self.versions.all_releases()}
        added = []
        for product in self.products:
            if any(p == product.id for p, _ in known):
                continue  # the operator owns this product's lifecycle from now on
            for version, released_at in sorted(product.initial_releases.items()):
                await self.versions.add(product.id, version, released_at or now)
                added.append((product.id, version))
        if added:
            await self.events.add(EventKind.CATALOG, now)
        return added

    async def releases(self) -> dict[str, list[tuple[int, datetime]]]:
        by_product: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
        for product_id, version, released_at in await self.versions.all_releases():
            by_product[product_id].append((version, released_at))
        return dict(by_product)

    async def list_versions(self, now: datetime, deprecation_months: int) -> list[ProductVersions]:
        releases = await self.releases()
        return [
            ProductVersions(
                product,
                version_statuses(
                    releases.get(product.id, []), product.versions, now, deprecation_months
                ),
            )
            for product in self.products
        ]

    async def release(self, product: Product, now: datetime) -> int:
        """Release the next version this build implements; the previous one is deprecated."""
        released = [v for v, _ in (await self.releases()).get(product.id, [])]
        latest = max(released, default=0)
        candidates = [v for v in product.versions if v > latest]
        if not candidates:
            raise CatalogError(
                f"{product.name} version {latest} is already the newest this build implements; "
                "a new version has to be written before it can be released"
            )
        version = min(candidates)
        await self.versions.add(product.id, version, now)
        await self.events.add(EventKind.CATALOG, now)
        return version
