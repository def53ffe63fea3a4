"""The portal's ASGI app, mounted at ``/portal`` by the platform."""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from apprenticeships.portal.security import SecurityHeaders
from apprenticeships.portal.templating import Pages

log = structlog.get_logger("apprenticeships.portal")


class ErrorPages:
    """The portal's own 404, 403, 405 and 500 pages (never a stack trace)."""

    def __init__(self, pages: Pages) -> None:
        self.pages = pages

    def not_found(self, request: Request) -> Response:
        return self.pages.render(
            request,
            "message.html",
            {
                "title": "Page not found",
                "paragraphs": [
                    "If you typed the web address, check it is correct.",
                    "If you pasted the web address, check you copied the entire address.",
                ],
                "link": {"href": "/portal", "text": "Go to the developer portal"},
            },
            status=404,
        )

    def expired_form(self, request: Request) -> Response:
        return self.pages.render(
            request,
            "message.html",
            {
                "title": "This form has expired",
                "paragraphs": [
                    "Nothing was changed. For your security, forms stop working when you "
                    "sign in or out, or when your session ends.",
                ],
                "link": {"href": request.url.path, "text": "Go back to the page and try again"},
            },
            status=403,
        )

    def server_error(self, request: Request) -> Response:
        return self.pages.render(
            request,
            "message.html",
            {
                "title": "Sorry, there is a problem with the service",
                "paragraphs": ["Try again later. Nothing you entered has been lost or shared."],
            },
            status=500,
        )

    async def http_exception(self, request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, HTTPException) else 500
        if status == 404:
            return self.not_found(request)
        if status == 405:
            response = self.not_found(request)
            response.status_code = 405
            return response
        return self.server_error(request)

    async def unexpected(self, request: Request, error: Exception) -> Response:
        log.exception("portal_error", path=request.url.path)
        return self.server_error(request)


def create_portal(pages: Pages, routes: Sequence[BaseRoute]) -> ASGIApp:
    errors = ErrorPages(pages)

    app = Starlette(
        routes=list(routes),
        exception_handlers={
            HTTPException: errors.http_exception,
            Exception: errors.unexpected,
        },
    )
    app.router.redirect_slashes = False
    return SecurityHeaders(app)
