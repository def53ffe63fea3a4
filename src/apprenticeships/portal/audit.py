"""Reading the audit log in the portal: an organisation's Owners / Account owners read
their organisation's entries; platform admins read every organisation's. Who may read
which is decided from what is stored now (the person's role, whether they are an admin),
not from what the session remembers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.people import PeopleService
from apprenticeships.accounts.vocabulary import can_see_audit
from apprenticeships.audit.service import AuditPage, AuditService
from apprenticeships.portal.web import Identity

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class AuditView:
    page: AuditPage
    # Every organisation's entries (a platform admin), each naming its organisation.
    every_organisation: bool


class PortalAudit:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        public_url: str,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.sessions = sessions
        self.public_url = public_url
        self.page_size = page_size

    async def page(self, identity: Identity, page: int) -> AuditView | None:
        """One page of the log the person may read, newest first; None when they may
        read none (the page does not exist for them)."""
        async with self.sessions() as session:
            people = PeopleService(session, self.public_url)
            person = await people.person(identity.user_id)
            if person is None:
                return None
            audit = AuditService(session)
            if person.is_platform_admin:
                return AuditView(await audit.list_all(page, self.page_size), True)
            if identity.organisation_id is None:
                return None
            membership = await people.membership(person.id, identity.organisation_id)
            if membership is None or not can_see_audit(membership.role):
                return None
            entries = await audit.list_for_organisation(
                identity.organisation_id, page, self.page_size
            )
            return AuditView(entries, False)
