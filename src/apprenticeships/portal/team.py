"""The portal's use cases for an organisation's team: each runs in one unit of work,
calls ``TeamService`` (which checks the acting person's role on every call) and writes
the audit entry in the same transaction, so a change and its entry are stored together
or not at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.acting import Acting
from apprenticeships.accounts.team import Invitation, Removal, RoleChange, TeamMember, TeamService
from apprenticeships.accounts.vocabulary import Role, can_manage_team, roles_for
from apprenticeships.audit.service import Actor, AuditService
from apprenticeships.audit.vocabulary import AuditAction
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.portal.web import Identity
from apprenticeships.storage.engine import unit_of_work


@dataclass(frozen=True, slots=True)
class Team:
    members: list[TeamMember]
    # The roles a person may hold in this organisation, most powerful first.
    roles: tuple[Role, ...]
    # Whether the acting person may invite, change roles and remove (the service checks
    # again on every change; this only decides what the page offers).
    can_manage: bool


def acting(identity: Identity) -> Acting:
    assert identity.organisation_id is not None, "pages of an organisation need one chosen"
    return Acting(identity.user_id, identity.organisation_id)


def actor(identity: Identity, address: str) -> Actor:
    return Actor(identity.user_id, identity.email, address)


class PortalTeam:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        public_url: str,
        clock: Callable[[], datetime],
        mail_sent: Callable[[], None],
    ) -> None:
        self.sessions = sessions
        self.public_url = public_url
        self.clock = clock
        self.mail_sent = mail_sent

    def _team(self, session: AsyncSession) -> TeamService:
        return TeamService(session, self.public_url)

    async def team(self, identity: Identity) -> Team:
        async with self.sessions() as session:
            members = await self._team(session).team(acting(identity))
        assert identity.organisation_kind is not None and identity.role is not None
        return Team(
            members,
            roles_for(OwnerKind(identity.organisation_kind)),
            can_manage_team(Role(identity.role)),
        )

    async def member(self, identity: Identity, person_id: int) -> TeamMember:
        async with self.sessions() as session:
            return await self._team(session).member(acting(identity), person_id)

    async def invite(
        self, identity: Identity, email: str, name: str, role: str, address: str
    ) -> Invitation:
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            invitation = await self._team(session).invite(acting(identity), email, name, role, now)
            await AuditService(session).record(
                AuditAction.INVITATION_SENT, now, actor=actor(identity, address),
                organisation_id=invitation.organisation_id,
                details={"person": invitation.email, "role": invitation.role.label},
            )  # fmt: skip
        self.mail_sent()
        return invitation

    async def change_role(
        self, identity: Identity, person_id: int, role: str, address: str
    ) -> RoleChange:
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            change = await self._team(session).change_role(acting(identity), person_id, role, now)
            if change.new is not change.old:
                await AuditService(session).record(
                    AuditAction.ROLE_CHANGED, now, actor=actor(identity, address),
                    organisation_id=change.organisation_id,
                    details={"person": change.email, "from": change.old.label,
                             "to": change.new.label},
                )  # fmt: skip
        return change

    async def remove(self, identity: Identity, person_id: int, address: str) -> Removal:
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            removal = await self._team(session).remove(acting(identity), person_id, now)
            await AuditService(session).record(
                AuditAction.PERSON_REMOVED, now, actor=actor(identity, address),
                organisation_id=removal.organisation_id,
                details={"person": removal.email, "role": removal.role.label},
            )  # fmt: skip
        return removal
