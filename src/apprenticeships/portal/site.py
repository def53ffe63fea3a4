"""The portal assembled: its use cases, its pages and their routes, as one ASGI app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp

from apprenticeships.accounts.people import KeyRevoker
from apprenticeships.accounts.sessions import SessionStore
from apprenticeships.background import Stopping
from apprenticeships.keys.service import KeyService
from apprenticeships.portal.accounts import PortalAccounts
from apprenticeships.portal.app import create_portal
from apprenticeships.portal.audit import PortalAudit
from apprenticeships.portal.forms import CsrfTokens
from apprenticeships.portal.keys import PortalKeys
from apprenticeships.portal.providers import PortalProviders
from apprenticeships.portal.review import PortalReview
from apprenticeships.portal.routes.audit import AuditPages
from apprenticeships.portal.routes.auth import AuthPages
from apprenticeships.portal.routes.keys import KeyPages
from apprenticeships.portal.routes.oidc import oidc_routes
from apprenticeships.portal.routes.providers import ProviderPages
from apprenticeships.portal.routes.review import ReviewPages
from apprenticeships.portal.routes.team import TeamPages
from apprenticeships.portal.routes.usage import UsagePages
from apprenticeships.portal.team import PortalTeam
from apprenticeships.portal.templating import Pages
from apprenticeships.portal.usage import PortalUsage
from apprenticeships.portal.web import Portal
from apprenticeships.settings import Settings

log = structlog.get_logger("apprenticeships.portal")

# How often idle sessions left in the database are removed (Redis expires its own).
PURGE_SECONDS = 600.0


class PortalSite:
    def __init__(
        self,
        *,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        store: SessionStore,
        secret_key: bytes,
        clock: Callable[[], datetime],
        mail_sent: Callable[[], None],
    ) -> None:
        self.store = store
        self.clock = clock
        pages = Pages()

        def keys(session: AsyncSession) -> KeyRevoker:
            return KeyService(session, secret_key)

        self.accounts = PortalAccounts(sessions, settings.public_url, clock, keys, mail_sent)
        self.portal = Portal(
            store=store,
            identify=self.accounts.identify,
            tokens=CsrfTokens(secret_key),
            pages=pages,
            public_url=settings.public_url,
            clock=clock,
        )
        team = PortalTeam(sessions, settings.public_url, clock, mail_sent)
        self.keys = PortalKeys(sessions, secret_key, settings.public_url, clock, mail_sent)
        routes = [
            *AuthPages(self.portal, self.accounts, oidc=settings.oidc_enabled).routes(),
            *oidc_routes(settings, sessions, self.portal, secret_key, clock),
            *TeamPages(self.portal, team).routes(),
            *ProviderPages(self.portal, PortalProviders(sessions, clock)).routes(),
            *AuditPages(self.portal, PortalAudit(sessions, settings.public_url)).routes(),
            *ReviewPages(self.portal, PortalReview(sessions, clock, mail_sent)).routes(),
            *KeyPages(self.portal, self.keys).routes(),
            *UsagePages(self.portal, PortalUsage(sessions, clock)).routes(),
        ]
        self.app: ASGIApp = create_portal(pages, routes)

    async def housekeeping(self, stopping: Stopping) -> None:
        while not await stopping.pause(PURGE_SECONDS):
            try:
                await self.store.purge_idle(self.clock())
            except Exception:
                log.exception("portal_session_purge_failed")
