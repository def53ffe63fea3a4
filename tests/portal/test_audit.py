"""The Audit log page over HTTP: an organisation's Owners read its entries newest first,
a page at a time; platform admins read every organisation's; nobody else finds it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from apprenticeships.accounts.vocabulary import Role
from apprenticeships.app import Platform
from apprenticeships.audit.service import Actor, AuditService
from apprenticeships.audit.vocabulary import AuditAction
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.storage.engine import unit_of_work
from tests.conftest import client_for
from tests.portal.support import Person, make_person, sign_in, submit

pytestmark = pytest.mark.asyncio
# Before anything the tests do through the pages (sign-ins, invitations).
LONG_AGO = datetime.now(UTC) - timedelta(days=3)


async def record(platform: Platform, organisation_id: int | None, count: int, label: str) -> None:
    """``count`` key entries a minute apart, the ``n``-th naming key ``{label}-{n}``."""
    async with unit_of_work(platform.sessions) as session:
        audit = AuditService(session)
        for n in range(count):
            await audit.record(
                AuditAction.KEY_ISSUED, LONG_AGO + timedelta(minutes=n),
                actor=Actor(None, f"someone@{label}.example", "192.0.2.7"),
                organisation_id=organisation_id,
                details={"key": f"{label}-{n}", "product": "Display advert API"},
            )  # fmt: skip


def keys_listed(page: httpx.Response) -> list[str]:
    return re.findall(r"key: ([a-z]+-\d+)", page.text)


def pagination_links(page: httpx.Response) -> dict[str, str]:
    return {
        rel: href
        for href, rel in re.findall(
            r'<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="(prev|next)"',
            page.text,
        )
    }


async def owner_of(platform: Platform, email: str, name: str) -> Person:
    return await make_person(platform, email, kind=OwnerKind.EMPLOYER, role=Role.OWNER, name=name)


async def test_owners_read_their_organisations_log_newest_first_a_page_at_a_time(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    owner = await owner_of(platform, "olive@acme.example", "Acme")
    other = await owner_of(platform, "sam@bolt.example", "Bolt")
    await record(platform, owner.organisation_id, 60, "acme")
    await record(platform, other.organisation_id, 3, "bolt")
    assert (await sign_in(client, owner)).status_code == 303

    first = await client.get("/portal/audit")
    assert first.status_code == 200
    assert "<title>Audit log" in first.text
    # The sign-in just now comes first, then the recorded entries newest first.
    rows = first.text.split("<tbody", 1)[1].split("</tbody>", 1)[0].split("<tr")[1:]
    assert len(rows) == 50
    assert "Signed in" in rows[0] and owner.email in rows[0]
    assert keys_listed(first) == [f"acme-{n}" for n in range(59, 10, -1)]
    assert "Key issued" in rows[1] and "someone@acme.example" in rows[1]
    assert "192.0.2.7" in rows[1] and "product: Display advert API" in rows[1]
    assert pagination_links(first) == {"next": "/portal/audit?page=2"}
    assert "Organisation" not in first.text.split("<thead", 1)[1].split("</thead>", 1)[0]

    second = await client.get("/portal/audit?page=2")
    assert keys_listed(second) == [f"acme-{n}" for n in range(10, -1, -1)]
    assert pagination_links(second) == {"prev": "/portal/audit?page=1"}
    assert "Previous" in second.text and "Next" not in second.text.split("<main", 1)[1]
    # Nothing of another organisation, on any page.
    assert "bolt" not in first.text + second.text

    beyond = await client.get("/portal/audit?page=3")
    assert beyond.status_code == 200 and "There are no more entries" in beyond.text
    for bad in ("0", "-1", "abc", "99999999999"):
        assert (await client.get(f"/portal/audit?page={bad}")).status_code == 404


async def test_what_people_do_on_the_pages_is_in_the_log(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    owner = await owner_of(platform, "olive@acme.example", "Acme")
    assert (await sign_in(client, owner)).status_code == 303
    sent = await submit(
        client, "/portal/team", {"email": "viv@acme.example", "name": "Viv", "role": "Viewer"}
    )
    assert sent.status_code == 200
    page = await client.get("/portal/audit")
    rows = page.text.split("<tbody", 1)[1].split("<tr")[1:]
    assert "Invitation sent" in rows[0]
    assert "person: viv@acme.example" in rows[0] and "role: Viewer" in rows[0]
    assert owner.email in rows[0]
    assert "Signed in" in rows[1]


async def test_a_platform_admin_reads_every_organisations_log(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    acme = await owner_of(platform, "olive@acme.example", "Acme")
    bolt = await owner_of(platform, "sam@bolt.example", "Bolt")
    await record(platform, acme.organisation_id, 2, "acme")
    await record(platform, bolt.organisation_id, 2, "bolt")
    await record(platform, None, 1, "platform")
    admin = await make_person(platform, "ops@example.com", admin=True)
    assert (await sign_in(client, admin)).status_code == 303
    page = await client.get("/portal/audit")
    assert page.status_code == 200
    assert 'href="/portal/audit"' in page.text  # in the navigation
    header = page.text.split("<thead", 1)[1].split("</thead>", 1)[0]
    assert "Organisation" in header
    # Entries a minute apart per organisation, recorded organisation by organisation:
    # newest first across all of them.
    listed = keys_listed(page)
    assert sorted(listed) == ["acme-0", "acme-1", "bolt-0", "bolt-1", "platform-0"]
    rows = page.text.split("<tbody", 1)[1].split("<tr")[1:]
    by_key = {key: row for row in rows for key in re.findall(r"key: ([a-z]+-\d+)", row)}
    assert "Acme&#39;s employer" in by_key["acme-0"]
    assert "Bolt&#39;s employer" in by_key["bolt-1"]
    assert "Signed in" in rows[0] and "ops@example.com" in rows[0]


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (OwnerKind.EMPLOYER, Role.VIEWER),
        (OwnerKind.EMPLOYER, Role.TRANSACTOR),
        (OwnerKind.PROVIDER, Role.CONTRIBUTOR),
        (OwnerKind.DEVELOPER, Role.DEVELOPER),
    ],
)
async def test_other_roles_find_no_audit_log(
    platform: Platform, client: httpx.AsyncClient, kind: OwnerKind, role: Role
) -> None:
    person = await make_person(platform, "pat@example.com", kind=kind, role=role)
    await record(platform, person.organisation_id, 1, "acme")
    assert (await sign_in(client, person)).status_code == 303
    page = await client.get("/portal/audit")
    assert page.status_code == 404
    assert "acme-0" not in page.text
    assert 'href="/portal/audit"' not in page.text


async def test_a_provider_account_owner_reads_the_providers_log(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    person = await make_person(
        platform, "ao@northfield.example", kind=OwnerKind.PROVIDER, role=Role.ACCOUNT_OWNER
    )
    await record(platform, person.organisation_id, 1, "northfield")
    assert (await sign_in(client, person)).status_code == 303
    page = await client.get("/portal/audit")
    assert page.status_code == 200 and keys_listed(page) == ["northfield-0"]


async def test_signed_out_visitors_are_sent_to_sign_in(platform: Platform) -> None:
    async with client_for(platform) as anonymous:
        answer = await anonymous.get("/portal/audit")
    assert answer.status_code == 303 and answer.headers["location"] == "/portal/sign-in"
