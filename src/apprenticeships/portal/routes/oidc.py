"""Signing in with the organisation's identity provider (OpenID Connect): the link on
the sign-in page starts it, the provider sends the person back to the callback.

Both pages exist only when ``APPRENTICESHIPS_OIDC_ISSUER`` is set (``oidc_routes``
returns none otherwise, so they are 404s like any unknown page).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from apprenticeships.accounts.oidc import PENDING_LIFETIME, OidcClient, OidcFailed, OidcRefusal
from apprenticeships.accounts.sessions import SESSION_COOKIE
from apprenticeships.portal.oidc import PendingCookies, PortalOidc, oidc_config
from apprenticeships.portal.web import Access, Portal, Visitor
from apprenticeships.settings import Settings

PENDING_COOKIE = "portal_oidc"
PENDING_PATH = "/portal/sign-in/oidc"
SIGN_IN_AGAIN = ("/portal/sign-in", "Sign in again")
CANNOT = "You cannot sign in with your organisation's account"

# What each refusal tells the person: the page's title, paragraphs and status.
REFUSALS: dict[OidcRefusal, tuple[str, tuple[str, ...], int]] = {
    OidcRefusal.STATE: (
        "Your sign-in has expired",
        (
            "Signing in with your organisation's account must be finished in the browser "
            "you started it in, within 10 minutes. You have not been signed in.",
        ),
        400,
    ),
    OidcRefusal.PROVIDER_DENIED: (
        "You have not been signed in",
        ("Your organisation's sign-in service did not sign you in.",),
        400,
    ),
    OidcRefusal.UNAVAILABLE: (
        "Sorry, your organisation's sign-in service is not available",
        ("Try again later, or sign in with your email address and password.",),
        502,
    ),
    OidcRefusal.TOKEN: (
        "You have not been signed in",
        (
            "We could not confirm your sign-in with your organisation's sign-in service. "
            "Try again. If it happens again, contact your organisation's IT team.",
        ),
        400,
    ),
    OidcRefusal.EMAIL: (
        CANNOT,
        ("Your organisation's sign-in service did not confirm your email address.",),
        403,
    ),
    OidcRefusal.ORGANISATION: (
        CANNOT,
        (
            "Your organisation does not have an account on this service, or your "
            "organisation's sign-in service did not say which organisation you belong to.",
            "Ask your organisation's IT team to check the organisation it sends.",
        ),
        403,
    ),
    OidcRefusal.SUSPENDED: (
        CANNOT,
        ("Your organisation's account on this service is suspended.",),
        403,
    ),
    OidcRefusal.ROLE: (
        CANNOT,
        (
            "Your organisation's sign-in service gave you a role this service does not "
            "have for your organisation.",
            "Employer roles are Owner, Transactor and Viewer; training provider roles are "
            "AccountOwner, Contributor and Viewer. Ask your organisation's IT team to "
            "check the role it sends.",
        ),
        403,
    ),
}


class OidcPages:
    def __init__(self, portal: Portal, oidc: PortalOidc, cookies: PendingCookies) -> None:
        self.portal = portal
        self.oidc = oidc
        self.cookies = cookies
        self.secure = portal.public_url.lower().startswith("https://")

    def routes(self) -> list[BaseRoute]:
        p = self.portal
        return [
            p.route("/sign-in/oidc", self.start, access=Access.ANYONE),
            p.route("/sign-in/oidc/callback", self.callback, access=Access.ANYONE),
        ]

    async def start(self, request: Request, visitor: Visitor) -> Response:
        try:
            url, pending = await self.oidc.begin()
        except OidcFailed as failure:
            return self._refused(request, visitor, failure)
        response = RedirectResponse(url, status_code=303)
        response.set_cookie(
            PENDING_COOKIE,
            self.cookies.seal(pending),
            max_age=int(PENDING_LIFETIME.total_seconds()),
            path=PENDING_PATH,
            secure=self.secure,
            httponly=True,
            # Lax: sent when the provider sends the person back (a top-level GET).
            samesite="lax",
        )
        return response

    async def callback(self, request: Request, visitor: Visitor) -> Response:
        pending = self.cookies.unseal(request.cookies.get(PENDING_COOKIE))
        try:
            result = await self.oidc.finish(pending, request.query_params, visitor.address)
        except OidcFailed as failure:
            response = self._refused(request, visitor, failure)
        else:
            assert result.person_id is not None
            old = request.cookies.get(SESSION_COOKIE)
            if old:
                await self.portal.store.end(old)
            session_id, _ = await self.portal.store.create(
                result.person_id, result.organisation_id, visitor.address, self.portal.clock()
            )
            visitor.start_session(session_id)
            response = RedirectResponse(result.landing, status_code=303)
        # Used or refused, this sign-in is over.
        response.delete_cookie(
            PENDING_COOKIE, path=PENDING_PATH, secure=self.secure, httponly=True, samesite="lax"
        )
        return response

    def _refused(self, request: Request, visitor: Visitor, failure: OidcFailed) -> Response:
        title, paragraphs, status = REFUSALS[failure.reason]
        return self.portal.message(
            request, visitor, title, *paragraphs, link=SIGN_IN_AGAIN, status=status
        )


def oidc_routes(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    portal: Portal,
    secret_key: bytes,
    clock: Callable[[], datetime],
) -> list[BaseRoute]:
    """The OpenID Connect pages, when the settings turn it on; none otherwise."""
    config = oidc_config(settings)
    if config is None:
        return []
    oidc = PortalOidc(sessions, OidcClient(config, clock), clock)
    return OidcPages(portal, oidc, PendingCookies(secret_key)).routes()
