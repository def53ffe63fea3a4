"""Legal entities and provider permissions, from the operator and from an employer's
Owner; other employers' legal entities look like missing ones. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from apprenticeships.accounts.acting import OPERATOR, Acting
from apprenticeships.accounts.permissions import (
    LegalEntityPermissions,
    ProviderGrant,
    ProviderPermissionService,
)
from apprenticeships.accounts.service import AccountService, OwnerRef
from apprenticeships.accounts.vocabulary import Permission
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import FieldProblem, Forbidden, InvalidInput, NotFound
from apprenticeships.storage.engine import unit_of_work
from tests.accounts.conftest import NOW, World


async def employer_with_entities(
    world: World, name: str, *entities: str
) -> tuple[int, str, list[str]]:
    organisation_id, public_id = await world.employer(name)
    ids = []
    async with unit_of_work(world.sessions) as session:
        for entity in entities:
            added = await AccountService(session).add_legal_entity(
                OwnerRef(OwnerKind.EMPLOYER, public_id), entity, NOW
            )
            ids.append(added.public_hashed_id)
    return organisation_id, public_id, ids


async def test_an_owner_grants_changes_and_revokes_for_their_legal_entities(world: World) -> None:
    organisation_id, public_id, (first, second) = await employer_with_entities(
        world, "Acme Engineering Ltd", "Acme Ltd", "Acme Aerospace Ltd"
    )
    await world.provider("10000001", "Northfield College")
    await world.provider("10000002", "Aire Valley Training")
    owner = Acting(
        await world.member(OwnerKind.EMPLOYER, public_id, "owner@acme.example", "Owner"),
        organisation_id,
    )
    async with unit_of_work(world.sessions) as session:
        service = ProviderPermissionService(session)
        granted = await service.grant(owner, first.lower(), "10000001", "Recruitment", NOW)
        await service.grant(owner, first, "10000002", "RecruitmentRequiresReview", NOW)
        changed = await service.grant(owner, first, "10000001", "RecruitmentRequiresReview", NOW)
    assert (granted.before, granted.after) == (None, Permission.RECRUITMENT)
    assert (changed.before, changed.after) == (
        Permission.RECRUITMENT,
        Permission.RECRUITMENT_REQUIRES_REVIEW,
    )
    async with world.sessions() as session:
        listed = await ProviderPermissionService(session).legal_entities(owner)
    assert listed == [
        LegalEntityPermissions(second, "Acme Aerospace Ltd", ()),
        LegalEntityPermissions(
            first,
            "Acme Ltd",
            (
                ProviderGrant(
                    "10000002", "Aire Valley Training", Permission.RECRUITMENT_REQUIRES_REVIEW
                ),
                ProviderGrant(
                    "10000001", "Northfield College", Permission.RECRUITMENT_REQUIRES_REVIEW
                ),
            ),
        ),
    ]
    async with unit_of_work(world.sessions) as session:
        revoked = await ProviderPermissionService(session).revoke(owner, first, "10000002", NOW)
    assert (revoked.before, revoked.after) == (Permission.RECRUITMENT_REQUIRES_REVIEW, None)
    async with world.sessions() as session:
        # What the Recruitment API checks sees the change.
        linked = await AccountService(session).legal_entities.linked(OwnerKind.PROVIDER, "10000002")
        assert linked == []
        with pytest.raises(NotFound, match="has no permission"):
            await ProviderPermissionService(session).revoke(owner, first, "10000002", NOW)


async def test_another_employers_legal_entity_looks_missing(world: World) -> None:
    acme_id, acme, _ = await employer_with_entities(world, "Acme Engineering Ltd", "Acme Ltd")
    _, _, (bolts,) = await employer_with_entities(world, "Bolt Logistics", "Bolt Ltd")
    await world.provider()
    owner = Acting(
        await world.member(OwnerKind.EMPLOYER, acme, "owner@acme.example", "Owner"), acme_id
    )
    async with world.sessions() as session:
        service = ProviderPermissionService(session)
        with pytest.raises(NotFound) as other:
            await service.grant(owner, bolts, "10000001", "Recruitment", NOW)
        with pytest.raises(NotFound) as missing:
            await service.grant(owner, "ZZZZZZ", "10000001", "Recruitment", NOW)
    assert str(other.value).replace(bolts, "X") == str(missing.value).replace("ZZZZZZ", "X")


@pytest.mark.parametrize("role", ["Transactor", "Viewer"])
async def test_only_an_employers_owner_manages_permissions(world: World, role: str) -> None:
    acme_id, acme, (entity,) = await employer_with_entities(
        world, "Acme Engineering Ltd", "Acme Ltd"
    )
    await world.provider()
    acting = Acting(await world.member(OwnerKind.EMPLOYER, acme, "pat@acme.example", role), acme_id)
    async with world.sessions() as session:
        service = ProviderPermissionService(session)
        with pytest.raises(Forbidden, match="Owners"):
            await service.legal_entities(acting)
        with pytest.raises(Forbidden):
            await service.grant(acting, entity, "10000001", "Recruitment", NOW)


async def test_a_providers_account_owner_has_no_providers_page(world: World) -> None:
    provider_id = await world.provider()
    acting = Acting(
        await world.member(OwnerKind.PROVIDER, "10000001", "ao@nf.example", "AccountOwner"),
        provider_id,
    )
    async with world.sessions() as session:
        with pytest.raises(Forbidden):
            await ProviderPermissionService(session).legal_entities(acting)


async def test_bad_input_is_reported_by_field(world: World) -> None:
    _, _, (entity,) = await employer_with_entities(world, "Acme Engineering Ltd", "Acme Ltd")
    async with world.sessions() as session:
        with pytest.raises(InvalidInput) as refused:
            await ProviderPermissionService(session).grant(
                OPERATOR, entity, "123", "Everything", NOW
            )
        assert refused.value.problems == (
            FieldProblem(
                "permission", "Select a permission (Recruitment or RecruitmentRequiresReview)"
            ),
            FieldProblem("ukprn", "Enter a UKPRN: 8 digits, starting with 1"),
        )
        with pytest.raises(InvalidInput) as refused:
            await ProviderPermissionService(session).grant(
                OPERATOR, entity, "10000009", "Recruitment", NOW
            )
        assert refused.value.problems == (
            FieldProblem("ukprn", "No training provider has UKPRN 10000009"),
        )
