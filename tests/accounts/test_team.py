"""Teams: invitations, role changes, removal, the last owner, platform admins, and
refusals across organisations and roles; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from apprenticeships.accounts.acting import Acting
from apprenticeships.accounts.service import AccountError, OwnerRef
from apprenticeships.accounts.vocabulary import Role
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import AccountToken, Organisation
from tests.accounts.conftest import NOW, PASSWORD, PUBLIC_URL, World


async def acting_for(world: World, person_id: int, organisation_id: int) -> Acting:
    return Acting(person_id, organisation_id)


async def owner_of_employer(world: World, name: str = "Acme Engineering Ltd") -> Acting:
    organisation_id, public_id = await world.employer(name)
    domain = name.split()[0].lower()
    person_id = await world.member(
        OwnerKind.EMPLOYER, public_id, f"owner@{domain}.example", "Owner"
    )
    return Acting(person_id, organisation_id)


async def test_an_owner_invites_a_new_person_with_a_seven_day_link(world: World) -> None:
    owner = await owner_of_employer(world)
    async with unit_of_work(world.sessions) as session:
        invitation = await world.team(session).invite(
            owner, " Pat@Acme.example ", " Pat  Lee ", "Transactor", NOW
        )
    assert (invitation.email, invitation.role, invitation.invited, invitation.new_person) == (
        "pat@acme.example",
        Role.TRANSACTOR,
        True,
        True,
    )
    [email] = await world.outbox("pat@acme.example")
    token = await world.last_link("pat@acme.example")
    assert f"{PUBLIC_URL}/portal/set-password/{token}" in email.body
    assert "Acme Engineering Ltd" in email.body and "as Transactor" in email.body
    async with world.sessions() as session:
        stored = await session.scalar(
            select(AccountToken).where(AccountToken.user_id == invitation.person_id)
        )
    assert stored is not None
    assert (stored.purpose, stored.expires_at) == ("invite", NOW + timedelta(days=7))
    async with world.sessions() as session:
        team = await world.team(session).team(owner)
    assert [(m.name, m.email, m.role, m.invitation_pending) for m in team] == [
        ("Pat Lee", "pat@acme.example", Role.TRANSACTOR, True),
        ("Sam Jones", "owner@acme.example", Role.OWNER, False),
    ]


async def test_a_person_with_an_account_is_added_and_told_so_without_a_new_link(
    world: World,
) -> None:
    owner = await owner_of_employer(world)
    other = await owner_of_employer(world, "Bolt Logistics")
    async with unit_of_work(world.sessions) as session:
        invitation = await world.team(session).invite(
            other, "owner@acme.example", "ignored", "Viewer", NOW
        )
    assert (invitation.person_id, invitation.invited, invitation.new_person) == (
        owner.person_id,
        False,
        False,
    )
    email = (await world.outbox("owner@acme.example"))[-1]
    assert "/set-password/" not in email.body
    assert f"{PUBLIC_URL}/portal/sign-in" in email.body
    async with world.sessions() as session:
        result = await world.people(session).sign_in(
            "owner@acme.example", PASSWORD, "192.0.2.1", NOW
        )
    assert [m.name for m in result.memberships] == ["Acme Engineering Ltd", "Bolt Logistics"]


async def test_inviting_checks_every_field_by_form_name(world: World) -> None:
    owner = await owner_of_employer(world)
    async with world.sessions() as session:
        with pytest.raises(InvalidInput) as refused:
            await world.team(session).invite(owner, "nope", "", "AccountOwner", NOW)
    assert refused.value.problems == (
        FieldProblem(
            "email", "Enter an email address in the correct format, like name@example.com"
        ),
        FieldProblem("name", "Enter a full name"),
        FieldProblem("role", "Select a role (Owner, Transactor, Viewer for employer accounts)"),
    )
    async with world.sessions() as session:
        with pytest.raises(InvalidInput) as refused:
            await world.team(session).invite(owner, "owner@acme.example", "Sam", "Viewer", NOW)
    assert refused.value.problems == (
        FieldProblem("email", "owner@acme.example is already in the team"),
    )


@pytest.mark.parametrize("role", ["Transactor", "Viewer"])
async def test_only_owners_manage_the_team(world: World, role: str) -> None:
    owner = await owner_of_employer(world)
    person_id = await world.member(
        OwnerKind.EMPLOYER,
        (await organisation(world, owner.organisation_id)).public_id,
        "pat@acme.example",
        role,
    )
    acting = Acting(person_id, owner.organisation_id)
    async with world.sessions() as session:
        team = world.team(session)
        with pytest.raises(Forbidden, match="Only Owners and Account owners"):
            await team.invite(acting, "new@acme.example", "New", "Viewer", NOW)
        with pytest.raises(Forbidden):
            await team.change_role(acting, person_id, "Owner", NOW)
        with pytest.raises(Forbidden):
            await team.remove(acting, owner.person_id, NOW)
        # Everyone in the team may see it.
        assert len(await team.team(acting)) == 2


async def organisation(world: World, organisation_id: int) -> Organisation:
    async with world.sessions() as session:
        found = await session.get(Organisation, organisation_id)
    assert found is not None
    return found


async def test_nobody_acts_for_an_organisation_they_do_not_belong_to(world: World) -> None:
    acme = await owner_of_employer(world)
    bolt = await owner_of_employer(world, "Bolt Logistics")
    pretending = Acting(bolt.person_id, acme.organisation_id)
    async with world.sessions() as session:
        team = world.team(session)
        with pytest.raises(Forbidden):
            await team.team(pretending)
        with pytest.raises(Forbidden):
            await team.invite(pretending, "x@bolt.example", "X", "Owner", NOW)
        # Acting for their own organisation on someone of another looks like nobody.
        with pytest.raises(NotFound):
            await team.change_role(bolt, acme.person_id, "Viewer", NOW)
        with pytest.raises(NotFound):
            await team.remove(bolt, acme.person_id, NOW)


async def test_roles_change_within_the_organisations_own_roles(world: World) -> None:
    owner = await owner_of_employer(world)
    async with unit_of_work(world.sessions) as session:
        pat = await world.team(session).invite(owner, "pat@acme.example", "Pat", "Viewer", NOW)
    async with unit_of_work(world.sessions) as session:
        change = await world.team(session).change_role(owner, pat.person_id, "Transactor", NOW)
    assert (change.old, change.new) == (Role.VIEWER, Role.TRANSACTOR)
    async with world.sessions() as session:
        with pytest.raises(InvalidInput) as refused:
            await world.team(session).change_role(owner, pat.person_id, "Contributor", NOW)
        assert refused.value.problems[0].field == "role"
        membership = await world.people(session).membership(pat.person_id, owner.organisation_id)
    assert membership is not None and membership.role is Role.TRANSACTOR


async def test_the_last_owner_can_be_neither_demoted_nor_removed(world: World) -> None:
    owner = await owner_of_employer(world)
    async with world.sessions() as session:
        team = world.team(session)
        with pytest.raises(Conflict, match="at least one Owner") as demoted:
            await team.change_role(owner, owner.person_id, "Viewer", NOW)
        assert demoted.value.field == "role"
        with pytest.raises(Conflict, match="at least one Owner"):
            await team.remove(owner, owner.person_id, NOW)
    async with unit_of_work(world.sessions) as session:
        second = await world.team(session).invite(owner, "pat@acme.example", "Pat", "Owner", NOW)
    # With two owners, one may go (even themselves); then the other is the last.
    async with unit_of_work(world.sessions) as session:
        removal = await world.team(session).remove(owner, owner.person_id, NOW)
    assert removal.role is Role.OWNER
    pat = Acting(second.person_id, owner.organisation_id)
    async with world.sessions() as session:
        with pytest.raises(Conflict):
            await world.team(session).change_role(pat, pat.person_id, "Transactor", NOW)
        # The removed owner can no longer act for it.
        with pytest.raises(Forbidden):
            await world.team(session).team(owner)


async def test_a_provider_keeps_its_last_account_owner(world: World) -> None:
    organisation_id = await world.provider()
    person_id = await world.member(
        OwnerKind.PROVIDER, "10000001", "ao@northfield.example", "AccountOwner"
    )
    acting = Acting(person_id, organisation_id)
    async with world.sessions() as session:
        with pytest.raises(
            Conflict, match="at least one Account owner: make someone else an Account owner"
        ):
            await world.team(session).change_role(acting, person_id, "Contributor", NOW)


async def test_the_operator_adds_people_to_employers_and_providers(world: World) -> None:
    _, employer = await world.employer()
    await world.provider()
    async with unit_of_work(world.sessions) as session:
        team = world.team(session)
        first = await team.add_person(
            OwnerRef(OwnerKind.EMPLOYER, employer), "a@acme.example", "A", "Owner", NOW
        )
        second = await team.add_person(
            OwnerRef(OwnerKind.PROVIDER, "10000001"), "b@nf.example", "B", "Contributor", NOW
        )
    assert (first.role, second.role) == (Role.OWNER, Role.CONTRIBUTOR)
    async with world.sessions() as session:
        team = world.team(session)
        with pytest.raises(InvalidInput, match="role"):
            await team.add_person(
                OwnerRef(OwnerKind.PROVIDER, "10000001"), "c@nf.example", "C", "Owner", NOW
            )
        with pytest.raises(AccountError, match="no employer"):
            await team.add_person(
                OwnerRef(OwnerKind.EMPLOYER, "ZZZZZZ"), "c@x.example", "C", "Owner", NOW
            )


async def test_platform_admins_are_invited_or_told(world: World) -> None:
    async with unit_of_work(world.sessions) as session:
        new = await world.team(session).add_admin("OPS@example.com", NOW)
    assert (new.email, new.invited) == ("ops@example.com", True)
    assert "/portal/set-password/" in (await world.outbox("ops@example.com"))[-1].body
    owner = await owner_of_employer(world)
    async with unit_of_work(world.sessions) as session:
        existing = await world.team(session).add_admin("owner@acme.example", NOW)
    assert (existing.person_id, existing.invited) == (owner.person_id, False)
    told = (await world.outbox("owner@acme.example"))[-1]
    assert "/set-password/" not in told.body and told.subject.startswith(
        "You have been made a platform admin"
    )
    async with world.sessions() as session:
        with pytest.raises(Conflict, match="already a platform admin"):
            await world.team(session).add_admin("ops@example.com", NOW)
        person = await world.people(session).person(owner.person_id)
    assert person is not None and person.is_platform_admin
