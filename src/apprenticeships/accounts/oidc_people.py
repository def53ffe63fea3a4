"""Who a validated OpenID Connect sign-in lets in, and as what.

The identity provider is the source of truth for the people who sign in through it:
its organisation claim names the organisation (``employer:<hashed id>`` or
``provider:<ukprn>``, which must already exist here and be active), its role claim the
person's role there (a role of that kind of organisation, by the CLI's name), and its
verified email the person (found by email, or created, confirmed and without a
password). Their membership of that organisation is created, or its role set to the
claimed one, on every sign-in.

``admit`` takes the caller's session and never commits; every check comes before the
first write, so a refusal has written nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.fields import clean_name, email_problem, normalise_email, parse_role
from apprenticeships.accounts.oidc import OidcClaims, OidcFailed, OidcRefusal
from apprenticeships.accounts.repository import (
    MembershipRepository,
    OrganisationRepository,
    UserRepository,
)
from apprenticeships.accounts.vocabulary import OrganisationStatus, Role
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import FieldProblem
from apprenticeships.storage.models import Membership, User

# The kinds of organisation whose people sign in through their identity provider.
FEDERATED_KINDS = {
    OwnerKind.EMPLOYER.value: OwnerKind.EMPLOYER,
    OwnerKind.PROVIDER.value: OwnerKind.PROVIDER,
}
MAX_NAME = 255


@dataclass(frozen=True, slots=True)
class OidcAdmission:
    person_id: int
    email: str
    organisation_id: int
    role: Role
    # The person was created by this sign-in.
    new_person: bool
    # The role they held before (None: the membership is new); equal to ``role`` when
    # nothing changed.
    previous_role: Role | None


class OidcPeopleService:
    def __init__(self, session: AsyncSession) -> None:
        self.users = UserRepository(session)
        self.organisations = OrganisationRepository(session)
        self.memberships = MembershipRepository(session)

    async def admit(self, claims: OidcClaims, now: datetime) -> OidcAdmission:
        """The person the claims name, as a member of the claimed organisation in the
        claimed role; ``OidcFailed`` if the claims do not allow that."""
        email = normalise_email(claims.email)
        if not email or email_problem(email) is not None:
            raise OidcFailed(OidcRefusal.EMAIL, "the ID token has no usable email claim")
        if not claims.email_verified:
            raise OidcFailed(
                OidcRefusal.EMAIL, "the provider has not verified the email", email=email
            )
        kind_text, _, public_id = (claims.organisation or "").partition(":")
        kind = FEDERATED_KINDS.get(kind_text.strip().lower())
        public_id = public_id.strip().upper() if kind is OwnerKind.EMPLOYER else public_id.strip()
        organisation = (
            await self.organisations.find(kind, public_id)
            if kind is not None and public_id
            else None
        )
        if organisation is None:
            raise OidcFailed(
                OidcRefusal.ORGANISATION,
                f"the organisation claim {(claims.organisation or '')[:80]!r} names no organisation",
                email=email,
            )
        if organisation.status != OrganisationStatus.ACTIVE:
            raise OidcFailed(
                OidcRefusal.SUSPENDED,
                f"the organisation is {organisation.status}",
                email=email,
                organisation_id=organisation.id,
            )
        role = parse_role(claims.role or "", OwnerKind(organisation.kind))
        if isinstance(role, FieldProblem):
            raise OidcFailed(
                OidcRefusal.ROLE,
                f"the role claim {(claims.role or '')[:40]!r} is not a {organisation.kind} role",
                email=email,
                organisation_id=organisation.id,
            )

        person = await self.users.find_by_email(email)
        new_person = person is None
        if person is None:
            person = await self.users.add(
                User(
                    email=email,
                    name=clean_name(claims.name)[:MAX_NAME] or email,
                    is_platform_admin=False,
                    created_at=now,
                    email_confirmed_at=now,
                )
            )
        elif person.email_confirmed_at is None:
            # The provider verified the address, which is what confirming it shows.
            person.email_confirmed_at = now
            await self.users.save()
        membership = await self.memberships.find(person.id, organisation.id)
        previous = Role(membership.role) if membership is not None else None
        if membership is None:
            await self.memberships.add(
                Membership(
                    user_id=person.id, organisation_id=organisation.id, role=role, created_at=now
                )
            )
        elif previous is not role:
            membership.role = role
            await self.memberships.save()
        return OidcAdmission(person.id, email, organisation.id, role, new_person, previous)
