"""Keys in Chromium, as a person gets and manages them: people made with the operator's
CLI set their password from the invitation email, sign in, get a key from the API list,
call the API with it, rotate it and delete it; the old keys stop within a second."""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

import httpx

from tests.browser.conftest import AXE_SCRIPT, Site, check_page

PASSWORD = "a long and unusual passphrase"
ROUTES = "/vacancies/referencedata/courses/routes"
SKILLS = "/managevacancies/referencedata/skills"
STOP_WITHIN_SECONDS = 1.0
_people = itertools.count(1)


def api_status(site: Site, key: str, path: str = ROUTES, version: str = "2") -> int:
    headers = {"Ocp-Apim-Subscription-Key": key, "X-Version": version}
    return httpx.get(site.url + path, headers=headers, timeout=5).status_code


def stops_within_a_second(site: Site, key: str, path: str = ROUTES, version: str = "2") -> None:
    """The key is refused (401) within a second from now, and stays refused."""
    deadline = time.monotonic() + STOP_WITHIN_SECONDS
    while api_status(site, key, path, version) != 401:
        assert time.monotonic() < deadline, "the key still worked a second later"
        time.sleep(0.02)
    assert api_status(site, key, path, version) == 401


def accept_invitation(page: Any, site: Site, address: str) -> None:
    """Set a password from the invitation email, then sign in."""
    link = site.link_in(site.mail_to(address, "invited"), "/portal/set-password/")
    page.goto(link)
    check_page(page, "set-password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    check_page(page, "password-set")
    page.get_by_role("link", name="Sign in").click()
    check_page(page, "sign-in")
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/portal/apis$"))


def developer(page: Any, site: Site) -> str:
    address = f"kim{next(_people)}@example.com"
    site.cli("accounts", "add-developer", "--email", address, "--name", "Kim Developer")
    accept_invitation(page, site, address)
    return address


def get_key(page: Any, section: str, name: str) -> str:
    """Get a key from the API list; it is shown once, in #api-key."""
    screenshot = section.lower().replace(" ", "-")
    page.get_by_role("link", name=f"Get key for {section}", exact=True).click()
    check_page(page, f"new-key-{screenshot}")
    page.get_by_label("Key name").fill(name)
    page.get_by_role("button", name="Get key").click()
    check_page(page, f"key-shown-{screenshot}")
    key: str = page.locator("#api-key").inner_text().strip()
    return key


def test_a_developer_gets_rotates_and_deletes_a_display_advert_key(page: Any, site: Site) -> None:
    developer(page, site)
    assert page.get_by_role("heading", level=1).inner_text() == "API keys"
    assert page.locator("main").get_by_role("heading", level=2).all_inner_texts() == [
        "Display advert API",
        "Display advert API sandbox",
    ]
    check_page(page, "api-list-empty")

    page.get_by_role("link", name="Get key for Display advert API", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == ("Get a key for Display advert API")
    check_page(page, "new-key")
    page.get_by_role("button", name="Get key").click()
    assert page.title().startswith("Error: ")
    check_page(page, "new-key-error")
    page.get_by_label("Key name").fill("Job board")
    page.get_by_role("button", name="Get key").click()
    key = page.locator("#api-key").inner_text().strip()
    assert key.startswith("appr_live_")
    assert "environment variable or a secret store" in page.inner_text("main")
    check_page(page, "key-shown")
    assert api_status(site, key) == 200

    page.get_by_role("link", name="Back to API keys").click()
    row = page.get_by_role("row").filter(has_text="Job board")
    assert f"…{key[-4:]}" in row.inner_text()
    assert "Kim Developer" in row.inner_text()
    assert key not in page.content()
    check_page(page, "api-list")

    page.get_by_role("link", name="Rotate Job board", exact=True).click()
    check_page(page, "rotate-key")
    page.get_by_label("Stop it now").check()
    page.get_by_role("button", name="Rotate key").click()
    new_key = page.locator("#api-key").inner_text().strip()
    assert new_key != key
    check_page(page, "key-rotated")
    stops_within_a_second(site, key)
    assert api_status(site, new_key) == 200

    page.get_by_role("link", name="Back to API keys").click()
    assert page.get_by_role("row").filter(has_text="Job board").count() == 1
    page.get_by_role("link", name="Delete Job board", exact=True).click()
    assert "Are you sure" in page.get_by_role("heading", level=1).inner_text()
    check_page(page, "delete-key")
    page.get_by_role("button", name="Delete key").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Key deleted"
    check_page(page, "key-deleted")
    stops_within_a_second(site, new_key)
    page.get_by_role("link", name="Back to API keys").click()
    assert page.get_by_role("row").filter(has_text="Job board").count() == 0


def test_a_rotated_key_works_until_stop_now_and_sandbox_keys_only_in_the_sandbox(
    page: Any, site: Site
) -> None:
    developer(page, site)
    key = get_key(page, "Display advert API sandbox", "Testing")
    assert key.startswith("appr_sandbox_")
    assert api_status(site, key, "/sandbox" + ROUTES) == 200
    assert api_status(site, key) == 401

    page.get_by_role("link", name="Back to API keys").click()
    page.get_by_role("link", name="Rotate Testing", exact=True).click()
    check_page(page, "rotate-sandbox-key")
    page.get_by_label("1 hour").check()
    page.get_by_role("button", name="Rotate key").click()
    new_key = page.locator("#api-key").inner_text().strip()
    assert "keeps working until" in page.inner_text("main")
    check_page(page, "key-rotated-with-grace")
    page.get_by_role("link", name="Back to API keys").click()
    old_row = page.get_by_role("row").filter(has_text="Stops working")
    assert old_row.count() == 1
    assert old_row.get_by_role("link").count() == 0
    check_page(page, "api-list-old-key")
    assert api_status(site, key, "/sandbox" + ROUTES) == 200
    assert api_status(site, new_key, "/sandbox" + ROUTES) == 200

    old_row.get_by_role("button", name="Stop now").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Old key stopped"
    check_page(page, "old-key-stopped")
    stops_within_a_second(site, key, "/sandbox" + ROUTES)
    assert api_status(site, new_key, "/sandbox" + ROUTES) == 200


def test_an_employer_owner_gets_a_recruitment_key_and_a_viewer_cannot(
    page: Any, browser: Any, site: Site
) -> None:
    number = next(_people)
    employer = site.cli("accounts", "add-employer", "--name", f"Acme {number} Ltd").strip()
    owner, viewer = f"owner{number}@acme.example", f"viewer{number}@acme.example"
    for address, role in ((owner, "Owner"), (viewer, "Viewer")):
        site.cli(
            "accounts", "add-person", "--email", address, "--name", role,
            "--role", role, "--employer", employer,
        )  # fmt: skip
    accept_invitation(page, site, owner)
    check_page(page, "api-list-employer-owner")
    assert page.locator("main").get_by_role("heading", level=2).all_inner_texts() == [
        "Display advert API",
        "Display advert API sandbox",
        "Recruitment API",
        "Recruitment API sandbox",
    ]
    key = get_key(page, "Recruitment API", "Applicant tracking")
    assert api_status(site, key, SKILLS, "1") == 200

    context = browser.new_context(base_url=site.url)
    try:
        viewing = context.new_page()
        viewing.add_init_script(path=str(AXE_SCRIPT))
        accept_invitation(viewing, site, viewer)
        main = viewing.inner_text("main")
        assert "Applicant tracking" in main
        assert "Only Owners can get, rotate or delete keys." in main
        assert viewing.get_by_role("link", name=re.compile("Get key|Rotate|Delete")).count() == 0
        check_page(viewing, "api-list-viewer")
        token = viewing.locator("input[name=csrf_token]").first.get_attribute("value")
        forged = viewing.request.post(
            "/portal/apis/recruitment/keys/new", form={"name": "Mine", "csrf_token": token}
        )
        assert forged.status == 404
        response = viewing.goto("/portal/apis/recruitment/keys/new")
        assert response is not None and response.status == 404
        check_page(viewing, "new-key-viewer-404")
        viewing.goto("/portal/apis")
        assert "Mine" not in viewing.inner_text("main")
    finally:
        context.close()
    assert api_status(site, key, SKILLS, "1") == 200
