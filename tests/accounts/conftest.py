"""What the accounts tests share: cheap Argon2id parameters, a fixed clock, builders for
organisations and people made through the real services, and reading the outbox."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.acting import Acting
from apprenticeships.accounts.passwords import Passwords
from apprenticeships.accounts.people import PeopleService
from apprenticeships.accounts.service import AccountService, OwnerRef
from apprenticeships.accounts.team import TeamService
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import OutboundEmail

PUBLIC_URL = "https://apprenticeships.example"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "river otter lantern 42"
LINK = re.compile(re.escape(PUBLIC_URL) + r"/portal/(confirm|set-password)/([A-Za-z0-9_-]+)")


def cheap_passwords() -> Passwords:
    """Real Argon2id, with parameters cheap enough for hundreds of tests."""
    return Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def passwords() -> Passwords:
    return cheap_passwords()


@dataclass
class World:
    """Services on sessions of one test database, each call its own unit of work, as
    the portal runs them."""

    sessions: async_sessionmaker[AsyncSession]
    passwords: Passwords

    def people(self, session: AsyncSession) -> PeopleService:
        return PeopleService(session, PUBLIC_URL, self.passwords)

    def team(self, session: AsyncSession) -> TeamService:
        return TeamService(session, PUBLIC_URL)

    async def employer(self, name: str = "Acme Engineering Ltd") -> tuple[int, str]:
        async with unit_of_work(self.sessions) as session:
            organisation = await AccountService(session).add_employer(name, NOW)
            return organisation.id, organisation.public_id

    async def provider(self, ukprn: str = "10000001", name: str = "Northfield College") -> int:
        async with unit_of_work(self.sessions) as session:
            return (await AccountService(session).add_provider(ukprn, name, NOW)).id

    async def member(
        self,
        kind: OwnerKind,
        public_id: str,
        email: str,
        role: str,
        password: str | None = PASSWORD,
        name: str = "Sam Jones",
    ) -> int:
        """A person added by the operator who (unless ``password`` is None) set their
        password from the invitation link."""
        async with unit_of_work(self.sessions) as session:
            invitation = await self.team(session).add_person(
                OwnerRef(kind, public_id), email, name, role, NOW
            )
        if password is not None:
            token = await self.last_link(email)
            async with unit_of_work(self.sessions) as session:
                await self.people(session).set_password(token, password, NOW)
        return invitation.person_id

    async def developer(self, email: str = "dev@example.com", confirm: bool = True) -> Acting:
        async with unit_of_work(self.sessions) as session:
            await self.people(session).register_developer("Dee Veloper", email, PASSWORD, NOW)
        if confirm:
            async with unit_of_work(self.sessions) as session:
                await self.people(session).confirm_email(await self.last_link(email), NOW)
        async with self.sessions() as session:
            result = await self.people(session).sign_in(email, PASSWORD, "192.0.2.1", NOW)
            if not confirm:
                return Acting(result.audit_person_id or 0, result.audit_organisation_ids[0])
        [membership] = result.memberships
        assert result.person is not None
        return Acting(result.person.id, membership.organisation_id)

    async def outbox(self, to: str | None = None) -> list[OutboundEmail]:
        async with self.sessions() as session:
            query = select(OutboundEmail).order_by(OutboundEmail.id)
            if to is not None:
                query = query.where(OutboundEmail.to_address == to)
            return list(await session.scalars(query))

    async def last_link(self, to: str) -> str:
        """The token in the link of the latest email to ``to``."""
        emails = await self.outbox(to)
        assert emails, f"no email to {to}"
        match = LINK.search(emails[-1].body)
        assert match is not None, emails[-1].body
        return match.group(2)


@pytest.fixture
def world(sessions: async_sessionmaker[AsyncSession], passwords: Passwords) -> World:
    return World(sessions, passwords)
