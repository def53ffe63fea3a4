"""Registration, confirmation, sign-in, lockout, passwords and sessions, over HTTP."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from apprenticeships.accounts.vocabulary import Role
from apprenticeships.app import Platform
from apprenticeships.audit.vocabulary import AuditAction
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.storage.models import AuditEvent, User
from tests.conftest import client_for
from tests.portal.support import (
    Mailbox,
    csrf_token,
    link_in,
    make_person,
    path_of,
    sign_in,
    submit,
)

pytestmark = pytest.mark.asyncio
STRONG = "a long enough passphrase 42"


@pytest.fixture
def mailbox(platform: Platform) -> Mailbox:
    return Mailbox(platform.settings.resolved_mail_dir)


async def test_register_confirm_and_sign_in(
    platform: Platform, client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    response = await submit(
        client,
        "/portal/register",
        {"name": "Ada Lovelace", "email": "Ada@Example.com", "password": STRONG},
    )
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Check your email</h1>' in response.text

    # Not confirmed yet: no session.
    refused = await sign_in(client, ("ada@example.com", STRONG))
    assert refused.status_code == 400
    assert "portal_session" not in refused.cookies

    message = await mailbox.next_to("ada@example.com")
    confirm = await client.get(path_of(link_in(message, "/portal/confirm/")))
    assert confirm.status_code == 200
    assert "Email address confirmed" in confirm.text
    # The link works once.
    again = await client.get(path_of(link_in(message, "/portal/confirm/")))
    assert again.status_code == 404

    signed_in = await sign_in(client, ("ada@example.com", STRONG))
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/portal/apis"
    cookie = signed_in.headers["set-cookie"]
    assert "portal_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/portal" in cookie
    account = await client.get("/portal/account")
    assert account.status_code == 200
    assert "Signed in as ada@example.com" in account.text
    assert "Sign out" in account.text


async def test_registering_a_known_email_looks_the_same_and_creates_nothing(
    platform: Platform, client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await make_person(platform, "known@example.com", kind=OwnerKind.DEVELOPER, role=Role.DEVELOPER)
    known = await submit(
        client, "/portal/register", {"name": "X", "email": "known@example.com", "password": STRONG}
    )
    new = await submit(
        client, "/portal/register", {"name": "X", "email": "new@example.com", "password": STRONG}
    )
    assert known.status_code == new.status_code == 200

    def body(response: httpx.Response) -> str:
        return response.text.split("<main", 1)[1].replace("new@example.com", "known@example.com")

    assert body(known) == body(new)
    warning = await mailbox.next_to("known@example.com")
    assert str(warning["Subject"]) == "Someone tried to create an account with your email address"
    async with platform.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(User).where(User.email == "known@example.com")
        )
    assert count == 1


async def test_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    person = await make_person(
        platform, "owner@example.com", kind=OwnerKind.EMPLOYER, role=Role.OWNER
    )
    messages = []
    for _ in range(5):
        failed = await sign_in(client, (person.email, "wrong password, long enough"))
        assert failed.status_code == 400
        messages.append(failed.text.split("govuk-error-summary__list", 1)[1].split("</ul>")[0])
    locked = await sign_in(client, person)
    assert locked.status_code == 400
    assert "portal_session" not in locked.cookies
    assert "15 minutes" in locked.text
    # An unknown email is refused the same way, with the same words.
    unknown = await sign_in(client, ("nobody@example.com", "wrong password, long enough"))
    assert unknown.text.split("govuk-error-summary__list", 1)[1].split("</ul>")[0] == messages[0]
    async with platform.sessions() as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.actor_email == person.email)
            )
        )
    assert actions.count(AuditAction.FAILED_SIGN_IN) >= 4
    assert AuditAction.LOCKOUT in actions


async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    person = await make_person(
        platform, "dev@example.com", kind=OwnerKind.DEVELOPER, role=Role.DEVELOPER
    )
    assert (await sign_in(client, person)).status_code == 303
    forged = await client.post(
        "/portal/account",
        data={"current_password": person.password, "new_password": "a brand new passphrase"},
    )
    assert forged.status_code == 403
    assert "This form has expired" in forged.text
    wrong = await client.post(
        "/portal/account",
        data={
            "current_password": person.password,
            "new_password": "a brand new passphrase",
            "csrf_token": "x" * 40,
        },
    )
    assert wrong.status_code == 403
    # Still signed in, with the old password.
    assert (await client.get("/portal/account")).status_code == 200
    async with platform.sessions() as session:
        user = await session.get(User, person.id)
        assert user is not None and user.password_changed_at is not None
        changed_at = user.password_changed_at
    async with client_for(platform) as other:
        assert (await sign_in(other, person)).status_code == 303
    async with platform.sessions() as session:
        user = await session.get(User, person.id)
        assert user is not None and user.password_changed_at == changed_at


async def test_changing_the_password_ends_every_session(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    person = await make_person(
        platform, "dev@example.com", kind=OwnerKind.DEVELOPER, role=Role.DEVELOPER
    )
    async with client_for(platform) as other:
        assert (await sign_in(client, person)).status_code == 303
        assert (await sign_in(other, person)).status_code == 303
        page = await client.get("/portal/account")
        changed = await client.post(
            "/portal/account",
            data={
                "current_password": person.password,
                "new_password": "a brand new passphrase",
                "csrf_token": csrf_token(page.text),
            },
        )
        assert changed.status_code == 200
        assert "Your password has been changed" in changed.text
        for browser in (client, other):
            after = await browser.get("/portal/account")
            assert after.status_code == 303
            assert after.headers["location"] == "/portal/sign-in"


async def test_sign_out_ends_the_session_on_the_server(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    person = await make_person(
        platform, "dev@example.com", kind=OwnerKind.DEVELOPER, role=Role.DEVELOPER
    )
    assert (await sign_in(client, person)).status_code == 303
    stolen = client.cookies.get("portal_session")
    assert stolen
    page = await client.get("/portal/account")
    out = await client.post("/portal/sign-out", data={"csrf_token": csrf_token(page.text)})
    assert out.status_code == 303
    async with client_for(platform) as thief:
        thief.cookies.set("portal_session", stolen, path="/portal")
        assert (await thief.get("/portal/account")).status_code == 303


async def test_forgotten_password_answers_the_same_and_resets_once(
    platform: Platform, client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    person = await make_person(
        platform, "dev@example.com", kind=OwnerKind.DEVELOPER, role=Role.DEVELOPER
    )
    known = await submit(client, "/portal/forgot-password", {"email": person.email})
    unknown = await submit(client, "/portal/forgot-password", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.split("<main", 1)[1] == unknown.text.split("<main", 1)[1]
    link = path_of(link_in(await mailbox.next_to(person.email), "/portal/set-password/"))
    done = await submit(client, link, {"password": "my new long passphrase"})
    assert done.status_code == 200 and "Your password is set" in done.text
    assert (await client.get(link)).status_code == 404
    assert (await sign_in(client, (person.email, "my new long passphrase"))).status_code == 303
