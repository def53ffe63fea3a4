"""Who an OpenID Connect sign-in lets in: organisation, role and person from the
validated claims, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from apprenticeships.accounts.oidc import OidcClaims, OidcFailed, OidcRefusal
from apprenticeships.accounts.oidc_people import OidcPeopleService
from apprenticeships.accounts.vocabulary import OrganisationStatus, Role
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import Membership, Organisation, User
from tests.accounts.conftest import NOW, World

pytestmark = pytest.mark.asyncio

CLAIMS = OidcClaims(
    issuer="https://login.quillfeather.example",
    subject="248289761001",
    email="Jo.Bloggs@Quillfeather.example",
    email_verified=True,
    name="  Jo   Bloggs ",
    organisation=None,
    role="Owner",
)


async def admit(world: World, claims: OidcClaims):  # type: ignore[no-untyped-def]
    async with unit_of_work(world.sessions) as session:
        return await OidcPeopleService(session).admit(claims, NOW)


async def refused(world: World, claims: OidcClaims) -> OidcFailed:
    with pytest.raises(OidcFailed) as failure:
        await admit(world, claims)
    return failure.value


async def people_and_memberships(world: World) -> tuple[int, int]:
    async with world.sessions() as session:
        people = await session.scalar(select(func.count()).select_from(User))
        memberships = await session.scalar(select(func.count()).select_from(Membership))
    return int(people or 0), int(memberships or 0)


async def test_a_new_person_is_created_confirmed_without_a_password(world: World) -> None:
    organisation_id, hashed_id = await world.employer()
    # The hashed id in any case, as an identity provider's admin might type it.
    admitted = await admit(world, replace(CLAIMS, organisation=f"employer:{hashed_id.lower()}"))

    assert admitted.organisation_id == organisation_id
    assert admitted.role is Role.OWNER
    assert admitted.new_person and admitted.previous_role is None
    assert admitted.email == "jo.bloggs@quillfeather.example"
    async with world.sessions() as session:
        person = await session.get(User, admitted.person_id)
        membership = await session.scalar(
            select(Membership).where(Membership.user_id == admitted.person_id)
        )
    assert person is not None and membership is not None
    assert person.name == "Jo Bloggs"
    assert person.email_confirmed_at == NOW
    assert person.password_hash is None and not person.is_platform_admin
    assert (membership.organisation_id, membership.role) == (organisation_id, "Owner")


async def test_an_existing_person_keeps_their_account_and_gets_the_claimed_role(
    world: World,
) -> None:
    organisation_id = await world.provider("10000001")
    person_id = await world.member(
        OwnerKind.PROVIDER, "10000001", "jo.bloggs@quillfeather.example", "Viewer",
        password=None,
    )  # fmt: skip
    claims = replace(CLAIMS, organisation="provider:10000001", role="Contributor")

    admitted = await admit(world, claims)

    assert admitted.person_id == person_id and not admitted.new_person
    assert (admitted.previous_role, admitted.role) == (Role.VIEWER, Role.CONTRIBUTOR)
    async with world.sessions() as session:
        person = await session.get(User, person_id)
        roles = list(
            await session.scalars(select(Membership.role).where(Membership.user_id == person_id))
        )
    assert person is not None and person.email_confirmed_at == NOW  # was an open invitation
    assert person.name == "Sam Jones"  # the name we know is kept
    assert roles == ["Contributor"]
    # Signing in again changes nothing.
    again = await admit(world, claims)
    assert again.previous_role is again.role is Role.CONTRIBUTOR
    assert await people_and_memberships(world) == (1, 1)
    assert organisation_id == admitted.organisation_id


# Each refused on one database (a refusal writes nothing, so they cannot interfere).
REFUSALS: list[tuple[dict[str, object], OidcRefusal]] = [
    ({"email": ""}, OidcRefusal.EMAIL),
    ({"email": "not an email"}, OidcRefusal.EMAIL),
    ({"email_verified": False}, OidcRefusal.EMAIL),
    ({"organisation": None}, OidcRefusal.ORGANISATION),
    ({"organisation": "employer:ZZZZZZ"}, OidcRefusal.ORGANISATION),
    ({"organisation": "provider:ACME01"}, OidcRefusal.ORGANISATION),
    ({"organisation": "developer:ACME01"}, OidcRefusal.ORGANISATION),
    ({"organisation": "ACME01"}, OidcRefusal.ORGANISATION),
    ({"role": "AccountOwner"}, OidcRefusal.ROLE),
    ({"role": "Developer"}, OidcRefusal.ROLE),
    ({"role": "owner"}, OidcRefusal.ROLE),
    ({"role": None}, OidcRefusal.ROLE),
]


async def test_claims_that_do_not_fit_are_refused_and_write_nothing(world: World) -> None:
    _, hashed_id = await world.employer()
    claims = replace(CLAIMS, organisation=f"employer:{hashed_id}")
    for changes, reason in REFUSALS:
        failure = await refused(world, replace(claims, **changes))  # type: ignore[arg-type]
        assert failure.reason is reason, changes
    assert await people_and_memberships(world) == (0, 0)


async def test_a_suspended_organisation_is_refused_and_named_for_the_audit_log(
    world: World,
) -> None:
    organisation_id, hashed_id = await world.employer()
    async with unit_of_work(world.sessions) as session:
        organisation = await session.get(Organisation, organisation_id)
        assert organisation is not None
        organisation.status = OrganisationStatus.SUSPENDED
    failure = await refused(world, replace(CLAIMS, organisation=f"employer:{hashed_id}"))
    assert failure.reason is OidcRefusal.SUSPENDED
    assert failure.organisation_id == organisation_id
    assert failure.email == "jo.bloggs@quillfeather.example"
    assert await people_and_memberships(world) == (0, 0)
