"""The Training providers page over HTTP: an employer's Owner gives, changes and removes
providers' permissions for their legal entities, as the database and the Recruitment API
see them; other employers' legal entities and other roles are refused."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from apprenticeships.accounts.vocabulary import Role
from apprenticeships.app import Platform
from apprenticeships.audit.vocabulary import AuditAction
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.storage.models import (
    AuditEvent,
    LegalEntity,
    Organisation,
    ProviderPermission,
)
from tests import builders
from tests.portal.support import Person, csrf_token, error_summary, make_person, sign_in, submit

pytestmark = pytest.mark.asyncio
PERMISSION_CHANGES = (
    AuditAction.PERMISSION_GRANTED,
    AuditAction.PERMISSION_CHANGED,
    AuditAction.PERMISSION_REVOKED,
)


async def employer_owner(platform: Platform, *entities: str) -> tuple[Person, list[str]]:
    owner = await make_person(
        platform, "olive@acme.example", kind=OwnerKind.EMPLOYER, role=Role.OWNER,
        name="Olive Owner",
    )  # fmt: skip
    assert owner.public_id is not None
    ids = [
        await builders.create_legal_entity(platform.sessions, owner.public_id, name)
        for name in entities
    ]
    return owner, ids


async def permissions(platform: Platform) -> set[tuple[str, str, str]]:
    """(legal entity, UKPRN, permission) of every permission stored."""
    async with platform.sessions() as session:
        rows = await session.execute(
            select(
                LegalEntity.public_hashed_id, Organisation.public_id, ProviderPermission.permission
            )
            .join(LegalEntity, ProviderPermission.legal_entity_id == LegalEntity.id)
            .join(Organisation, ProviderPermission.provider_id == Organisation.id)
        )
        return {(entity, ukprn, str(permission)) for entity, ukprn, permission in rows}


async def audit_entries(platform: Platform) -> list[AuditEvent]:
    async with platform.sessions() as session:
        return list(
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.in_([a.value for a in PERMISSION_CHANGES]))
                .order_by(AuditEvent.id)
            )
        )


async def recruitable(platform: Platform, client: httpx.AsyncClient, key: str) -> list[str]:
    """The legal entities a Recruitment API key may create adverts for."""
    answer = await client.get(
        "/managevacancies/accountlegalentities",
        headers={"Ocp-Apim-Subscription-Key": key, "X-Version": "1"},
    )
    assert answer.status_code == 200, answer.text
    return [
        entity["accountLegalEntityPublicHashedId"]
        for entity in answer.json()["accountLegalEntities"]
    ]


async def test_an_owner_gives_changes_and_removes_a_providers_permission(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    owner, (acme, aero) = await employer_owner(platform, "Acme Ltd", "Acme Aerospace Ltd")
    ukprn = await builders.create_provider(platform.sessions, "10000001", "Northfield College")
    key = (
        await builders.issue_key(
            platform.sessions, platform.secret_key, f"provider:{ukprn}", "recruitment"
        )
    ).secret
    assert await recruitable(platform, client, key) == []
    assert (await sign_in(client, owner)).status_code == 303

    page = await client.get("/portal/providers")
    assert page.status_code == 200
    assert "Acme Ltd" in page.text and "Acme Aerospace Ltd" in page.text
    assert "No training provider may recruit for Acme Ltd" in page.text
    assert re.search(
        r'value="Recruitment"[^>]*>\s*<label[^>]*>\s*Recruitment\s*</label>', page.text
    )
    assert re.search(
        r'value="RecruitmentRequiresReview"[^>]*>\s*<label[^>]*>\s*'
        r"Recruitment, with your review\s*</label>",
        page.text,
    )

    granted = await submit(
        client,
        "/portal/providers",
        {"ukprn": " 10000001 ", "legal_entity": acme.lower(), "permission": "Recruitment"},
    )
    assert granted.status_code == 303 and granted.headers["location"] == "/portal/providers"
    assert await permissions(platform) == {(acme, "10000001", "Recruitment")}
    assert await recruitable(platform, client, key) == [acme]
    listed = await client.get("/portal/providers")
    row = listed.text.split("Northfield College", 1)[1].split("</tr>", 1)[0]
    assert "10000001" in row and ">Recruitment<" in row
    assert (
        f'href="/portal/providers/{acme}/10000001/change">Change permission'
        '<span class="govuk-visually-hidden"> of Northfield College for Acme Ltd</span>'
    ) in listed.text

    change_path = f"/portal/providers/{acme}/10000001/change"
    change_page = await client.get(change_path)
    assert change_page.status_code == 200
    assert "Change what Northfield College may do for Acme Ltd" in change_page.text
    assert re.search(r'value="Recruitment"\s+checked', change_page.text)
    changed = await submit(client, change_path, {"permission": "RecruitmentRequiresReview"})
    assert changed.status_code == 303
    assert await permissions(platform) == {(acme, "10000001", "RecruitmentRequiresReview")}
    # Review or not, the provider may still recruit for the legal entity.
    assert await recruitable(platform, client, key) == [acme]
    assert "Recruitment, with your review" in (await client.get("/portal/providers")).text

    remove_path = f"/portal/providers/{acme}/10000001/remove"
    confirm = await client.get(remove_path)
    assert confirm.status_code == 200
    assert "Are you sure you want to stop Northfield College recruiting for Acme Ltd?" in (
        confirm.text
    )
    removed = await submit(client, remove_path, {})
    assert removed.status_code == 303
    assert await permissions(platform) == set()
    assert await recruitable(platform, client, key) == []
    assert (await client.get(change_path)).status_code == 404

    entries = await audit_entries(platform)
    assert [(e.action, e.actor_user_id, e.organisation_id) for e in entries] == [
        ("permission_granted", owner.id, owner.organisation_id),
        ("permission_changed", owner.id, owner.organisation_id),
        ("permission_revoked", owner.id, owner.organisation_id),
    ]
    assert entries[1].details == {
        "legal entity": f"Acme Ltd ({acme})",
        "training provider": "Northfield College (10000001)",
        "was": "Recruitment",
        "now": "Recruitment, with your review",
    }
    assert aero not in {entity for entity, _, _ in await permissions(platform)}


async def test_problems_with_a_grant_are_shown_in_the_page_order(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    owner, (acme, _) = await employer_owner(platform, "Acme Ltd", "Acme Aerospace Ltd")
    assert (await sign_in(client, owner)).status_code == 303
    blank = await submit(client, "/portal/providers", {})
    assert blank.status_code == 400
    assert "<title>Error: Training providers" in blank.text
    assert error_summary(blank) == [
        "Enter a UKPRN: 8 digits, starting with 1",
        "Select a legal entity",
        "Select what the training provider may do",
    ]
    for field in ("ukprn", "legal_entity", "permission"):
        assert f'href="#{field}"' in blank.text and f'id="{field}"' in blank.text
    unknown = await submit(
        client,
        "/portal/providers",
        {"ukprn": "10009999", "legal_entity": acme, "permission": "Recruitment"},
    )
    assert unknown.status_code == 400
    assert error_summary(unknown) == ["No training provider has UKPRN 10009999"]
    # The choices made stay chosen.
    assert re.search(rf'value="{acme}"\s+checked', unknown.text)
    assert await permissions(platform) == set()
    assert await audit_entries(platform) == []


async def test_another_employers_legal_entity_is_not_found_and_nothing_changes(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    owner, (acme,) = await employer_owner(platform, "Acme Ltd")
    other = await builders.create_employer(platform.sessions, "Bolt Logistics")
    bolt = await builders.create_legal_entity(platform.sessions, other, "Bolt Ltd")
    await builders.create_provider(platform.sessions, "10000001", "Northfield College")
    await builders.grant_permission(platform.sessions, "10000001", bolt, "Recruitment")
    assert (await sign_in(client, owner)).status_code == 303
    token = csrf_token((await client.get("/portal/providers")).text)
    forged = await client.post(
        "/portal/providers",
        data={
            "ukprn": "10000001",
            "legal_entity": bolt,
            "permission": "RecruitmentRequiresReview",
            "csrf_token": token,
        },
    )
    assert forged.status_code == 404
    for action in ("change", "remove"):
        path = f"/portal/providers/{bolt}/10000001/{action}"
        assert (await client.get(path)).status_code == 404
        posted = await client.post(
            path, data={"permission": "RecruitmentRequiresReview", "csrf_token": token}
        )
        assert posted.status_code == 404
        assert "Bolt" not in posted.text.split("<main", 1)[1]
    # A provider without a permission for one's own legal entity is not found either.
    assert (await client.get(f"/portal/providers/{acme}/10000001/change")).status_code == 404
    for action in ("change", "remove"):
        assert (await client.get(f"/portal/providers/{acme}/nope/{action}")).status_code == 404
        assert (await client.get(f"/portal/providers/NOPE00/10000001/{action}")).status_code == 404
    assert await permissions(platform) == {(bolt, "10000001", "Recruitment")}
    assert await audit_entries(platform) == []


@pytest.mark.parametrize("role", [Role.TRANSACTOR, Role.VIEWER])
async def test_other_roles_have_no_providers_page_and_their_forms_change_nothing(
    platform: Platform, client: httpx.AsyncClient, role: Role
) -> None:
    owner, (acme,) = await employer_owner(platform, "Acme Ltd")
    await builders.create_provider(platform.sessions, "10000001", "Northfield College")
    await builders.grant_permission(platform.sessions, "10000001", acme, "Recruitment")
    person = await make_person(
        platform, "tess@acme.example", kind=OwnerKind.EMPLOYER, role=role,
        organisation_public_id=owner.public_id,
    )  # fmt: skip
    assert (await sign_in(client, person)).status_code == 303
    assert (await client.get("/portal/providers")).status_code == 404
    token = csrf_token((await client.get("/portal/team")).text)
    assert 'href="/portal/providers"' not in (await client.get("/portal/team")).text
    grant = await client.post(
        "/portal/providers",
        data={"ukprn": "10000001", "legal_entity": acme, "permission": "x", "csrf_token": token},
    )
    assert grant.status_code == 404
    remove = await client.post(
        f"/portal/providers/{acme}/10000001/remove", data={"csrf_token": token}
    )
    assert remove.status_code == 404
    assert await permissions(platform) == {(acme, "10000001", "Recruitment")}
    assert await audit_entries(platform) == []


async def test_a_training_provider_has_no_providers_page(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    provider = await make_person(
        platform, "ao@northfield.example", kind=OwnerKind.PROVIDER, role=Role.ACCOUNT_OWNER
    )
    assert (await sign_in(client, provider)).status_code == 303
    assert (await client.get("/portal/providers")).status_code == 404


async def test_an_employer_without_legal_entities_is_told_so(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    owner, _ = await employer_owner(platform)
    assert (await sign_in(client, owner)).status_code == 303
    page = await client.get("/portal/providers")
    assert page.status_code == 200
    assert "Your organisation has no legal entities yet" in page.text
    assert "Give permission" not in page.text
