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


class ProductId(StrEnum):
    DISPLAY_ADVERT = "display-advert"
    RECRUITMENT = "recruitment"
    TRACK_PROGRESS = "track-progress"


class OwnerKind(StrEnum):
    EMPLOYER = "employer"
    PROVIDER = "provider"
    DEVELOPER = "developer"


@dataclass(frozen=True, slots=True)
class Product:
    id: ProductId
    name: str
    # One line for the documentation's list of APIs and the OpenAPI document.
    description: str
    path: str
    holders: frozenset[OwnerKind]
    # Versions this build implements. A version is served only once it is released.
    versions: tuple[int, ...]
    # Released when a database is first set up: a fixed date, or None for "at set-up".
    initial_releases: Mapping[int, datetime | None] = field(default_factory=dict)


DISPLAY_ADVERT = Product(
    id=ProductId.DISPLAY_ADVERT,
    name="Display advert API",
    description="Lists live apprenticeship adverts for job boards, colleges and anyone else.",
    path="/vacancies",
    holders=frozenset({OwnerKind.EMPLOYER, OwnerKind.PROVIDER, OwnerKind.DEVELOPER}),
    versions=(1, 2),
    # Version 2 counts as released when the platform is installed, so version 1 stays
    # usable (deprecated) beside it for the deprecation period.
    initial_releases={1: datetime(2022, 1, 10, tzinfo=UTC), 2: None},
)
RECRUITMENT = Product(
    id=ProductId.RECRUITMENT,
    name="Recruitment API",
    description="Creates apprenticeship adverts from employers' and training providers' own systems.",
    path="/managevacancies",
    holders=frozenset({OwnerKind.EMPLOYER, OwnerKind.PROVIDER}),
    versions=(1,),
    initial_releases={1: datetime(2022, 1, 10, tzinfo=UTC)},
)
TRACK_PROGRESS = Product(
    id=ProductId.TRACK_PROGRESS,
    name="Track apprenticeship progress API",
    description="Records apprentices' progress against their standard's knowledge, skills and behaviours.",
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


def product_reference(product_id: str, environment: Environment) -> str:
    """How operators name a product in an environment: ``display-advert`` for the live
    product, ``display-advert-sandbox`` for its sandbox."""
    return product_id + ("-sandbox" if environment is Environment.SANDBOX else "")


def product_title(product: Product, environment: Environment) -> str:
    """How people read a product in an environment: "Display advert API" for the live
    product, "Display advert API sandbox" for its sandbox."""
    return product.name + (" sandbox" if environment is Environment.SANDBOX else "")


def parse_product_reference(
    text: str, products: tuple[Product, ...] = PRODUCTS
) -> tuple[Product, Environment]:
    """The product and environment that ``product_reference`` names."""
    if text.endswith("-sandbox"):
        return product_by_id(text.removesuffix("-sandbox"), products), Environment.SANDBOX
    return product_by_id(text, products), Environment.LIVE
