"""One FastAPI app per product version. The gateway picks one per request.

Each app has its own OpenAPI document, problem handlers, and its product's routes; a
version that has no routes yet answers every path with the gateway's 404.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, FastAPI

from apprenticeships.catalog.products import Product
from apprenticeships.dependencies import ProductState
from apprenticeships.problems import install_problem_handlers
from apprenticeships.vacancies import routes_v1 as display_advert_v1
from apprenticeships.vacancies import routes_v2 as display_advert_v2

RouterFactory = Callable[[], APIRouter]

ROUTERS: dict[tuple[str, int], RouterFactory] = {
    ("display-advert", 1): display_advert_v1.router,
    ("display-advert", 2): display_advert_v2.router,
}

DESCRIPTIONS = {
    "display-advert": "Lists live apprenticeship adverts for job boards, colleges and anyone else.",
    "recruitment": "Creates apprenticeship adverts from employers' and training providers' own systems.",
    "track-progress": "Records apprentices' progress against their standard's knowledge, skills and behaviours.",
}


def build_product_app(product: Product, version: int, state: ProductState) -> FastAPI:
    app = FastAPI(
        title=product.name,
        version=f"{version}",
        description=DESCRIPTIONS.get(product.id, ""),
        openapi_url=None,  # published under /docs by the platform, not under the API path
        docs_url=None,
        redoc_url=None,
        servers=[{"url": state.settings.public_url}],
    )
    app.state.platform = state
    install_problem_handlers(app)
    factory = ROUTERS.get((product.id, version))
    if factory is not None:
        app.include_router(factory(), prefix=product.path)
    return app


def build_product_apps(
    products: tuple[Product, ...], state: ProductState
) -> dict[tuple[str, int], FastAPI]:
    return {
        (product.id, version): build_product_app(product, version, state)
        for product in products
        for version in product.versions
    }
