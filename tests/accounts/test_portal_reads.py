"""What the portal's Team and Training providers pages read and change through the
accounts services, beyond what the CLI uses: one team member, who a role change or
removal was about, the permission a provider holds, changing only an existing one, and
every problem of a grant at once. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from apprenticeships.accounts.acting import OPERATOR, Acting
from apprenticeships.accounts.permissions import HeldPermission, ProviderPermissionService
from apprenticeships.accounts.service import AccountService, OwnerRef
from apprenticeships.accounts.vocabulary import Permission, Role
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import FieldProblem, Forbidden, InvalidInput, NotFound
from apprenticeships.storage.engine import unit_of_work
from tests.accounts.conftest import NOW, World


async def employer_owner(world: World, name: str, email: str) -> tuple[Acting, str]:
    organisation_id, public_id = await world.employer(name)
    person_id = await world.member(OwnerKind.EMPLOYER, public_id, email, "Owner")
    return Acting(person_id, organisation_id), public_id


async def legal_entity(world: World, employer: str, name: str) -> str:
    async with unit_of_work(world.sessions) as session:
        entity = await AccountService(session).add_legal_entity(
            OwnerRef(OwnerKind.EMPLOYER, employer), name, NOW
        )
        return entity.public_hashed_id


async def test_one_member_is_read_only_within_the_organisation(world: World) -> None:
    owner, acme = await employer_owner(world, "Acme Engineering Ltd", "owner@acme.example")
    pat = await world.member(
        OwnerKind.EMPLOYER, acme, "pat@acme.example", "Viewer", password=None, name="Pat Lee"
    )
    bolt, _ = await employer_owner(world, "Bolt Logistics", "owner@bolt.example")
    async with world.sessions() as session:
        team = world.team(session)
        member = await team.member(owner, pat)
        assert (member.name, member.email, member.role, member.invitation_pending) == (
            "Pat Lee",
            "pat@acme.example",
            Role.VIEWER,
            True,
        )
        # Any member may read it; someone of another organisation looks like nobody.
        assert (await team.member(Acting(pat, owner.organisation_id), owner.person_id)).role is (
            Role.OWNER
        )
        with pytest.raises(NotFound):
            await team.member(bolt, pat)
        with pytest.raises(NotFound):
            await team.member(owner, 987654)
        with pytest.raises(Forbidden):
            await team.member(Acting(bolt.person_id, owner.organisation_id), pat)


async def test_role_changes_and_removals_name_the_person(world: World) -> None:
    owner, acme = await employer_owner(world, "Acme Engineering Ltd", "owner@acme.example")
    pat = await world.member(OwnerKind.EMPLOYER, acme, "pat@acme.example", "Viewer")
    async with unit_of_work(world.sessions) as session:
        change = await world.team(session).change_role(owner, pat, "Transactor", NOW)
    assert (change.email, change.old, change.new) == (
        "pat@acme.example",
        Role.VIEWER,
        Role.TRANSACTOR,
    )
    async with unit_of_work(world.sessions) as session:
        removal = await world.team(session).remove(owner, pat, NOW)
    assert (removal.email, removal.role) == ("pat@acme.example", Role.TRANSACTOR)


async def test_the_permission_a_provider_holds_is_read_and_changed_but_never_made(
    world: World,
) -> None:
    owner, acme = await employer_owner(world, "Acme Engineering Ltd", "owner@acme.example")
    entity = await legal_entity(world, acme, "Acme Ltd")
    await world.provider("10000001", "Northfield College")
    await world.provider("10000002", "Aire Valley Training")
    async with unit_of_work(world.sessions) as session:
        granted = await ProviderPermissionService(session).grant(
            owner, entity, "10000001", "Recruitment", NOW
        )
    assert (granted.legal_entity_name, granted.provider_name) == ("Acme Ltd", "Northfield College")
    async with world.sessions() as session:
        held = await ProviderPermissionService(session).held(owner, entity.lower(), "10000001")
    assert held == HeldPermission(
        entity, "Acme Ltd", "10000001", "Northfield College", Permission.RECRUITMENT
    )
    async with unit_of_work(world.sessions) as session:
        service = ProviderPermissionService(session)
        changed = await service.change(owner, entity, "10000001", "RecruitmentRequiresReview", NOW)
        assert (changed.before, changed.after) == (
            Permission.RECRUITMENT,
            Permission.RECRUITMENT_REQUIRES_REVIEW,
        )
    async with world.sessions() as session:
        service = ProviderPermissionService(session)
        # Changing what a provider does not hold makes nothing.
        with pytest.raises(NotFound, match="has no permission"):
            await service.change(owner, entity, "10000002", "Recruitment", NOW)
        with pytest.raises(NotFound):
            await service.held(owner, entity, "10000002")
        with pytest.raises(InvalidInput) as refused:
            await service.change(owner, entity, "10000001", "Everything", NOW)
        assert [p.field for p in refused.value.problems] == ["permission"]
        assert (await service.held(OPERATOR, entity, "10000001")).permission is (
            Permission.RECRUITMENT_REQUIRES_REVIEW
        )


async def test_another_employers_permission_is_not_found(world: World) -> None:
    owner, _ = await employer_owner(world, "Acme Engineering Ltd", "owner@acme.example")
    _, bolt = await employer_owner(world, "Bolt Logistics", "owner@bolt.example")
    entity = await legal_entity(world, bolt, "Bolt Ltd")
    await world.provider("10000001", "Northfield College")
    async with unit_of_work(world.sessions) as session:
        await ProviderPermissionService(session).grant(
            OPERATOR, entity, "10000001", "Recruitment", NOW
        )
    async with world.sessions() as session:
        service = ProviderPermissionService(session)
        with pytest.raises(NotFound):
            await service.held(owner, entity, "10000001")
        with pytest.raises(NotFound):
            await service.change(owner, entity, "10000001", "RecruitmentRequiresReview", NOW)


async def test_a_grant_without_a_legal_entity_reports_every_problem(world: World) -> None:
    owner, acme = await employer_owner(world, "Acme Engineering Ltd", "owner@acme.example")
    async with world.sessions() as session:
        with pytest.raises(InvalidInput) as refused:
            await ProviderPermissionService(session).grant(owner, " ", "12", "", NOW)
    assert refused.value.problems == (
        FieldProblem("legal_entity", "Select a legal entity"),
        FieldProblem(
            "permission", "Select a permission (Recruitment or RecruitmentRequiresReview)"
        ),
        FieldProblem("ukprn", "Enter a UKPRN: 8 digits, starting with 1"),
    )
    viewer = Acting(
        await world.member(OwnerKind.EMPLOYER, acme, "pat@acme.example", "Viewer"),
        owner.organisation_id,
    )
    async with world.sessions() as session:
        # Someone who may not manage permissions is refused before anything is checked.
        with pytest.raises(Forbidden):
            await ProviderPermissionService(session).grant(viewer, "", "12", "", NOW)
