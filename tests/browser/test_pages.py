"""The portal's public pages in Chromium: they render styled, pass axe-core, and send
the security headers."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site, check_page


def test_start_page_links_to_sign_in_and_registration(page: Any, site: Site) -> None:
    response = page.goto("/portal")
    assert response is not None and response.status == 200
    assert (
        page.title() == "Get API keys for the Apprenticeship Service - Apprenticeship Service APIs"
    )
    # GOV.UK Frontend's stylesheet loaded and applied (its font is the page's font).
    font = page.evaluate("() => getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS Transport" in font
    # The one inline script ran under the CSP (its nonce matched).
    assert "js-enabled" in (page.get_attribute("body", "class") or "")
    assert page.get_by_role("link", name="Skip to main content").count() == 1
    assert page.get_by_role("button", name="Sign in").get_attribute("href") == "/portal/sign-in"
    assert (
        page.get_by_role("link", name="Create an account").get_attribute("href")
        == "/portal/register"
    )
    check_page(page, "start")


def test_unknown_page_is_a_styled_404(page: Any, site: Site) -> None:
    response = page.goto("/portal/no-such-page")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    check_page(page, "not-found")
