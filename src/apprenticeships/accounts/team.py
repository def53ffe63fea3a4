"""Teams: who may act for an organisation, in which role; invitations; platform admins.

Methods take the caller's session and never commit (see ``people.py``). Portal callers
are ``Acting`` people whose membership is checked on every call; the CLI's commands are
the operator's own methods (``add_person``, ``add_developer``, ``add_admin``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts import emails
from apprenticeships.accounts.acting import Acting, authorise
from apprenticeships.accounts.fields import (
    EMAIL_FIELD,
    clean_name,
    email_problem,
    name_problem,
    normalise_email,
    parse_role,
)
from apprenticeships.accounts.people import issue_token
from apprenticeships.accounts.repository import (
    AccountTokenRepository,
    MembershipRepository,
    UserRepository,
)
from apprenticeships.accounts.service import AccountService, OwnerRef
from apprenticeships.accounts.vocabulary import (
    OWNER_ROLES,
    OrganisationStatus,
    Role,
    TokenPurpose,
    can_manage_team,
    owner_role,
)
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import Conflict, FieldProblem, InvalidInput, NotFound
from apprenticeships.mail.outbox import Outbox
from apprenticeships.storage.models import Membership, Organisation, User

MANAGE_TEAM = "Only Owners and Account owners can manage the team"
MEMBERS_ONLY = "You cannot see this organisation's team"


@dataclass(frozen=True, slots=True)
class Invitation:
    person_id: int
    email: str
    organisation_id: int
    role: Role
    # True: the person had no password and got a set-password link (7 days). False:
    # they already had one, and were told they can now act for the organisation.
    invited: bool
    # A person made by this invitation (not one who already had an account).
    new_person: bool


@dataclass(frozen=True, slots=True)
class AdminInvitation:
    person_id: int
    email: str
    invited: bool  # as for Invitation


@dataclass(frozen=True, slots=True)
class TeamMember:
    person_id: int
    name: str
    email: str
    role: Role
    # Invited, and has not set a password yet.
    invitation_pending: bool
    added_at: datetime


@dataclass(frozen=True, slots=True)
class RoleChange:
    person_id: int
    organisation_id: int
    old: Role
    new: Role
    email: str  # whose role changed (what the audit log names)


@dataclass(frozen=True, slots=True)
class Removal:
    person_id: int
    organisation_id: int
    role: Role
    email: str  # who was removed


class TeamService:
    def __init__(self, session: AsyncSession, public_url: str) -> None:
        self.accounts = AccountService(session)
        self.users = UserRepository(session)
        self.memberships = MembershipRepository(session)
        self.tokens = AccountTokenRepository(session)
        self.outbox = Outbox(session)
        self.links = emails.Links(public_url)

    async def team(self, acting: Acting) -> list[TeamMember]:
        """The organisation's people and roles, by name; any member may see them."""
        _, organisation = await authorise(self.memberships, acting, lambda _: True, MEMBERS_ONLY)
        return [
            _team_member(membership, user)
            for membership, user in await self.memberships.team(organisation.id)
        ]

    async def member(self, acting: Acting, person_id: int) -> TeamMember:
        """One person in the acting person's organisation; any member may see them.
        Someone in another organisation looks exactly like nobody (``NotFound``)."""
        _, organisation = await authorise(self.memberships, acting, lambda _: True, MEMBERS_ONLY)
        membership = await self._member(organisation, person_id)
        return _team_member(membership, await self._person(person_id))

    async def invite(
        self, acting: Acting, email: str, name: str, role: str, now: datetime
    ) -> Invitation:
        """An Owner or Account owner adds a person to their organisation: the Team page's
        "Send invitation"."""
        _, organisation = await authorise(self.memberships, acting, can_manage_team, MANAGE_TEAM)
        return await self._add_member(organisation, email, name, role, now)

    async def add_person(
        self, owner: OwnerRef, email: str, name: str, role: str, now: datetime
    ) -> Invitation:
        """The operator adds a person to an employer or provider (``accounts add-person``)."""
        if owner.kind is OwnerKind.DEVELOPER:
            raise InvalidInput(
                "people are added to employers and providers; a developer account is its one person"
            )
        organisation = await self.accounts.find_owner(owner)
        return await self._add_member(organisation, email, name, role, now)

    async def add_developer(
        self, email: str, name: str, now: datetime
    ) -> tuple[Organisation, Invitation]:
        """The operator creates an independent developer account and invites its person
        (``accounts add-developer``)."""
        organisation = await self.accounts.add_developer(email, now, name)
        invitation = await self._add_member(
            organisation, email, name or organisation.name, Role.DEVELOPER, now
        )
        return organisation, invitation

    async def change_role(
        self, acting: Acting, person_id: int, role: str, now: datetime
    ) -> RoleChange:
        """An Owner or Account owner changes someone's role in their organisation. The
        last Owner (Account owner) cannot stop being one."""
        _, organisation = await authorise(self.memberships, acting, can_manage_team, MANAGE_TEAM)
        membership = await self._member(organisation, person_id)
        chosen = parse_role(role, OwnerKind(organisation.kind))
        if isinstance(chosen, FieldProblem):
            raise InvalidInput(problems=[chosen])
        old = Role(membership.role)
        if old in OWNER_ROLES and chosen not in OWNER_ROLES:
            await self._keep_an_owner(organisation, field="role")
        membership.role = chosen
        await self.memberships.save()
        person = await self._person(person_id)
        return RoleChange(person_id, organisation.id, old, chosen, person.email)

    async def remove(self, acting: Acting, person_id: int, now: datetime) -> Removal:
        """An Owner or Account owner removes someone (perhaps themselves) from their
        organisation; never the last Owner (Account owner)."""
        _, organisation = await authorise(self.memberships, acting, can_manage_team, MANAGE_TEAM)
        membership = await self._member(organisation, person_id)
        role = Role(membership.role)
        if role in OWNER_ROLES:
            await self._keep_an_owner(organisation)
        email = (await self._person(person_id)).email
        await self.memberships.remove(membership)
        return Removal(person_id, organisation.id, role, email)

    async def add_admin(self, email: str, now: datetime, name: str = "") -> AdminInvitation:
        """Make a person a platform admin (``accounts add-admin``), creating them if need
        be; one without a password is invited to set one."""
        if (problem := email_problem(email)) is not None:
            raise InvalidInput(problems=[problem])
        email = normalise_email(email)
        person = await self.users.find_by_email(email)
        if person is not None and person.is_platform_admin:
            raise Conflict(f"{email} is already a platform admin", field=EMAIL_FIELD)
        if person is None:
            person = await self.users.add(
                User(email=email, name=clean_name(name), is_platform_admin=True, created_at=now)
            )
        person.is_platform_admin = True
        await self.users.save()
        if person.password_hash is None:
            token = await issue_token(self.tokens, person, TokenPurpose.INVITE, now)
            message = emails.admin_invitation(person.name, self.links.set_password(token))
        else:
            message = emails.admin_granted(person.name, self.links.sign_in)
        await self.outbox.enqueue(person.email, message.subject, message.body, now=now)
        return AdminInvitation(person.id, person.email, person.password_hash is None)

    async def _add_member(
        self, organisation: Organisation, email: str, name: str, role: str, now: datetime
    ) -> Invitation:
        if organisation.status != OrganisationStatus.ACTIVE:
            raise Conflict(f"{organisation.name} is {organisation.status}")
        problems = [p for p in (email_problem(email), name_problem(name)) if p is not None]
        chosen = parse_role(role, OwnerKind(organisation.kind))
        if isinstance(chosen, FieldProblem):
            problems.append(chosen)
        if problems:
            raise InvalidInput(problems=problems)
        assert isinstance(chosen, Role)
        email = normalise_email(email)
        person = await self.users.find_by_email(email)
        new_person = person is None
        if person is None:
            person = await self.users.add(
                User(email=email, name=clean_name(name), is_platform_admin=False, created_at=now)
            )
        elif await self.memberships.find(person.id, organisation.id) is not None:
            raise InvalidInput.of(EMAIL_FIELD, f"{email} is already in the team")
        await self.memberships.add(
            Membership(
                user_id=person.id, organisation_id=organisation.id, role=chosen, created_at=now
            )
        )
        invited = person.password_hash is None
        if invited:
            token = await issue_token(self.tokens, person, TokenPurpose.INVITE, now)
            message = emails.invitation(
                person.name, organisation.name, chosen.label, self.links.set_password(token)
            )
        else:
            message = emails.added_to_organisation(
                person.name, organisation.name, chosen.label, self.links.sign_in
            )
        await self.outbox.enqueue(person.email, message.subject, message.body, now=now)
        return Invitation(person.id, person.email, organisation.id, chosen, invited, new_person)

    async def _member(self, organisation: Organisation, person_id: int) -> Membership:
        membership = await self.memberships.find(person_id, organisation.id)
        if membership is None:
            # Someone in another organisation looks exactly like nobody.
            raise NotFound("no such person in the team")
        return membership

    async def _person(self, person_id: int) -> User:
        person = await self.users.by_id(person_id)
        assert person is not None  # a membership's person exists (foreign key)
        return person

    async def _keep_an_owner(self, organisation: Organisation, field: str | None = None) -> None:
        # Locked, so two owners demoting each other at once cannot both succeed.
        owners = await self.memberships.holding(organisation.id, OWNER_ROLES, lock=True)
        if len(owners) <= 1:
            label = owner_role(OwnerKind(organisation.kind)).label
            raise Conflict(
                f"There must be at least one {label}: make someone else an {label} first"
                if label[0] in "AEIOU"
                else f"There must be at least one {label}: make someone else a {label} first",
                field=field,
            )


def _team_member(membership: Membership, person: User) -> TeamMember:
    return TeamMember(
        person.id,
        person.name,
        person.email,
        Role(membership.role),
        person.password_hash is None,
        membership.created_at,
    )
