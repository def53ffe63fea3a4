"""The portal's usage reads: an organisation's and one of its keys' last 7 days, from the
hourly counts the gateway records (``usage/``). Reads open a plain session; the usage
service checks that the person may still act for the organisation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.acting import Acting
from apprenticeships.catalog.products import Environment, product_by_id, product_title
from apprenticeships.portal.web import Identity
from apprenticeships.usage.repository import KeyUse
from apprenticeships.usage.service import KeyUsage, OrganisationUsage, UsageService


def api_name(key: KeyUse) -> str:
    """The API a key is for, as the API list heads it: "Display advert API sandbox"."""
    return product_title(product_by_id(key.product_id), Environment(key.environment))


class PortalUsage:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]
    ) -> None:
        self.sessions = sessions
        self.clock = clock

    async def organisation(self, identity: Identity) -> OrganisationUsage:
        async with self.sessions() as session:
            return await UsageService(session, self.clock).organisation_usage(_acting(identity))

    async def key(self, identity: Identity, key_id: str) -> KeyUsage:
        """``NotFound`` unless the key is the organisation's."""
        async with self.sessions() as session:
            return await UsageService(session, self.clock).key_usage(_acting(identity), key_id)


def _acting(identity: Identity) -> Acting:
    assert identity.organisation_id is not None, "pages for members only"
    return Acting(identity.user_id, identity.organisation_id)
