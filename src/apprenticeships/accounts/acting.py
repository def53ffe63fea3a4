"""Who asks: a signed-in person acting for one organisation (the portal), or the
platform's operator (the CLI); and what the services hand back about people."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from apprenticeships.accounts.repository import MembershipRepository, UserRepository
from apprenticeships.accounts.vocabulary import OrganisationStatus, Role
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import Forbidden
from apprenticeships.storage.models import Membership, Organisation, User


@dataclass(frozen=True, slots=True)
class Acting:
    """A signed-in person acting for one organisation. Services check on every call
    that the membership still exists, its organisation is active and its role allows
    the action: nothing the caller kept (a role in a session) is trusted."""

    person_id: int
    organisation_id: int


@dataclass(frozen=True, slots=True)
class Operator:
    """The platform's operator at the CLI, who may act for any organisation."""


OPERATOR = Operator()


@dataclass(frozen=True, slots=True)
class PlatformAdmin:
    """A signed-in platform admin (the portal). Like ``Acting``, checked on every call:
    the person must still be a platform admin."""

    person_id: int


@dataclass(frozen=True, slots=True)
class PersonView:
    id: int
    email: str
    name: str
    is_platform_admin: bool
    email_confirmed_at: datetime | None
    # Sessions that began before this have ended (a password change, a deleted account).
    password_changed_at: datetime | None

    @classmethod
    def of(cls, user: User) -> PersonView:
        return cls(
            user.id,
            user.email,
            user.name,
            user.is_platform_admin,
            user.email_confirmed_at,
            user.password_changed_at,
        )


@dataclass(frozen=True, slots=True)
class MembershipView:
    """An organisation a person may act for, and their role in it."""

    organisation_id: int
    kind: OwnerKind
    # The hashed account id, the UKPRN, or the developer account's UUID.
    public_id: str
    name: str
    role: Role

    @classmethod
    def of(cls, membership: Membership, organisation: Organisation) -> MembershipView:
        return cls(
            organisation.id,
            OwnerKind(organisation.kind),
            organisation.public_id,
            organisation.name,
            Role(membership.role),
        )


async def authorise(
    memberships: MembershipRepository,
    acting: Acting,
    allowed: Callable[[Role], bool],
    refusal: str,
) -> tuple[Membership, Organisation]:
    """The acting person's membership and organisation, if they may still act for it
    (an active organisation) in a role that ``allowed``; otherwise ``Forbidden``."""
    found = await memberships.with_organisation(acting.person_id, acting.organisation_id)
    if (
        found is None
        or found[1].status != OrganisationStatus.ACTIVE
        or not allowed(Role(found[0].role))
    ):
        raise Forbidden(refusal)
    return found


async def authorise_admin(users: UserRepository, admin: PlatformAdmin, refusal: str) -> User:
    """The platform admin, if the person still is one; otherwise ``Forbidden``."""
    person = await users.by_id(admin.person_id)
    if person is None or not person.is_platform_admin:
        raise Forbidden(refusal)
    return person
