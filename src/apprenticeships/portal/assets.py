"""Front-end assets: GOV.UK Frontend from the npm registry (``make install`` runs
``npm ci``), and the portal's own stylesheet, served under ``/assets``.

GOV.UK Frontend's stylesheet names its fonts and images as ``/assets/fonts/...`` and
``/assets/images/...``, so that is where they are served.
"""

from __future__ import annotations

from pathlib import Path

import structlog
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

log = structlog.get_logger("apprenticeships.portal")

# src/apprenticeships/portal/assets.py -> the repository root, where npm installs.
_REPOSITORY = Path(__file__).resolve().parents[3]
DEFAULT_FRONTEND_DIR = _REPOSITORY / "node_modules" / "govuk-frontend" / "dist" / "govuk"
STYLESHEET = "govuk-frontend.min.css"
OWN_STATIC = Path(__file__).resolve().parent / "static"


def frontend_dir(configured: Path | None) -> Path:
    return configured if configured is not None else DEFAULT_FRONTEND_DIR


def check_frontend(directory: Path) -> bool:
    """Log, once at start-up, when the assets are missing: pages still work, unstyled."""
    if (directory / STYLESHEET).is_file():
        return True
    log.warning(
        "frontend_assets_missing",
        directory=str(directory),
        fix="run `make install` (it runs `npm ci`) or set APPRENTICESHIPS_FRONTEND_DIR",
    )
    return False


def assets_app(directory: Path) -> ASGIApp:
    """The ``/assets`` mount: the GOV.UK Frontend stylesheet, its fonts and images, and
    the portal's own files under ``/assets/portal``."""
    stylesheet = directory / STYLESHEET

    async def govuk_stylesheet(request: Request) -> Response:
        if not stylesheet.is_file():
            return PlainTextResponse("Not Found", status_code=404)
        return FileResponse(stylesheet, media_type="text/css")

    async def not_found(request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, HTTPException) else 404
        return PlainTextResponse("Not Found" if status == 404 else "", status_code=status)

    app = Starlette(
        routes=[
            Route(f"/{STYLESHEET}", govuk_stylesheet, methods=["GET", "HEAD"]),
            Mount("/portal", app=StaticFiles(directory=OWN_STATIC)),
            Mount("/", app=StaticFiles(directory=directory / "assets", check_dir=False)),
        ],
        exception_handlers={HTTPException: not_found},
    )
    app.router.redirect_slashes = False
    return app
