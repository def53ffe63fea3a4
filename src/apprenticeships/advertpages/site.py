"""The public advert pages' ASGI app, mounted at ``/apprenticeship``.

``/apprenticeship/reference/{reference}`` shows a live advert. The reference counter is
shared by both environments, so a reference names one advert: a live one, or else a
sandbox one (what the sandbox API's ``vacancyUrl`` points at), shown as test data and
kept out of search engines. Anything else, an advert that is closed, not approved yet
or unknown included, is the GOV.UK 404 page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from apprenticeships.advertpages.view import AdvertPage
from apprenticeships.catalog.products import Environment as ApiEnvironment
from apprenticeships.errors import NotFound
from apprenticeships.portal.app import ErrorPages
from apprenticeships.portal.security import SecurityHeaders
from apprenticeships.portal.templating import Pages, environment
from apprenticeships.vacancies import shapes
from apprenticeships.vacancies.repository import PageRow
from apprenticeships.vacancies.schemas import VacancyDetailV2
from apprenticeships.vacancies.service import VacancyService


def advert_environment() -> Environment:
    """The portal's environment (layout, GOV.UK macros) with these templates under
    ``adverts/``."""
    base = environment()
    assert base.loader is not None
    return base.overlay(
        loader=ChoiceLoader(
            [
                PrefixLoader(
                    {"adverts": PackageLoader("apprenticeships.advertpages", "templates")}
                ),
                base.loader,
            ]
        )
    )


class AdvertErrorPages(ErrorPages):
    def not_found(self, request: Request) -> Response:
        return self.pages.render(
            request,
            "message.html",
            {
                "title": "Page not found",
                "paragraphs": [
                    "The apprenticeship may have closed to applications, or the web address "
                    "may be wrong.",
                    "If you typed the web address, check it is correct.",
                ],
            },
            status=404,
        )


class AdvertPages:
    def __init__(
        self,
        pages: Pages,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        public_url: str,
    ) -> None:
        self.pages = pages
        self.sessions = sessions
        self.clock = clock
        self.public_url = public_url.rstrip("/")
        self.errors = AdvertErrorPages(pages)

    async def find(self, reference: str) -> tuple[PageRow, ApiEnvironment] | None:
        """The live advert with this reference, in the live environment or else in the
        sandbox; None when there is none."""
        now = self.clock()
        async with self.sessions() as session:
            service = VacancyService(session)
            for where in (ApiEnvironment.LIVE, ApiEnvironment.SANDBOX):
                try:
                    return await service.live_advert(where, reference, now), where
                except NotFound:
                    continue
        return None

    async def advert(self, request: Request) -> Response:
        found = await self.find(request.path_params["reference"])
        if found is None:
            return self.errors.not_found(request)
        row, where = found
        # The API's own version 2 detail shape: the page shows what the API shows.
        advert = shapes.item_v2(row, None, True, self.public_url)
        assert isinstance(advert, VacancyDetailV2)
        page = AdvertPage(advert, sandbox=where is ApiEnvironment.SANDBOX)
        return self.pages.render(
            request, "adverts/advert.html", {"title": advert.title, "page": page}
        )

    def app(self) -> ASGIApp:
        app = Starlette(
            routes=[Route("/reference/{reference}", self.advert, methods=["GET"])],
            exception_handlers={
                HTTPException: self.errors.http_exception,
                Exception: self.errors.unexpected,
            },
        )
        app.router.redirect_slashes = False
        return SecurityHeaders(app)
