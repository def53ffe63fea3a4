"""The Team page over HTTP: invitations that end in a signed-in person, role changes,
removal, the last owner, and refusals (other organisations' people, forged forms)."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from apprenticeships.accounts.vocabulary import Role
from apprenticeships.app import Platform
from apprenticeships.audit.vocabulary import AuditAction
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.storage.models import AuditEvent, Membership, User
from tests.conftest import client_for
from tests.portal.support import (
    Mailbox,
    Person,
    csrf_token,
    error_summary,
    link_in,
    make_person,
    path_of,
    sign_in,
    submit,
)

pytestmark = pytest.mark.asyncio
NEW_PASSWORD = "a long enough passphrase 42"


@pytest.fixture
def mailbox(platform: Platform) -> Mailbox:
    return Mailbox(platform.settings.resolved_mail_dir)


async def employer_owner(platform: Platform, email: str = "olive@acme.example") -> Person:
    return await make_person(
        platform, email, kind=OwnerKind.EMPLOYER, role=Role.OWNER, name="Olive Owner"
    )


async def colleague(platform: Platform, of: Person, email: str, role: Role, name: str) -> Person:
    return await make_person(
        platform, email, kind=OwnerKind.EMPLOYER, role=role, name=name,
        organisation_public_id=of.public_id,
    )  # fmt: skip


async def role_of(platform: Platform, person_id: int, organisation_id: int | None) -> str | None:
    async with platform.sessions() as session:
        role = await session.scalar(
            select(Membership.role).where(
                Membership.user_id == person_id, Membership.organisation_id == organisation_id
            )
        )
    return str(role) if role is not None else None


async def audit_entries(platform: Platform, *actions: AuditAction) -> list[AuditEvent]:
    async with platform.sessions() as session:
        return list(
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.in_([a.value for a in actions]))
                .order_by(AuditEvent.id)
            )
        )


def main(page: httpx.Response) -> str:
    return page.text.split("<main", 1)[1]


TEAM_CHANGES = (AuditAction.INVITATION_SENT, AuditAction.ROLE_CHANGED, AuditAction.PERSON_REMOVED)


async def test_an_owner_invites_a_viewer_who_sets_a_password_and_sees_the_team_only(
    platform: Platform, client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    owner = await employer_owner(platform)
    assert (await sign_in(client, owner)).status_code == 303
    page = await client.get("/portal/team")
    assert page.status_code == 200
    assert "Olive Owner" in page.text and "Send invitation" in page.text
    for label, value in (("Owner", "Owner"), ("Transactor", "Transactor"), ("Viewer", "Viewer")):
        assert re.search(rf'value="{value}"[^>]*>\s*<label[^>]*>\s*{label}\s*</label>', page.text)

    sent = await submit(
        client,
        "/portal/team",
        {"email": " Viv@Acme.example ", "name": "Viv Viewer", "role": "Viewer"},
    )
    assert sent.status_code == 200
    assert "Invitation sent" in sent.text and "viv@acme.example" in sent.text
    listed = await client.get("/portal/team")
    row = listed.text.split("Viv Viewer", 1)[1].split("</tr>", 1)[0]
    assert "Viewer" in row and "Invitation sent" in row
    [entry] = await audit_entries(platform, AuditAction.INVITATION_SENT)
    assert (entry.actor_user_id, entry.organisation_id) == (owner.id, owner.organisation_id)
    assert entry.details == {"person": "viv@acme.example", "role": "Viewer"}
    assert entry.address

    message = await mailbox.next_to("viv@acme.example")
    link = path_of(link_in(message, "/portal/set-password/"))
    async with client_for(platform) as viv:
        assert (await viv.get(link)).status_code == 200
        done = await submit(viv, link, {"password": NEW_PASSWORD})
        assert done.status_code == 200 and "Your password is set" in done.text
        assert (await viv.get(link)).status_code == 404  # single use
        assert (await sign_in(viv, ("viv@acme.example", NEW_PASSWORD))).status_code == 303
        seen = await viv.get("/portal/team")
        assert seen.status_code == 200
        assert "Olive Owner" in seen.text and "Viv Viewer" in seen.text
        assert "Send invitation" not in seen.text
        assert "/role" not in seen.text and "/remove" not in seen.text
        assert 'action="/portal/team"' not in seen.text
        assert "Only Owners can invite people" in seen.text
        # The Viewer's navigation offers the team but not managing keys' neighbours.
        assert 'href="/portal/team"' in seen.text
        assert 'href="/portal/audit"' not in seen.text
    after = await client.get("/portal/team")
    row = after.text.split("Viv Viewer", 1)[1].split("</tr>", 1)[0]
    assert "Invitation sent" not in row


async def test_a_provider_account_owner_offers_the_providers_roles(
    platform: Platform, client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    owner = await make_person(
        platform, "ao@northfield.example", kind=OwnerKind.PROVIDER, role=Role.ACCOUNT_OWNER
    )
    assert (await sign_in(client, owner)).status_code == 303
    page = await client.get("/portal/team")
    for label, value in (
        ("Account owner", "AccountOwner"),
        ("Contributor", "Contributor"),
        ("Viewer", "Viewer"),
    ):
        assert re.search(rf'value="{value}"[^>]*>\s*<label[^>]*>\s*{label}\s*</label>', page.text)
    assert 'value="Owner"' not in page.text
    sent = await submit(
        client,
        "/portal/team",
        {"email": "cal@northfield.example", "name": "Cal", "role": "Contributor"},
    )
    assert sent.status_code == 200
    async with platform.sessions() as session:
        cal = await session.scalar(select(User).where(User.email == "cal@northfield.example"))
    assert cal is not None
    assert await role_of(platform, cal.id, owner.organisation_id) == "Contributor"
    assert "/portal/set-password/" in link_in(
        await mailbox.next_to("cal@northfield.example"), "/portal/set-password/"
    )


async def test_someone_with_an_account_is_added_and_told_to_sign_in(
    platform: Platform, client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    owner = await employer_owner(platform)
    elsewhere = await make_person(
        platform, "sam@bolt.example", kind=OwnerKind.EMPLOYER, role=Role.OWNER, name="Sam"
    )
    assert (await sign_in(client, owner)).status_code == 303
    sent = await submit(
        client, "/portal/team", {"email": elsewhere.email, "name": "Sam", "role": "Transactor"}
    )
    assert sent.status_code == 200 and "already has an account" in sent.text
    told = await mailbox.next_to(elsewhere.email)
    assert "/portal/sign-in" in link_in(told, "/portal/sign-in")
    assert await role_of(platform, elsewhere.id, owner.organisation_id) == "Transactor"
    async with client_for(platform) as sam:
        assert (await sign_in(sam, elsewhere)).headers["location"] == "/portal/organisations"


async def test_an_invitation_with_problems_shows_each_in_the_error_summary(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    owner = await employer_owner(platform)
    assert (await sign_in(client, owner)).status_code == 303
    refused = await submit(client, "/portal/team", {"email": "nope", "name": " ", "role": ""})
    assert refused.status_code == 400
    assert "<title>Error: Team" in refused.text
    assert error_summary(refused) == [
        "Enter an email address in the correct format, like name@example.com",
        "Enter a full name",
        "Select a role",
    ]
    for field in ("email", "name", "role"):
        assert f'href="#{field}"' in refused.text
        assert f'id="{field}"' in refused.text
    # What was typed stays in the form.
    assert 'value="nope"' in refused.text
    forged_role = await submit(
        client, "/portal/team", {"email": "x@acme.example", "name": "X", "role": "AccountOwner"}
    )
    assert forged_role.status_code == 400
    assert error_summary(forged_role) == ["Select a role"]
    again = await submit(
        client, "/portal/team", {"email": owner.email, "name": "Olive", "role": "Owner"}
    )
    assert error_summary(again) == [f"{owner.email} is already in the team"]
    assert await audit_entries(platform, *TEAM_CHANGES) == []


async def test_an_owner_changes_a_role(platform: Platform, client: httpx.AsyncClient) -> None:
    owner = await employer_owner(platform)
    tess = await colleague(platform, owner, "tess@acme.example", Role.TRANSACTOR, "Tess Lee")
    assert (await sign_in(client, owner)).status_code == 303
    team = await client.get("/portal/team")
    link = re.search(
        r'<a class="govuk-link" href="([^"]+)">Change role'
        r'<span class="govuk-visually-hidden"> for Tess Lee</span></a>',
        team.text,
    )
    assert link is not None and link.group(1) == f"/portal/team/{tess.id}/role"
    page = await client.get(link.group(1))
    assert page.status_code == 200
    assert "Change role for Tess Lee" in page.text
    assert re.search(r'value="Transactor"\s+checked', page.text)
    changed = await submit(client, link.group(1), {"role": "Viewer"})
    assert changed.status_code == 303 and changed.headers["location"] == "/portal/team"
    assert await role_of(platform, tess.id, owner.organisation_id) == "Viewer"
    [entry] = await audit_entries(platform, AuditAction.ROLE_CHANGED)
    assert entry.details == {"person": "tess@acme.example", "from": "Transactor", "to": "Viewer"}
    assert entry.actor_email == owner.email
    # Choosing nothing is a form error, and changes nothing.
    blank = await submit(client, link.group(1), {})
    assert blank.status_code == 400 and error_summary(blank) == ["Select a role"]
    assert await role_of(platform, tess.id, owner.organisation_id) == "Viewer"


async def test_an_owner_removes_someone_who_can_then_no_longer_act(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    owner = await employer_owner(platform)
    tess = await colleague(platform, owner, "tess@acme.example", Role.TRANSACTOR, "Tess Lee")
    async with client_for(platform) as tess_browser:
        assert (await sign_in(tess_browser, tess)).status_code == 303
        assert (await tess_browser.get("/portal/team")).status_code == 200
        assert (await sign_in(client, owner)).status_code == 303
        team = await client.get("/portal/team")
        assert (
            f'href="/portal/team/{tess.id}/remove">Remove'
            '<span class="govuk-visually-hidden"> Tess Lee</span>'
        ) in team.text
        confirm = await client.get(f"/portal/team/{tess.id}/remove")
        assert confirm.status_code == 200
        assert "Are you sure you want to remove Tess Lee from the team?" in confirm.text
        removed = await submit(client, f"/portal/team/{tess.id}/remove", {})
        assert removed.status_code == 303 and removed.headers["location"] == "/portal/team"
        assert await role_of(platform, tess.id, owner.organisation_id) is None
        assert "Tess Lee" not in (await client.get("/portal/team")).text
        # Her session acts for nothing now: the next page sends her to sign in.
        gone = await tess_browser.get("/portal/team")
        assert gone.status_code == 303 and gone.headers["location"] == "/portal/sign-in"
    [entry] = await audit_entries(platform, AuditAction.PERSON_REMOVED)
    assert entry.details == {"person": "tess@acme.example", "role": "Transactor"}
    assert entry.organisation_id == owner.organisation_id


async def test_the_last_owner_can_be_neither_demoted_nor_removed(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    owner = await employer_owner(platform)
    assert (await sign_in(client, owner)).status_code == 303
    demoted = await submit(client, f"/portal/team/{owner.id}/role", {"role": "Viewer"})
    assert demoted.status_code == 400
    assert error_summary(demoted) == [
        "There must be at least one Owner: make someone else an Owner first"
    ]
    assert 'href="#role"' in demoted.text
    removed = await submit(client, f"/portal/team/{owner.id}/remove", {})
    assert removed.status_code == 400
    assert error_summary(removed) == [
        "There must be at least one Owner: make someone else an Owner first"
    ]
    assert await role_of(platform, owner.id, owner.organisation_id) == "Owner"
    # With a second Owner, the first may step down.
    await colleague(platform, owner, "oscar@acme.example", Role.OWNER, "Oscar")
    stepped = await submit(client, f"/portal/team/{owner.id}/role", {"role": "Viewer"})
    assert stepped.status_code == 303
    assert await role_of(platform, owner.id, owner.organisation_id) == "Viewer"
    # ... and now only sees the team.
    assert "Send invitation" not in (await client.get("/portal/team")).text
    assert (await client.get(f"/portal/team/{owner.id}/role")).status_code == 404
    assert [e.action for e in await audit_entries(platform, *TEAM_CHANGES)] == ["role_changed"]


async def test_another_organisations_person_is_not_found_and_nothing_changes(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    owner = await employer_owner(platform)
    stranger = await make_person(
        platform, "sam@bolt.example", kind=OwnerKind.EMPLOYER, role=Role.TRANSACTOR, name="Sam"
    )
    assert (await sign_in(client, owner)).status_code == 303
    token = csrf_token((await client.get("/portal/team")).text)
    for path in (f"/portal/team/{stranger.id}/role", f"/portal/team/{stranger.id}/remove"):
        page = await client.get(path)
        assert page.status_code == 404 and "Page not found" in page.text
        posted = await client.post(path, data={"role": "Viewer", "csrf_token": token})
        assert posted.status_code == 404
        assert "Sam" not in main(posted)
    assert (await client.get("/portal/team/999999/role")).status_code == 404
    assert (await client.get("/portal/team/abc/role")).status_code == 404
    assert await role_of(platform, stranger.id, stranger.organisation_id) == "Transactor"
    assert await audit_entries(platform, *TEAM_CHANGES) == []


@pytest.mark.parametrize("role", [Role.VIEWER, Role.TRANSACTOR])
async def test_forged_forms_from_other_roles_are_refused_and_change_nothing(
    platform: Platform, client: httpx.AsyncClient, role: Role
) -> None:
    owner = await employer_owner(platform)
    viewer = await colleague(platform, owner, "viv@acme.example", role, "Viv")
    assert (await sign_in(client, viewer)).status_code == 303
    # A valid token, from a page the person may see.
    token = csrf_token((await client.get("/portal/team")).text)
    invite = await client.post(
        "/portal/team",
        data={"email": "new@acme.example", "name": "New", "role": "Owner", "csrf_token": token},
    )
    assert invite.status_code == 403
    assert "Only Owners and Account owners can manage the team" in invite.text
    promote = await client.post(
        f"/portal/team/{viewer.id}/role", data={"role": "Owner", "csrf_token": token}
    )
    assert promote.status_code == 404
    remove = await client.post(f"/portal/team/{owner.id}/remove", data={"csrf_token": token})
    assert remove.status_code == 404
    assert (await client.get(f"/portal/team/{owner.id}/role")).status_code == 404
    async with platform.sessions() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(User).where(User.email == "new@acme.example")
            )
            == 0
        )
    assert await role_of(platform, viewer.id, owner.organisation_id) == role.value
    assert await role_of(platform, owner.id, owner.organisation_id) == "Owner"
    assert await audit_entries(platform, *TEAM_CHANGES) == []


async def test_a_post_without_the_csrf_token_changes_nothing(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    owner = await employer_owner(platform)
    tess = await colleague(platform, owner, "tess@acme.example", Role.TRANSACTOR, "Tess Lee")
    assert (await sign_in(client, owner)).status_code == 303
    forged = await client.post(f"/portal/team/{tess.id}/remove", data={})
    assert forged.status_code == 403
    assert await role_of(platform, tess.id, owner.organisation_id) == "Transactor"


async def test_a_developer_account_has_no_team_page(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    developer = await make_person(
        platform, "dev@example.com", kind=OwnerKind.DEVELOPER, role=Role.DEVELOPER
    )
    assert (await sign_in(client, developer)).status_code == 303
    assert (await client.get("/portal/team")).status_code == 404
    assert 'href="/portal/team"' not in (await client.get("/portal/account")).text
    async with client_for(platform) as stranger:
        anonymous = await stranger.get("/portal/team")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/portal/sign-in"
