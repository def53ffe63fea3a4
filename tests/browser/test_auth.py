"""Registration, confirmation, sign-in and sign-out in Chromium, as a person does them:
fields found by their labels, buttons by their names, the email read from the outbox."""

from __future__ import annotations

import itertools
from typing import Any

from tests.browser.conftest import Site, check_page

PASSWORD = "a long and unusual passphrase"
_people = itertools.count(1)


def register(page: Any, site: Site, name: str = "Grace Hopper") -> str:
    address = f"grace{next(_people)}@example.com"
    page.goto("/portal")
    check_page(page, "start")
    page.get_by_role("link", name="Create an account").click()
    check_page(page, "register")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    check_page(page, "check-your-email")
    return address


def test_register_confirm_sign_in_and_sign_out(page: Any, site: Site) -> None:
    address = register(page, site)
    link = site.link_in(site.mail_to(address), "/portal/confirm/")
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Email address confirmed"
    check_page(page, "email-confirmed")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/portal/account")
    assert f"Signed in as {address}" in page.inner_text("main")
    check_page(page, "account")
    page.get_by_role("button", name="Sign out").click()
    page.goto("/portal/account")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"


def test_wrong_password_shows_an_error_summary_linked_to_the_field(page: Any, site: Site) -> None:
    page.goto("/portal/sign-in")
    page.get_by_label("Email address").fill("nobody@example.com")
    page.get_by_label("Password").fill("not the right password")
    page.get_by_role("button", name="Sign in").click()
    assert page.title().startswith("Error: ")
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.id") == "email"
    check_page(page, "sign-in-error")


def test_registering_a_known_email_looks_exactly_like_a_new_one(page: Any, site: Site) -> None:
    address = register(page, site)
    first = page.inner_text("main")
    page.goto("/portal/register")
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    assert page.inner_text("main") == first


def test_a_post_without_the_csrf_token_is_refused(page: Any, site: Site) -> None:
    page.goto("/portal/register")
    answer = page.request.post(
        "/portal/register",
        form={"name": "Mallory", "email": "mallory@example.com", "password": PASSWORD},
    )
    assert answer.status == 403
    assert "This form has expired" in answer.text()
    # Nothing was made: registering that address for real still sends a confirmation.
    page.goto("/portal/register")
    page.get_by_label("Full name").fill("Mallory")
    page.get_by_label("Email address").fill("mallory@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    message = site.mail_to("mallory@example.com")
    assert "/portal/confirm/" in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def test_sixth_sign_in_after_five_failures_is_refused_even_with_the_right_password(
    page: Any, site: Site
) -> None:
    address = register(page, site)
    page.goto(site.link_in(site.mail_to(address), "/portal/confirm/"))
    for _ in range(5):
        page.goto("/portal/sign-in")
        page.get_by_label("Email address").fill(address)
        page.get_by_label("Password").fill("wrong password entirely")
        page.get_by_role("button", name="Sign in").click()
        assert page.title().startswith("Error: ")
    page.goto("/portal/sign-in")
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.title().startswith("Error: ")
    assert "15 minutes" in page.inner_text("main")
    check_page(page, "locked-out")
