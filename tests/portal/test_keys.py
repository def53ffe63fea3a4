"""The API list and the key pages over HTTP: getting, rotating, deleting and stopping
keys, and calling the APIs with them; who may do what; audit entries and owners' emails."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from apprenticeships.accounts.vocabulary import Role
from apprenticeships.app import Platform
from apprenticeships.audit.vocabulary import AuditAction
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.storage.models import ApiKey, AuditEvent
from tests import builders
from tests.conftest import PlatformFactory, client_for
from tests.portal.support import Mailbox, Person, csrf_token, make_person, sign_in, submit

pytestmark = pytest.mark.asyncio

ROUTES = "/vacancies/referencedata/courses/routes"
_API_KEY = re.compile(r'<code id="api-key">([^<]+)</code>')


def api(key: str) -> dict[str, str]:
    return {"Ocp-Apim-Subscription-Key": key, "X-Version": "2"}


def shown_key(page: httpx.Response) -> str:
    assert page.status_code == 200, page.text
    found = _API_KEY.findall(page.text)
    assert len(found) == 1, "the key is shown once, in #api-key"
    return html.unescape(found[0])


def main(page: httpx.Response) -> str:
    return page.text.split("<main", 1)[1].split("</main>", 1)[0]


def error_summary(page: httpx.Response) -> str:
    return page.text.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]


async def get_key(client: httpx.AsyncClient, reference: str, name: str) -> httpx.Response:
    return await submit(client, f"/portal/apis/{reference}/keys/new", {"name": name})


async def key_ids(platform: Platform, name: str) -> list[str]:
    """The ids of the keys called ``name``, oldest first."""
    async with platform.sessions() as session:
        return list(
            await session.scalars(
                select(ApiKey.id).where(ApiKey.name == name).order_by(ApiKey.created_at, ApiKey.id)
            )
        )


async def status(client: httpx.AsyncClient, key: str, path: str = ROUTES) -> int:
    return (await client.get(path, headers=api(key))).status_code


async def audit_actions(platform: Platform, user_id: int | None = None) -> list[AuditEvent]:
    async with platform.sessions() as session:
        query = select(AuditEvent).where(AuditEvent.action.like("key_%")).order_by(AuditEvent.id)
        if user_id is not None:
            query = query.where(AuditEvent.actor_user_id == user_id)
        return list(await session.scalars(query))


@pytest.fixture
def mailbox(platform: Platform) -> Mailbox:
    return Mailbox(platform.settings.resolved_mail_dir)


@pytest.fixture
async def developer(platform: Platform, client: httpx.AsyncClient) -> Person:
    person = await make_person(
        platform, "dev@example.com", kind=OwnerKind.DEVELOPER, role=Role.DEVELOPER,
        name="Ada Lovelace",
    )  # fmt: skip
    assert (await sign_in(client, person)).status_code == 303
    return person


async def test_a_developer_gets_a_display_advert_key_and_calls_the_api_with_it(
    platform: Platform, client: httpx.AsyncClient, developer: Person, mailbox: Mailbox
) -> None:
    listing = await client.get("/portal/apis")
    assert listing.status_code == 200
    headings = re.findall(r'<h2 class="govuk-heading-m"[^>]*>([^<]+)</h2>', listing.text)
    assert headings == ["Display advert API", "Display advert API sandbox"]
    assert (
        'href="/portal/apis/display-advert-sandbox/keys/new">Get key<span '
        'class="govuk-visually-hidden"> for Display advert API sandbox</span></a>'
    ) in listing.text
    assert "No keys yet." in listing.text

    form = await client.get("/portal/apis/display-advert/keys/new")
    assert form.status_code == 200
    assert '<label class="govuk-label" for="name">' in form.text
    page = await get_key(client, "display-advert", "Job board")
    key = shown_key(page)
    assert key.startswith("appr_live_")
    assert "environment variable or a secret store, never in your code" in page.text
    assert await status(client, key) == 200

    listing = await client.get("/portal/apis")
    row = main(listing).split("Job board", 1)[1].split("</tr>", 1)[0]
    assert f"appr_live_…{key[-4:]}" in row
    assert "by Ada Lovelace (dev@example.com)" in row
    assert key not in listing.text
    [key_id] = await key_ids(platform, "Job board")
    assert (
        f'href="/portal/keys/{key_id}/rotate">Rotate<span class="govuk-visually-hidden"> '
        "Job board</span>"
    ) in row
    assert (
        f'href="/portal/keys/{key_id}/delete">Delete<span class="govuk-visually-hidden"> '
        "Job board</span>"
    ) in row

    [entry] = await audit_actions(platform)
    assert entry.action == AuditAction.KEY_ISSUED
    assert (entry.actor_user_id, entry.organisation_id) == (
        developer.id,
        developer.organisation_id,
    )
    assert entry.details == {
        "key name": "Job board",
        "product": "display-advert",
        "environment": "live",
    }
    message = await mailbox.next_to("dev@example.com", "New Display advert API key")
    assert str(message["Subject"]) == "New Display advert API key: Job board"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Ada Lovelace (dev@example.com) got a new Display advert API key called Job board" in (
        " ".join(text.split())
    )
    assert key not in text and key[:-4] not in text


async def test_a_sandbox_key_works_in_the_sandbox_and_not_on_live(
    client: httpx.AsyncClient, developer: Person
) -> None:
    key = shown_key(await get_key(client, "display-advert-sandbox", "Testing"))
    assert key.startswith("appr_sandbox_")
    assert await status(client, key, "/sandbox" + ROUTES) == 200
    assert await status(client, key) == 401


async def test_each_kind_sees_the_products_it_may_hold_and_no_others(
    platform: Platform,
) -> None:
    expected = {
        OwnerKind.EMPLOYER: ["Display advert API", "Recruitment API"],
        OwnerKind.PROVIDER: [
            "Display advert API",
            "Recruitment API",
            "Track apprenticeship progress API",
        ],
    }
    for kind, role in ((OwnerKind.EMPLOYER, Role.OWNER), (OwnerKind.PROVIDER, Role.ACCOUNT_OWNER)):
        person = await make_person(platform, f"{kind}@example.com", kind=kind, role=role)
        async with client_for(platform) as client:
            await sign_in(client, person)
            listing = await client.get("/portal/apis")
            headings = re.findall(r'<h2 class="govuk-heading-m"[^>]*>([^<]+)</h2>', listing.text)
            assert headings == [t for name in expected[kind] for t in (name, f"{name} sandbox")]
            if kind is OwnerKind.EMPLOYER:
                for path in ("track-progress", "track-progress-sandbox"):
                    refused = await client.get(f"/portal/apis/{path}/keys/new")
                    assert refused.status_code == 404
                key = shown_key(await get_key(client, "recruitment", "Applicant tracking"))
                assert key.startswith("appr_live_")
            else:
                key = shown_key(await get_key(client, "track-progress-sandbox", "MIS"))
                assert key.startswith("appr_sandbox_")
            for path in ("nonsense", "display-advert-live", "DISPLAY-ADVERT"):
                assert (await client.get(f"/portal/apis/{path}/keys/new")).status_code == 404


async def test_a_developer_cannot_get_a_recruitment_key(
    client: httpx.AsyncClient, developer: Person, platform: Platform
) -> None:
    assert (await client.get("/portal/apis/recruitment/keys/new")).status_code == 404
    token = csrf_token((await client.get("/portal/apis/display-advert/keys/new")).text)
    forged = await client.post(
        "/portal/apis/recruitment/keys/new", data={"name": "x", "csrf_token": token}
    )
    assert forged.status_code == 404
    assert await key_ids(platform, "x") == []


async def test_key_names_are_required_and_unique_per_product_and_environment(
    platform: Platform, client: httpx.AsyncClient, developer: Person
) -> None:
    empty = await get_key(client, "display-advert", "   ")
    assert empty.status_code == 400
    assert "<title>Error: " in empty.text
    assert 'href="#name">Enter a key name</a>' in error_summary(empty)
    assert "api-key" not in empty.text

    shown_key(await get_key(client, "display-advert", "Website"))
    duplicate = await get_key(client, "display-advert", "  website ")
    assert duplicate.status_code == 400
    assert "There is already a Display advert API key called website" in error_summary(duplicate)
    assert 'value="  website "' in duplicate.text or 'value="website"' in duplicate.text
    # The same name is free in the sandbox, and other names for the same product.
    shown_key(await get_key(client, "display-advert-sandbox", "Website"))
    shown_key(await get_key(client, "display-advert", "Website 2"))
    pasted = await get_key(client, "display-advert", "appr_live_abc")
    assert pasted.status_code == 400
    assert "Enter a name for the key, not a key" in error_summary(pasted)
    long = await get_key(client, "display-advert", "x" * 101)
    assert "Key name must be 100 characters or fewer" in error_summary(long)
    assert len(await key_ids(platform, "Website")) == 2
    assert [e.details["key name"] for e in await audit_actions(platform)] == [
        "Website",
        "Website",
        "Website 2",
    ]


async def test_rotating_with_stop_it_now_stops_the_old_key_and_keeps_the_name(
    platform: Platform, client: httpx.AsyncClient, developer: Person, mailbox: Mailbox
) -> None:
    old = shown_key(await get_key(client, "display-advert", "Job board"))
    [key_id] = await key_ids(platform, "Job board")
    form = await client.get(f"/portal/keys/{key_id}/rotate")
    assert form.status_code == 200
    assert "How long should the old key keep working?" in form.text
    for value, label in (
        ("0", "Stop it now"),
        ("1h", "1 hour"),
        ("24h", "24 hours"),
        ("7d", "7 days"),
    ):
        assert re.search(rf'value="{value}"[^>]*>\s*<label[^>]*>\s*{label}\s*</label>', form.text)

    unchosen = await submit(client, f"/portal/keys/{key_id}/rotate", {})
    assert unchosen.status_code == 400
    assert "Select how long the old key should keep working" in error_summary(unchosen)

    page = await submit(client, f"/portal/keys/{key_id}/rotate", {"grace": "0"})
    new = shown_key(page)
    assert new != old
    assert "The old key has stopped working." in page.text
    await platform.poller.poll_once()
    assert await status(client, old) == 401
    assert await status(client, new) == 200

    ids = await key_ids(platform, "Job board")
    assert len(ids) == 2 and ids[0] == key_id
    listing = main(await client.get("/portal/apis"))
    assert key_id not in listing and ids[1] in listing
    rotated = [e for e in await audit_actions(platform) if e.action == AuditAction.KEY_ROTATED]
    assert [e.details for e in rotated] == [
        {
            "key name": "Job board",
            "product": "display-advert",
            "environment": "live",
            "grace": "Stop it now",
        }
    ]
    message = await mailbox.next_to("dev@example.com", "key rotated")
    assert str(message["Subject"]) == "Display advert API key rotated: Job board"
    # The old key is gone: its pages are 404s.
    assert (await client.get(f"/portal/keys/{key_id}/rotate")).status_code == 404


async def test_rotating_with_a_grace_keeps_both_keys_until_stop_now(
    platform: Platform, client: httpx.AsyncClient, developer: Person
) -> None:
    old = shown_key(await get_key(client, "display-advert", "Job board"))
    [old_id] = await key_ids(platform, "Job board")
    page = await submit(client, f"/portal/keys/{old_id}/rotate", {"grace": "1h"})
    new = shown_key(page)
    assert "The old key keeps working until" in page.text
    await platform.poller.poll_once()
    assert await status(client, old) == 200
    assert await status(client, new) == 200

    [_, new_id] = await key_ids(platform, "Job board")
    listing = main(await client.get("/portal/apis"))
    old_row = listing.split(f'id="key-{old_id}"', 1)[1].split("</tr>", 1)[0]
    new_row = listing.split(f'id="key-{new_id}"', 1)[1].split("</tr>", 1)[0]
    assert "Stops working" in old_row and "Old key" in old_row
    assert f'action="/portal/keys/{old_id}/stop"' in old_row
    assert "Stop now" in old_row
    assert "Rotate" not in old_row and "Delete" not in old_row
    assert "Rotate" in new_row and "Stops working" not in new_row
    assert "Job board" in old_row and "Job board" in new_row

    # An old key cannot be rotated or deleted (the pages say how to stop it instead).
    assert (await client.get(f"/portal/keys/{old_id}/rotate")).status_code == 409
    refused = await submit(client, f"/portal/keys/{old_id}/delete", {}, form_page="/portal/apis")
    assert refused.status_code == 409
    # Only an old key can be stopped early.
    not_old = await submit(client, f"/portal/keys/{new_id}/stop", {}, form_page="/portal/apis")
    assert not_old.status_code == 409
    await platform.poller.poll_once()
    assert await status(client, old) == 200

    stopped = await submit(client, f"/portal/keys/{old_id}/stop", {}, form_page="/portal/apis")
    assert stopped.status_code == 200
    assert "Old key stopped" in stopped.text
    await platform.poller.poll_once()
    assert await status(client, old) == 401
    assert await status(client, new) == 200
    assert old_id not in main(await client.get("/portal/apis"))
    assert [e.action for e in await audit_actions(platform)] == [
        AuditAction.KEY_ISSUED,
        AuditAction.KEY_ROTATED,
        AuditAction.KEY_STOPPED_EARLY,
    ]


async def test_deleting_a_key_stops_it(
    platform: Platform, client: httpx.AsyncClient, developer: Person, mailbox: Mailbox
) -> None:
    key = shown_key(await get_key(client, "display-advert", "Job board"))
    [key_id] = await key_ids(platform, "Job board")
    confirm = await client.get(f"/portal/keys/{key_id}/delete")
    assert confirm.status_code == 200
    assert "Are you sure you want to delete Job board?" in confirm.text
    assert ">\n  Delete key\n</button>" in confirm.text or "Delete key</button>" in confirm.text
    assert await status(client, key) == 200

    deleted = await submit(client, f"/portal/keys/{key_id}/delete", {})
    assert deleted.status_code == 200
    assert "Key deleted" in deleted.text
    await platform.poller.poll_once()
    assert await status(client, key) == 401
    assert key_id not in main(await client.get("/portal/apis"))
    assert (await client.get(f"/portal/keys/{key_id}/delete")).status_code == 404
    [_, entry] = await audit_actions(platform)
    assert entry.action == AuditAction.KEY_DELETED
    assert entry.details["key name"] == "Job board"
    message = await mailbox.next_to("dev@example.com", "key deleted")
    assert str(message["Subject"]) == "Display advert API key deleted: Job board"
    # The name is free again.
    shown_key(await get_key(client, "display-advert", "Job board"))


async def test_another_organisations_key_is_a_404_everywhere_and_nothing_changes(
    platform: Platform, client: httpx.AsyncClient, developer: Person
) -> None:
    other = await make_person(
        platform, "other@example.com", kind=OwnerKind.DEVELOPER, role=Role.DEVELOPER
    )
    async with client_for(platform) as theirs:
        await sign_in(theirs, other)
        their_key = shown_key(await get_key(theirs, "display-advert", "Theirs"))
    [their_id] = await key_ids(platform, "Theirs")

    for page in ("rotate", "delete"):
        response = await client.get(f"/portal/keys/{their_id}/{page}")
        assert response.status_code == 404
        assert "Page not found" in response.text
    token = csrf_token((await client.get("/portal/apis")).text)
    for page, data in (("rotate", {"grace": "0"}), ("delete", {}), ("stop", {})):
        response = await client.post(
            f"/portal/keys/{their_id}/{page}", data={**data, "csrf_token": token}
        )
        assert response.status_code == 404, page
        assert "Page not found" in response.text
    assert (await client.get("/portal/keys/no-such-key/rotate")).status_code == 404
    await platform.poller.poll_once()
    assert await status(client, their_key) == 200
    assert await key_ids(platform, "Theirs") == [their_id]
    assert await audit_actions(platform, developer.id) == []
    assert "Theirs" not in (await client.get("/portal/apis")).text


async def test_viewers_see_keys_and_usage_but_cannot_change_them_by_any_form(
    platform: Platform, mailbox: Mailbox
) -> None:
    owner = await make_person(
        platform, "owner@example.com", kind=OwnerKind.EMPLOYER, role=Role.OWNER, name="Olu Owner"
    )
    assert owner.public_id is not None
    viewers = [
        await make_person(
            platform, f"{role.value.lower()}@example.com", kind=OwnerKind.EMPLOYER,
            organisation_public_id=owner.public_id, role=role,
        )
        for role in (Role.VIEWER, Role.TRANSACTOR)
    ]  # fmt: skip
    async with client_for(platform) as owners:
        await sign_in(owners, owner)
        key = shown_key(await get_key(owners, "recruitment", "Applicant tracking"))
    [key_id] = await key_ids(platform, "Applicant tracking")
    await mailbox.next_to(owner.email, "New Recruitment API key")

    for viewer in viewers:
        async with client_for(platform) as client:
            await sign_in(client, viewer)
            listing = await client.get("/portal/apis")
            assert listing.status_code == 200
            text = main(listing)
            assert "Applicant tracking" in text
            assert "Only Owners can get, rotate or delete keys." in text
            assert "Get key" not in text and "Rotate" not in text and "Delete" not in text
            assert "/portal/keys/" not in text and "/keys/new" not in text
            for path in (
                "/portal/apis/recruitment/keys/new",
                f"/portal/keys/{key_id}/rotate",
                f"/portal/keys/{key_id}/delete",
            ):
                assert (await client.get(path)).status_code == 404, path
            # A valid token from a page they may use, on forms they may not.
            token = csrf_token((await client.get("/portal/account")).text)
            for path, data in (
                ("/portal/apis/recruitment/keys/new", {"name": "Mine"}),
                (f"/portal/keys/{key_id}/rotate", {"grace": "0"}),
                (f"/portal/keys/{key_id}/delete", {}),
                (f"/portal/keys/{key_id}/stop", {}),
            ):
                response = await client.post(path, data={**data, "csrf_token": token})
                assert response.status_code == 404, path
            await platform.poller.poll_once()
            async with client_for(platform) as api_client:
                assert (
                    await api_client.get(
                        "/managevacancies/referencedata/skills",
                        headers={"Ocp-Apim-Subscription-Key": key, "X-Version": "1"},
                    )
                ).status_code == 200
            assert await key_ids(platform, "Applicant tracking") == [key_id]
            assert await key_ids(platform, "Mine") == []
            assert await audit_actions(platform, viewer.id) == []


async def test_owners_are_emailed_about_every_key_action_and_nobody_else(
    platform: Platform, mailbox: Mailbox
) -> None:
    owner = await make_person(
        platform, "owner@example.com", kind=OwnerKind.PROVIDER, role=Role.ACCOUNT_OWNER,
        name="Olu Owner",
    )  # fmt: skip
    assert owner.public_id is not None
    second = await make_person(
        platform, "second@example.com", kind=OwnerKind.PROVIDER,
        organisation_public_id=owner.public_id, role=Role.ACCOUNT_OWNER, name="Sam Second",
    )  # fmt: skip
    contributor = await make_person(
        platform, "contributor@example.com", kind=OwnerKind.PROVIDER,
        organisation_public_id=owner.public_id, role=Role.CONTRIBUTOR,
    )  # fmt: skip
    async with client_for(platform) as client:
        await sign_in(client, owner)
        key = shown_key(await get_key(client, "track-progress", "MIS"))
        [key_id] = await key_ids(platform, "MIS")
        await submit(client, f"/portal/keys/{key_id}/rotate", {"grace": "24h"})
        await submit(client, f"/portal/keys/{key_id}/stop", {}, form_page="/portal/apis")
        [_, new_id] = await key_ids(platform, "MIS")
        await submit(client, f"/portal/keys/{new_id}/delete", {})
    subjects = [
        "New Track apprenticeship progress API key: MIS",
        "Track apprenticeship progress API key rotated: MIS",
        "Old Track apprenticeship progress API key stopped: MIS",
        "Track apprenticeship progress API key deleted: MIS",
    ]
    for person in (owner, second):
        for subject in subjects:
            message = await mailbox.next_to(person.email, subject)
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            assert "Olu Owner (owner@example.com)" in body.get_content()
            assert key not in body.get_content()
    assert mailbox.all_to(contributor.email) == []
    entries = await audit_actions(platform)
    assert [e.action for e in entries] == [
        AuditAction.KEY_ISSUED,
        AuditAction.KEY_ROTATED,
        AuditAction.KEY_STOPPED_EARLY,
        AuditAction.KEY_DELETED,
    ]
    assert {e.organisation_id for e in entries} == {owner.organisation_id}
    assert all(key not in str(e.details) for e in entries)
    assert second.id != owner.id


async def test_a_key_issued_at_the_cli_shows_the_platform_operator(
    platform: Platform, client: httpx.AsyncClient, developer: Person
) -> None:
    await builders.issue_key(
        platform.sessions, platform.secret_key, "developer:dev@example.com", name="From the CLI"
    )
    listing = main(await client.get("/portal/apis"))
    row = listing.split("From the CLI", 1)[1].split("</tr>", 1)[0]
    assert "by the platform operator" in row
    assert "Never" in row


@pytest.fixture
async def limited(platform_factory: PlatformFactory) -> AsyncIterator[Platform]:
    async with platform_factory(rate_limit="2/300") as running:
        yield running


async def test_key_rows_count_requests_and_429s_of_the_last_24_hours(limited: Platform) -> None:
    person = await make_person(
        limited, "dev@example.com", kind=OwnerKind.DEVELOPER, role=Role.DEVELOPER
    )
    async with client_for(limited) as client:
        await sign_in(client, person)
        busy = shown_key(await get_key(client, "display-advert", "Busy"))
        shown_key(await get_key(client, "display-advert", "Quiet"))
        answers = [await status(client, busy) for _ in range(3)]
        assert answers == [200, 200, 429]
        await limited.usage.flush()
        listing = main(await client.get("/portal/apis"))

    def cells(name: str) -> list[str]:
        row = listing.split(f"{name}\n", 1)[1].split("</tr>", 1)[0]
        return re.findall(r'govuk-table__cell--numeric">([^<]*)</td>', row)

    assert cells("Busy") == ["3", "1"]
    assert cells("Quiet") == ["0", "0"]
    busy_row = listing.split("Busy\n", 1)[1].split("</tr>", 1)[0]
    assert "Never" not in busy_row
