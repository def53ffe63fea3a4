"""OpenID Connect sign-in in Chromium: a real server configured with the OpenID
provider these tests start, the browser sent to the provider and back as a person's
would be, with axe-core on the pages it sees."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import Site, _require_chromium, _wait_healthy, check_page
from tests.support.oidc_provider import OpenIdProvider
from tests.system.conftest import Harness, free_port

pytestmark = pytest.mark.slow

LINK = "Sign in with your organisation's account"


@pytest.fixture(scope="module")
def provider() -> Iterator[OpenIdProvider]:
    provider = OpenIdProvider()
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, provider: OpenIdProvider) -> Iterator[Site]:
    """As tests/browser/conftest.py's ``site``, with OpenID Connect sign-in set up. The
    public URL (the callback's address) must be known before the server starts."""
    _require_chromium()
    harness = Harness(tmp_path_factory.mktemp("oidc-site"))
    mail_dir = harness.tmp / "mail"
    port = free_port()
    settings = {
        "APPRENTICESHIPS_MAIL_DIR": str(mail_dir),
        "APPRENTICESHIPS_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "APPRENTICESHIPS_OIDC_ISSUER": provider.issuer,
        "APPRENTICESHIPS_OIDC_CLIENT_ID": provider.client_id,
        "APPRENTICESHIPS_OIDC_CLIENT_SECRET": provider.client_secret,
    }
    try:
        harness.cli("db", "upgrade", settings=settings)
        server = harness.spawn_server(settings, port=port)
        _wait_healthy(server)
        yield Site(harness, server, mail_dir, settings)
    finally:
        harness.stop_all()


def test_an_employer_owner_signs_in_with_their_organisations_account(
    page: Any, site: Site, provider: OpenIdProvider
) -> None:
    hashed_id = site.cli("accounts", "add-employer", "--name", "Quillfeather Engineering").strip()
    provider.sign_in_as(
        "olu.owner@quillfeather.example", f"employer:{hashed_id}", "Owner", name="Olu Owner"
    )

    page.goto("/portal/sign-in")
    check_page(page, "sign-in-with-oidc")
    page.get_by_role("link", name=LINK).click()

    # To the provider, which signs the person in at once, and back to their API list.
    page.wait_for_url("**/portal/apis")
    assert "authorize" in provider.requests and "token:client_secret_basic" in provider.requests
    page.goto("/portal/account")
    assert "Signed in as olu.owner@quillfeather.example" in page.inner_text("body")
    check_page(page, "oidc-signed-in")

    page.get_by_role("button", name="Sign out").click()
    page.goto("/portal/account")
    assert page.url.endswith("/portal/sign-in")


def test_a_person_from_an_unknown_organisation_is_told_why_they_cannot_sign_in(
    page: Any, site: Site, provider: OpenIdProvider
) -> None:
    provider.sign_in_as("stranger@elsewhere.example", "employer:ZZZZZZ", "Owner")

    page.goto("/portal/sign-in")
    page.get_by_role("link", name=LINK).click()

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "You cannot sign in with your organisation's account"
    assert "does not have an account on this service" in page.inner_text("main")
    check_page(page, "oidc-refused")
    assert page.get_by_role("link", name="Sign in again").get_attribute("href") == (
        "/portal/sign-in"
    )
    page.goto("/portal/account")
    assert page.url.endswith("/portal/sign-in")
