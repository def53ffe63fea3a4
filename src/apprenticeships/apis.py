"""One FastAPI app per product version. The gateway picks one per request.

Each app has its own OpenAPI document, problem handlers, and its product's routes; a
version that has no routes yet answers every path with the gateway's 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from apprenticeships.catalog.products import Product, ProductId
from apprenticeships.dependencies import ProductState
from apprenticeships.problems import (
    ErrorShape,
    install_problem_handlers,
    problem_details,
)
from apprenticeships.progress import endpoints as track_progress_v1
from apprenticeships.recruitment import endpoints as recruitment_v1
from apprenticeships.vacancies import routes_v1 as display_advert_v1
from apprenticeships.vacancies import routes_v2 as display_advert_v2

RouterFactory = Callable[[], APIRouter]

ROUTERS: dict[tuple[ProductId, int], RouterFactory] = {
    (ProductId.DISPLAY_ADVERT, 1): display_advert_v1.router,
    (ProductId.DISPLAY_ADVERT, 2): display_advert_v2.router,
    (ProductId.RECRUITMENT, 1): recruitment_v1.router,
    (ProductId.TRACK_PROGRESS, 1): track_progress_v1.router,
}
# Request bodies that routes read themselves (to report every problem at once) and
# document by reference; their schemas are added to the version's OpenAPI components.
DOCUMENTED_MODELS: dict[tuple[ProductId, int], tuple[type[BaseModel], ...]] = {
    (ProductId.RECRUITMENT, 1): recruitment_v1.DOCUMENTED_MODELS,
    (ProductId.TRACK_PROGRESS, 1): track_progress_v1.DOCUMENTED_MODELS,
}
# How each product version answers domain errors, where not in ASP.NET's problem details.
ERROR_SHAPES: dict[tuple[ProductId, int], ErrorShape] = {
    (ProductId.TRACK_PROGRESS, 1): track_progress_v1.error_response,
}


def build_product_app(product: Product, version: int, state: ProductState) -> FastAPI:
    app = FastAPI(
        title=product.name,
        version=f"{version}",
        description=product.description,
        openapi_url=None,  # published under /docs by the platform, not under the API path
        docs_url=None,
        redoc_url=None,
        servers=[{"url": state.settings.public_url}],
        # A near-miss path is the gateway's 404: a redirect would drop the /sandbox prefix.
        redirect_slashes=False,
    )
    app.state.platform = state
    key = (product.id, version)
    install_problem_handlers(app, ERROR_SHAPES.get(key, problem_details))
    factory = ROUTERS.get((product.id, version))
    if factory is not None:
        app.include_router(factory(), prefix=product.path)
    models = DOCUMENTED_MODELS.get((product.id, version))
    if models:
        _document_models(app, models)
    return app


def _document_models(app: FastAPI, models: tuple[type[BaseModel], ...]) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            _, definitions = models_json_schema(
                [(model, "validation") for model in models],
                by_alias=True,
                ref_template="#/components/schemas/{model}",
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(definitions.get("$defs", {}))
        assert app.openapi_schema is not None  # FastAPI keeps what build() made
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build_product_apps(
    products: tuple[Product, ...], state: ProductState
) -> dict[tuple[str, int], FastAPI]:
    return {
        (product.id, version): build_product_app(product, version, state)
        for product in products
        for version in product.versions
    }
