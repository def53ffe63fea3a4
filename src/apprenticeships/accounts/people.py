"""People: registration, email confirmation, passwords, sign-in, deleting an account.

Every method is one use case on the caller's session and never commits: the portal
runs each request that writes in one ``storage.engine.unit_of_work`` (and writes its
audit events in the same one), the CLI each command. Emails go to the outbox in that
same transaction, so they are sent exactly when the change commits.

Sign-in, registration and forgotten passwords answer the same way whether or not an
account exists (no account enumeration). Sign-in therefore never raises for a wrong
email or password: it returns an outcome, and the caller commits, because the failure
it recorded is what the lockout counts.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts import emails
from apprenticeships.accounts.acting import Acting, MembershipView, PersonView
from apprenticeships.accounts.fields import (
    CURRENT_PASSWORD,
    EMAIL_FIELD,
    NEW_PASSWORD,
    PASSWORD,
    clean_name,
    email_problem,
    name_problem,
    normalise_email,
)
from apprenticeships.accounts.passwords import Passwords, password_problem
from apprenticeships.accounts.repository import (
    AccountTokenRepository,
    MembershipRepository,
    OrganisationRepository,
    SignInFailureRepository,
    UserRepository,
)
from apprenticeships.accounts.tokens import LIFETIMES, new_token, token_hash
from apprenticeships.accounts.vocabulary import (
    OrganisationStatus,
    Role,
    SignInOutcome,
    TokenPurpose,
)
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import FieldProblem, Forbidden, InvalidInput, NotFound
from apprenticeships.mail.outbox import Outbox
from apprenticeships.storage.models import AccountToken, Membership, Organisation, User

# The lockout: after LOCKOUT_FAILURES failed sign-ins for one submitted email within
# LOCKOUT_WINDOW, sign-in with that email is refused for LOCKOUT_DURATION.
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
LOCKOUT_DURATION = timedelta(minutes=15)
# The per-address throttle: a client address with ADDRESS_FAILURES failed sign-ins in the
# last ADDRESS_WINDOW is refused until it has fewer. High enough for an office behind one
# address, low enough that guessing across many emails (5 tries each) stays slow.
ADDRESS_FAILURES = 20
ADDRESS_WINDOW = timedelta(minutes=15)
# How often links may be sent to one person without them asking anyone: bounds the
# email a stranger can make us send to someone.
RESETS_PER_HOUR = 3
CONFIRMATION_RESEND_AFTER = timedelta(minutes=10)

WRONG_CREDENTIALS = "Enter a correct email address and password"
LOCKED = (
    "You have tried to sign in too many times with this email address. "
    "Wait 15 minutes, then try again"
)
THROTTLED = "There have been too many attempts to sign in from your network. Wait 15 minutes, then try again"
UNCONFIRMED = "Confirm your email address before you sign in. We have sent you an email with a link"
NO_ACCESS = (
    "You cannot sign in because you no longer belong to an organisation that can use "
    "the portal. Ask your organisation's Owner or Account owner for help"
)
LINK_NOT_VALID = "This link has expired or has already been used"
DELETED_NAME = "Deleted developer account"


class LinkNotValid(NotFound):
    """An emailed link that is unknown, expired, used, or for something else."""

    def __init__(self) -> None:
        super().__init__(LINK_NOT_VALID)


class KeyRevoker(Protocol):
    """Stops an organisation's keys at once on every process:
    ``keys.service.KeyService`` (accounts may not import keys, which imports accounts)."""

    async def revoke_organisation_keys(self, organisation_id: int, now: datetime) -> int: ...


@dataclass(frozen=True, slots=True)
class Registration:
    """The same whether the email was new or known (nothing else to show)."""

    email: str


@dataclass(frozen=True, slots=True)
class Confirmed:
    person_id: int
    email: str


@dataclass(frozen=True, slots=True)
class PasswordLink:
    """What an invitation or reset link is for, to show on the set-password page."""

    purpose: TokenPurpose
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class PasswordChanged:
    """A password was set or changed: end every session of ``person_id`` that began
    before ``at`` (``PersonView.password_changed_at`` says the same later)."""

    person_id: int
    email: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AccountDeleted:
    person_id: int
    organisation_id: int
    keys_revoked: int
    # The person is gone (they belonged to nothing else): end all their sessions.
    person_deleted: bool


@dataclass(frozen=True, slots=True)
class SignInResult:
    outcome: SignInOutcome
    # The submitted email, trimmed and lower-case (what the lockout counts).
    email: str
    # What to show when refused (None when signed in). The same for a known and an
    # unknown email, and never says whether the password was right.
    message: str | None
    # Set only when signed in.
    person: PersonView | None = None
    # The organisations the person may act for (active ones only), by name.
    memberships: tuple[MembershipView, ...] = ()
    # For the audit log only, never to show: whose account the email names, if any,
    # and their organisations, so a failed sign-in or a lockout is logged against them.
    audit_person_id: int | None = None
    audit_organisation_ids: tuple[int, ...] = ()

    @property
    def signed_in(self) -> bool:
        return self.outcome is SignInOutcome.SIGNED_IN


def locked_until(failures: Sequence[datetime]) -> datetime | None:
    """When the lockout that these failure times (oldest first) caused ends: 15 minutes
    after the latest failure that was the fifth within 15 minutes. None if none was."""
    until: datetime | None = None
    for index in range(LOCKOUT_FAILURES - 1, len(failures)):
        latest, first = failures[index], failures[index - LOCKOUT_FAILURES + 1]
        if latest - first < LOCKOUT_WINDOW:
            ends = latest + LOCKOUT_DURATION
            until = ends if until is None or ends > until else until
    return until


class PeopleService:
    def __init__(
        self, session: AsyncSession, public_url: str, passwords: Passwords | None = None
    ) -> None:
        self.users = UserRepository(session)
        self.organisations = OrganisationRepository(session)
        self.memberships = MembershipRepository(session)
        self.tokens = AccountTokenRepository(session)
        self.failures = SignInFailureRepository(session)
        self.outbox = Outbox(session)
        self.links = emails.Links(public_url)
        self.passwords = passwords or Passwords()

    # -- registration and confirmation -----------------------------------------------

    async def register_developer(
        self, name: str, email: str, password: str, now: datetime
    ) -> Registration:
        """An independent developer's account: a developer organisation, its person (the
        Developer) and a confirmation email (24 h). For an email that already has an
        account nothing is made, and the email says someone tried to register; the
        caller sees no difference."""
        problems = [p for p in (name_problem(name), email_problem(email)) if p is not None]
        if (problem := password_problem(password)) is not None:
            problems.append(FieldProblem(PASSWORD, problem))
        if problems:
            raise InvalidInput(problems=problems)
        email = normalise_email(email)
        # Hashing takes the same time either way, so timing tells nothing either.
        password_hash = await self.passwords.hash(password)
        if await self._email_known(email):
            notice = emails.already_registered(self.links)
            await self.outbox.enqueue(email, notice.subject, notice.body, now=now)
            return Registration(email)
        name = clean_name(name)
        organisation = await self.organisations.add(
            Organisation(
                kind=OwnerKind.DEVELOPER,
                public_id=str(uuid.uuid4()),
                name=name,
                email=email,
                status=OrganisationStatus.ACTIVE,
                created_at=now,
            )
        )
        person = await self.users.add(
            User(
                email=email,
                name=name,
                password_hash=password_hash,
                is_platform_admin=False,
                created_at=now,
                password_changed_at=now,
            )
        )
        await self.memberships.add(
            Membership(
                user_id=person.id,
                organisation_id=organisation.id,
                role=Role.DEVELOPER,
                created_at=now,
            )
        )
        await self._send_confirmation(person, now)
        return Registration(email)

    async def confirm_email(self, token: str, now: datetime) -> Confirmed:
        """Confirm a developer's email address from the link in their email."""
        stored = await self._valid_token(token, (TokenPurpose.CONFIRM,), now)
        person = await self._person(stored.user_id)
        await self._use(stored, now)
        if person.email_confirmed_at is None:
            person.email_confirmed_at = now
        await self.users.save()
        return Confirmed(person.id, person.email)

    # -- passwords -------------------------------------------------------------------

    async def password_link(self, token: str, now: datetime) -> PasswordLink:
        """What an invitation or reset link is for, without using it (the page that
        asks for the new password)."""
        stored = await self._valid_token(token, (TokenPurpose.INVITE, TokenPurpose.RESET), now)
        person = await self._person(stored.user_id)
        return PasswordLink(TokenPurpose(stored.purpose), person.email, person.name)

    async def set_password(self, token: str, password: str, now: datetime) -> PasswordChanged:
        """Set a password from an invitation or reset link. The link is then used, with
        every other invitation or reset link of the person; the email is confirmed (the
        link came by email); sessions that began before now have ended."""
        stored = await self._valid_token(token, (TokenPurpose.INVITE, TokenPurpose.RESET), now)
        if (problem := password_problem(password)) is not None:
            raise InvalidInput.of(PASSWORD, problem)
        person = await self._person(stored.user_id)
        password_hash = await self.passwords.hash(password)
        await self._use(stored, now)
        await self.tokens.use_all(person.id, list(TokenPurpose), now)
        person.password_hash = password_hash
        person.password_changed_at = now
        if person.email_confirmed_at is None:
            person.email_confirmed_at = now
        await self.users.save()
        return PasswordChanged(person.id, person.email, now)

    async def forgot_password(self, email: str, now: datetime) -> None:
        """Email a reset link (1 h) if the email has an account; the same answer either
        way. At most ``RESETS_PER_HOUR`` links an hour are sent to one person."""
        if (problem := email_problem(email)) is not None:
            raise InvalidInput(problems=[problem])
        person = await self.users.find_by_email(normalise_email(email))
        if person is None:
            return
        if (
            await self.tokens.issued_since(person.id, TokenPurpose.RESET, now - timedelta(hours=1))
            >= RESETS_PER_HOUR
        ):
            return
        token = await self._new_token(person, TokenPurpose.RESET, now)
        message = emails.reset_password(person.name, self.links.set_password(token))
        await self.outbox.enqueue(person.email, message.subject, message.body, now=now)

    async def change_password(
        self, person_id: int, current_password: str, new_password: str, now: datetime
    ) -> PasswordChanged:
        """A signed-in person changes their password. Every session that began before
        now has ended (the caller ends its own, the others find out from
        ``password_changed_at``), and an email says so."""
        person = await self._person(person_id)
        problems: list[FieldProblem] = []
        if not current_password:
            problems.append(FieldProblem(CURRENT_PASSWORD, "Enter your current password"))
        elif not (await self.passwords.verify(person.password_hash, current_password)).ok:
            problems.append(FieldProblem(CURRENT_PASSWORD, "Your current password is incorrect"))
        if (problem := password_problem(new_password, "new password")) is not None:
            problems.append(FieldProblem(NEW_PASSWORD, problem))
        if problems:
            raise InvalidInput(problems=problems)
        person.password_hash = await self.passwords.hash(new_password)
        person.password_changed_at = now
        await self.tokens.use_all(person.id, (TokenPurpose.RESET, TokenPurpose.INVITE), now)
        await self.users.save()
        message = emails.password_changed(person.name, self.links)
        await self.outbox.enqueue(person.email, message.subject, message.body, now=now)
        return PasswordChanged(person.id, person.email, now)

    # -- deleting an account ---------------------------------------------------------

    async def delete_developer_account(
        self, acting: Acting, now: datetime, keys: KeyRevoker
    ) -> AccountDeleted:
        """An independent developer deletes their account: its keys stop at once on
        every process (``keys``), the organisation is marked deleted and loses its email
        and name, and the person is forgotten unless they belong elsewhere or are a
        platform admin. Their sessions end (``password_changed_at``)."""
        found = await self.memberships.with_organisation(acting.person_id, acting.organisation_id)
        if found is None:
            raise Forbidden("You cannot delete this account")
        membership, organisation = found
        if (
            organisation.kind != OwnerKind.DEVELOPER
            or membership.role != Role.DEVELOPER
            or organisation.status == OrganisationStatus.DELETED
        ):
            raise Forbidden("Only an independent developer's account can be deleted here")
        person = await self._person(acting.person_id)
        revoked = await keys.revoke_organisation_keys(organisation.id, now)
        organisation.status = OrganisationStatus.DELETED
        organisation.email = None
        organisation.name = DELETED_NAME
        await self.memberships.remove(membership)
        notice = emails.account_deleted(person.name, revoked)
        await self.outbox.enqueue(person.email, notice.subject, notice.body, now=now)
        person.password_changed_at = now
        forget = not person.is_platform_admin and not await self.memberships.count_of_person(
            person.id
        )
        if forget:
            await self.tokens.use_all(person.id, list(TokenPurpose), now)
            # The row stays (audit entries and keys may name it) but says nothing of them.
            person.email = f"deleted-{person.id}@deleted.invalid"
            person.name = ""
            person.password_hash = None
            person.email_confirmed_at = None
        await self.users.save()
        return AccountDeleted(person.id, organisation.id, revoked, forget)

    # -- signing in ------------------------------------------------------------------

    async def sign_in(
        self, email: str, password: str, client_address: str, now: datetime
    ) -> SignInResult:
        """Check an email and password. Refused, without checking the password, while
        the client address is throttled or the email locked out. A wrong email or
        password is recorded as a failure (commit the session even when refused). An
        unconfirmed email gets a new confirmation link instead of a session; a person
        with no active organisation (and not a platform admin) cannot sign in.
        Passwords hashed with older parameters are re-hashed."""
        problems = []
        if not email.strip():
            problems.append(FieldProblem(EMAIL_FIELD, "Enter your email address"))
        if not password:
            problems.append(FieldProblem(PASSWORD, "Enter your password"))
        if problems:
            raise InvalidInput(problems=problems)
        submitted = normalise_email(email)[:320]
        address = client_address[:64]
        if await self.failures.count_for_address(address, now - ADDRESS_WINDOW) >= ADDRESS_FAILURES:
            return await self._refused(SignInOutcome.THROTTLED, submitted, THROTTLED)
        failures = await self.failures.times_for_email(
            submitted, now - LOCKOUT_WINDOW - LOCKOUT_DURATION
        )
        lock = locked_until(failures)
        if lock is not None and now < lock:
            return await self._refused(SignInOutcome.REFUSED_LOCKED, submitted, LOCKED)
        person = await self.users.find_by_email(submitted)
        verified = await self.passwords.verify(
            person.password_hash if person is not None else None, password
        )
        if person is None or not verified.ok:
            await self.failures.add(submitted, address, now)
            lock = locked_until([*failures, now])
            if lock is not None and now < lock:
                return await self._refused(SignInOutcome.LOCKED_OUT, submitted, LOCKED, person)
            return await self._refused(SignInOutcome.FAILED, submitted, WRONG_CREDENTIALS, person)
        if verified.new_hash is not None:
            person.password_hash = verified.new_hash
            await self.users.save()
        if person.email_confirmed_at is None:
            since = now - CONFIRMATION_RESEND_AFTER
            if not await self.tokens.issued_since(person.id, TokenPurpose.CONFIRM, since):
                await self._send_confirmation(person, now)
            return await self._refused(SignInOutcome.UNCONFIRMED, submitted, UNCONFIRMED, person)
        memberships = tuple(await self.memberships_of(person.id))
        if not memberships and not person.is_platform_admin:
            return await self._refused(SignInOutcome.NO_ACCESS, submitted, NO_ACCESS, person)
        return SignInResult(
            SignInOutcome.SIGNED_IN,
            submitted,
            None,
            PersonView.of(person),
            memberships,
            person.id,
            tuple(m.organisation_id for m in memberships),
        )

    async def _refused(
        self, outcome: SignInOutcome, email: str, message: str, person: User | None = None
    ) -> SignInResult:
        if person is None and outcome in (SignInOutcome.THROTTLED, SignInOutcome.REFUSED_LOCKED):
            person = await self.users.find_by_email(email)
        if person is None:
            return SignInResult(outcome, email, message)
        organisations = tuple(o.id for _, o in await self.memberships.of_person(person.id))
        return SignInResult(
            outcome,
            email,
            message,
            audit_person_id=person.id,
            audit_organisation_ids=organisations,
        )

    # -- who someone is now ----------------------------------------------------------

    async def person(self, person_id: int) -> PersonView | None:
        user = await self.users.by_id(person_id)
        return PersonView.of(user) if user is not None else None

    async def memberships_of(self, person_id: int) -> list[MembershipView]:
        """The organisations a person may act for now (suspended and deleted ones left
        out), by name."""
        return [
            MembershipView.of(membership, organisation)
            for membership, organisation in await self.memberships.of_person(person_id)
            if organisation.status == OrganisationStatus.ACTIVE
        ]

    async def membership(self, person_id: int, organisation_id: int) -> MembershipView | None:
        """The person's role in the organisation, if they may act for it now: what a
        portal request checks before it acts (roles change, people are removed,
        organisations are suspended)."""
        found = await self.memberships.with_organisation(person_id, organisation_id)
        if found is None or found[1].status != OrganisationStatus.ACTIVE:
            return None
        return MembershipView.of(*found)

    # -- helpers ---------------------------------------------------------------------

    async def _email_known(self, email: str) -> bool:
        return (
            await self.users.find_by_email(email) is not None
            or await self.organisations.find_by_email(email) is not None
        )

    async def _send_confirmation(self, person: User, now: datetime) -> None:
        token = await self._new_token(person, TokenPurpose.CONFIRM, now)
        message = emails.confirm_email(person.name, self.links.confirm(token))
        await self.outbox.enqueue(person.email, message.subject, message.body, now=now)

    async def _new_token(self, person: User, purpose: TokenPurpose, now: datetime) -> str:
        return await issue_token(self.tokens, person, purpose, now)

    async def _valid_token(
        self, token: str, purposes: tuple[TokenPurpose, ...], now: datetime
    ) -> AccountToken:
        stored = await self.tokens.by_hash(token_hash(token)) if token else None
        if (
            stored is None
            or stored.purpose not in purposes
            or stored.used_at is not None
            or stored.expires_at <= now
        ):
            raise LinkNotValid()
        return stored

    async def _use(self, stored: AccountToken, now: datetime) -> None:
        # Conditional, so of two requests racing with one link only one gets through.
        if not await self.tokens.use(stored.id, now):
            raise LinkNotValid()

    async def _person(self, person_id: int) -> User:
        person = await self.users.by_id(person_id)
        if person is None:
            raise NotFound("no such person")
        return person


async def issue_token(
    tokens: AccountTokenRepository, person: User, purpose: TokenPurpose, now: datetime
) -> str:
    """Store a new emailed-link token for a person; the token for the link."""
    token, hashed = new_token()
    await tokens.add(
        AccountToken(
            token_hash=hashed,
            purpose=purpose,
            user_id=person.id,
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    return token
