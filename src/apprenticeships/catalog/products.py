"""The products the platform serves, declared once. The sandbox mirrors them automatically."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from apprenticeships.errors import OperationError


class Environment(StrEnum):
    LIVE = "live"
    SANDBOX = "sandbox"


class OwnerKind(StrEnum):
    EMPLOYER = "employer"
    PROVIDER = "provider"
    DEVELOPER = "developer"


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name: str
    path: str
    holders: frozenset[OwnerKind]
    # Versions this build implements. A version is served only once it is released.
    versions: tuple[int, ...]
    # Released when a database is first set up: a fixed date, or None for "at set-up".
    initial_releases: Mapping[int, datetime | None] = field(default_factory=dict)

    def sandbox_id(self) -> str:
        return f"{self.id}-sandbox"


DISPLAY_ADVERT = Product(
    id="display-advert",
    name="Display advert API",
    path="/vacancies",
    holders=frozenset({OwnerKind.EMPLOYER, OwnerKind.PROVIDER, OwnerKind.DEVELOPER}),
    versions=(1, 2),
    # Version 2 counts as released when the platform is installed, so version 1 stays
    # usable (deprecated) beside it for the deprecation period.
    initial_releases={1: datetime(2022, 1, 10, tzinfo=UTC), 2: None},
)
RECRUITMENT = Product(
    id="recruitment",
    name="Recruitment API",
    path="/managevacancies",
    holders=frozenset({OwnerKind.EMPLOYER, OwnerKind.PROVIDER}),
    versions=(1,),
    initial_releases={1: datetime(2022, 1, 10, tzinfo=UTC)},
)
TRACK_PROGRESS = Product(
    id="track-progress",
    name="Track apprenticeship progress API",
    path="/trackprogress",
    holders=frozenset({OwnerKind.PROVIDER}),
    versions=(1,),
    initial_releases={1: datetime(2024, 9, 2, tzinfo=UTC)},
)

PRODUCTS: tuple[Product, ...] = (DISPLAY_ADVERT, RECRUITMENT, TRACK_PROGRESS)


class UnknownProductError(OperationError):
    pass


def product_by_id(product_id: str, products: tuple[Product, ...] = PRODUCTS) -> Product:
    for product in products:
        if product.id == product_id:
            return product
    raise UnknownProductError(
        f"unknown product {product_id!r}; products are "
        + ", ".join(p.id for p in products)
        + " (add -sandbox for the sandbox)"
    )


def parse_product_reference(
    text: str, products: tuple[Product, ...] = PRODUCTS
) -> tuple[Product, Environment]:
    """``display-advert`` is the live product, ``display-advert-sandbox`` its sandbox."""
    if text.endswith("-sandbox"):
        return product_by_id(text.removesuffix("-sandbox"), products), Environment.SANDBOX
    return product_by_id(text, products), Environment.LIVE
