"""The portal's use cases for people: each runs in one unit of work (like a CLI
command), calls the accounts services and writes the audit log in the same
transaction, so an action and its audit entry are stored together or not at all."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.acting import Acting, MembershipView
from apprenticeships.accounts.people import KeyRevoker, LinkNotValid, PeopleService
from apprenticeships.accounts.sessions import SessionRecord
from apprenticeships.accounts.vocabulary import SignInOutcome, TokenPurpose
from apprenticeships.audit.service import Actor, AuditService
from apprenticeships.audit.vocabulary import AuditAction
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.portal.web import Identity
from apprenticeships.storage.engine import unit_of_work

KIND_LABELS = {
    OwnerKind.EMPLOYER: "Employer",
    OwnerKind.PROVIDER: "Training provider",
    OwnerKind.DEVELOPER: "Independent developer",
}

AUDITED_SIGN_INS = {
    SignInOutcome.SIGNED_IN: AuditAction.SIGN_IN,
    SignInOutcome.FAILED: AuditAction.FAILED_SIGN_IN,
    SignInOutcome.LOCKED_OUT: AuditAction.LOCKOUT,
    SignInOutcome.REFUSED_LOCKED: AuditAction.FAILED_SIGN_IN,
    SignInOutcome.THROTTLED: AuditAction.FAILED_SIGN_IN,
    SignInOutcome.UNCONFIRMED: AuditAction.FAILED_SIGN_IN,
    SignInOutcome.NO_ACCESS: AuditAction.FAILED_SIGN_IN,
}


@dataclass(frozen=True, slots=True)
class SignIn:
    """What the sign-in page does next: a session for ``person_id`` acting for
    ``organisation_id`` and a landing page, or ``message`` to show."""

    message: str | None
    person_id: int | None = None
    organisation_id: int | None = None
    landing: str = "/portal/apis"


@dataclass(frozen=True, slots=True)
class Choice:
    organisation_id: int
    organisation_name: str
    description: str


def describe(membership: MembershipView) -> str:
    kind = KIND_LABELS[membership.kind]
    if membership.kind is OwnerKind.DEVELOPER:
        return f"{kind}, {membership.role.label}"
    return f"{kind} {membership.public_id}, {membership.role.label}"


class PortalAccounts:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        public_url: str,
        clock: Callable[[], datetime],
        keys: Callable[[AsyncSession], KeyRevoker],
        mail_sent: Callable[[], None],
    ) -> None:
        self.sessions = sessions
        self.public_url = public_url
        self.clock = clock
        self.keys = keys
        self.mail_sent = mail_sent

    def _people(self, session: AsyncSession) -> PeopleService:
        return PeopleService(session, self.public_url)

    # -- who is signed in ----------------------------------------------------------------

    async def identify(self, record: SessionRecord) -> Identity | None:
        """The person behind a session now: None if they are gone, changed their
        password after the session began, or may act for nothing any more."""
        async with self.sessions() as session:
            people = self._people(session)
            person = await people.person(record.user_id)
            if person is None or (
                person.password_changed_at is not None
                and person.password_changed_at > record.created_at
            ):
                return None
            memberships = await people.memberships_of(person.id)
        if not memberships and not person.is_platform_admin:
            return None
        current = next(
            (m for m in memberships if m.organisation_id == record.organisation_id), None
        )
        return Identity(
            user_id=person.id,
            email=person.email,
            name=person.name,
            is_admin=person.is_platform_admin,
            organisation_id=current.organisation_id if current else None,
            organisation_kind=current.kind.value if current else None,
            organisation_public_id=current.public_id if current else None,
            organisation_name=current.name if current else None,
            role=current.role.value if current else None,
            organisations=len(memberships),
        )

    async def choices(self, person_id: int) -> list[Choice]:
        async with self.sessions() as session:
            memberships = await self._people(session).memberships_of(person_id)
        return [Choice(m.organisation_id, m.name, describe(m)) for m in memberships]

    # -- registration ---------------------------------------------------------------------

    async def register(self, name: str, email: str, password: str, address: str) -> None:
        async with unit_of_work(self.sessions) as session:
            await self._people(session).register_developer(name, email, password, self.clock())
        self.mail_sent()

    async def confirm_email(self, token: str) -> bool:
        try:
            async with unit_of_work(self.sessions) as session:
                await self._people(session).confirm_email(token, self.clock())
        except LinkNotValid:
            return False
        return True

    # -- signing in -------------------------------------------------------------------------

    async def sign_in(self, email: str, password: str, address: str) -> SignIn:
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            result = await self._people(session).sign_in(email, password, address, now)
            actor = Actor(result.audit_person_id, result.email, address)
            await _record(
                session, AUDITED_SIGN_INS[result.outcome], now, actor,
                result.audit_organisation_ids, {"outcome": result.outcome.value},
            )  # fmt: skip
        if result.outcome is SignInOutcome.UNCONFIRMED:
            self.mail_sent()
        if result.person is None:
            return SignIn(result.message or "Enter a correct email address and password")
        memberships = result.memberships
        if len(memberships) == 1:
            return SignIn(None, result.person.id, memberships[0].organisation_id)
        if memberships:
            return SignIn(None, result.person.id, None, "/portal/organisations")
        return SignIn(None, result.person.id, None, "/portal/admin/adverts")

    # -- passwords ------------------------------------------------------------------------

    async def token_usable(self, token: str) -> bool:
        try:
            async with self.sessions() as session:
                await self._people(session).password_link(token, self.clock())
        except LinkNotValid:
            return False
        return True

    async def set_password(self, token: str, password: str, address: str) -> int | None:
        """The person whose password was set, or None if the link was not valid."""
        now = self.clock()
        try:
            async with unit_of_work(self.sessions) as session:
                people = self._people(session)
                link = await people.password_link(token, now)
                changed = await people.set_password(token, password, now)
                action = (
                    AuditAction.PASSWORD_RESET
                    if link.purpose is TokenPurpose.RESET
                    else AuditAction.PASSWORD_CHANGED
                )
                organisations = [
                    m.organisation_id for m in await people.memberships_of(changed.person_id)
                ]
                await _record(
                    session, action, now, Actor(changed.person_id, changed.email, address),
                    organisations, {"via": link.purpose.value},
                )  # fmt: skip
        except LinkNotValid:
            return None
        return changed.person_id

    async def request_reset(self, email: str, address: str) -> None:
        async with unit_of_work(self.sessions) as session:
            await self._people(session).forgot_password(email, self.clock())
        self.mail_sent()

    async def change_password(
        self, identity: Identity, current: str, new: str, address: str
    ) -> None:
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            changed = await self._people(session).change_password(
                identity.user_id, current, new, now
            )
            await _record(
                session, AuditAction.PASSWORD_CHANGED, now,
                Actor(changed.person_id, changed.email, address),
                [identity.organisation_id] if identity.organisation_id else [], {},
            )  # fmt: skip
        self.mail_sent()

    async def delete_developer(self, identity: Identity, address: str) -> None:
        assert identity.organisation_id is not None
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            deleted = await self._people(session).delete_developer_account(
                Acting(identity.user_id, identity.organisation_id), now, self.keys(session)
            )
            await _record(
                session, AuditAction.ACCOUNT_DELETED, now,
                Actor(identity.user_id, identity.email, address),
                [deleted.organisation_id], {"keys revoked": str(deleted.keys_revoked)},
            )  # fmt: skip
        self.mail_sent()


async def _record(
    session: AsyncSession,
    action: AuditAction,
    at: datetime,
    actor: Actor,
    organisation_ids: Iterable[int],
    details: dict[str, str],
) -> None:
    """One entry per organisation the person belongs to (their Owners see it), or one
    without an organisation (platform admins see every entry)."""
    audit = AuditService(session)
    organisations: list[int | None] = [*organisation_ids] or [None]
    for organisation_id in organisations:
        await audit.record(
            action, at, actor=actor, organisation_id=organisation_id, details=details
        )
