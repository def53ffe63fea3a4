"""The documentation and the public advert pages in Chromium, checked by axe-core: the
docs home with its guide, a version's reference, an advert page reached through a
``vacancyUrl`` from a real API answer, and their 404 pages."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Site, check_page

DEVELOPER = "browser-docs@example.com"
INDEX_TIMEOUT_SECONDS = 15.0


@pytest.fixture(scope="module")
def key(site: Site) -> str:
    """A developer's Display advert key, once the site has demo adverts to show."""
    site.cli("demo", "seed", "--vacancies", "20")
    site.cli("accounts", "add-developer", "--email", DEVELOPER)
    issued = site.cli(
        "keys", "issue", "--product", "display-advert", "--owner", f"developer:{DEVELOPER}"
    ).strip()
    # The server's search index takes in the new adverts in the background.
    deadline = time.monotonic() + INDEX_TIMEOUT_SECONDS
    while True:
        answer = httpx.get(
            f"{site.url}/vacancies/vacancy",
            params={"PageSize": 1},
            headers={"Ocp-Apim-Subscription-Key": issued, "X-Version": "2"},
            timeout=10,
        )
        if answer.status_code == 200 and answer.json()["total"] == 20:
            return issued
        if time.monotonic() > deadline:
            raise AssertionError(f"the demo adverts never reached the index: {answer.text}")
        time.sleep(0.1)


def test_the_compatibility_page_is_reached_from_the_guide(page: Any, site: Site) -> None:
    page.goto("/docs")
    page.get_by_role("link", name="compatibility with the real service").click()
    page.wait_for_url(f"{site.url}/docs/compatibility")
    assert page.title() == (
        "Compatibility with the real Apprenticeship Service APIs - Apprenticeship Service APIs"
    )
    assert page.get_by_role("heading", name="Differences we keep", level=2).count() == 1
    kept = page.locator("table.govuk-table").first
    assert "D2" in kept.inner_text()
    check_page(page, "docs-compatibility")


def test_the_docs_home_lists_the_apis_and_leads_to_a_reference(page: Any, site: Site) -> None:
    response = page.goto("/docs")
    assert response is not None and response.status == 200
    assert page.title() == "Apprenticeship Service API documentation - Apprenticeship Service APIs"
    font = page.evaluate("() => getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS Transport" in font
    assert "js-enabled" in (page.get_attribute("body", "class") or "")
    assert page.get_by_role("link", name="Skip to main content").count() == 1
    for name in ("Display advert API", "Recruitment API", "Track apprenticeship progress API"):
        assert page.get_by_role("heading", name=name, level=3).count() == 1
    # The versions table says what the gateway does.
    display = page.locator('section[data-product="display-advert"]')
    assert display.locator('tr[data-version="2"]').inner_text().startswith("2\tCurrent")
    assert "Stops working on" in display.locator('tr[data-version="1"]').inner_text()
    # Examples are laid out as code, at the server's own address.
    example = page.locator('pre[data-example="first-call-curl"]')
    assert example.inner_text().startswith(f'curl -sS "{site.url}/vacancies/')
    check_page(page, "docs-home")

    page.get_by_role("link", name="Rate limits", exact=True).click()
    assert page.url.endswith("/docs#rate-limits")
    page.get_by_role("link", name="Display advert API version 2 reference").click()
    page.wait_for_url("**/docs/display-advert/v2")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Display advert API version 2 reference"
    )


def test_a_reference_page_has_contents_operations_and_the_document(page: Any) -> None:
    response = page.goto("/docs/recruitment/v1")
    assert response is not None and response.status == 200
    contents = page.get_by_role("navigation", name="Contents")
    contents.get_by_role("link", name="Create an apprenticeship advert").click()
    assert page.url.endswith("#CreateVacancy")
    operation = page.locator("section#CreateVacancy")
    assert operation.get_by_role("heading", level=2).inner_text() == (
        "Create an apprenticeship advert"
    )
    assert operation.locator(".app-endpoint").inner_text() == "POST /managevacancies/vacancy/{id}"
    # Responses open without JavaScript trickery: native details.
    answer = operation.locator('details[data-status="429"]')
    answer.locator("summary").click()
    assert "Rate limit is exceeded." in answer.inner_text()
    # A type links to its schema further down.
    operation.locator("table#CreateVacancy-body").get_by_role("link", name="CreateWage").click()
    assert page.url.endswith("#schema-CreateWage")
    check_page(page, "docs-reference")
    download = page.get_by_role("link", name="Download the OpenAPI 3.1 document (JSON)")
    assert download.get_attribute("href") == "/docs/recruitment/v1/openapi.json"
    document = page.request.get("/docs/recruitment/v1/openapi.json")
    assert document.ok and document.json()["info"]["title"] == "Recruitment API"


def test_a_vacancy_url_from_the_api_is_a_page_showing_the_advert(
    page: Any, site: Site, key: str
) -> None:
    answer = httpx.get(
        f"{site.url}/vacancies/vacancy/",
        headers={"Ocp-Apim-Subscription-Key": key, "X-Version": "2"},
        timeout=10,
    )
    assert answer.status_code == 404  # a near miss is the gateway's, never a redirect
    search = httpx.get(
        f"{site.url}/vacancies/vacancy",
        params={"PageSize": 1, "IncludeDetails": "true"},
        headers={"Ocp-Apim-Subscription-Key": key, "X-Version": "2"},
        timeout=10,
    )
    assert search.status_code == 200
    [advert] = search.json()["vacancies"]
    assert re.fullmatch(
        rf"{re.escape(site.url)}/apprenticeship/reference/\d+", advert["vacancyUrl"]
    )
    response = page.goto(advert["vacancyUrl"])
    assert response is not None and response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == advert["title"]
    assert page.title() == f"{advert['title']} - Apprenticeship Service APIs"
    assert page.locator("#employer-name").inner_text() == advert["employerName"]
    assert page.locator("#course").inner_text() == advert["course"]["title"]
    skills = page.locator("#skills li").all_inner_texts()
    assert skills == advert["skills"]
    assert f"VAC{advert['vacancyReference']}" in page.locator("#summary").inner_text()
    check_page(page, "advert")


@pytest.mark.parametrize(
    ("path", "name"),
    [("/docs/nothing/v1", "docs-not-found"), ("/apprenticeship/reference/1", "advert-not-found")],
)
def test_unknown_pages_are_styled_404s(page: Any, path: str, name: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    check_page(page, name)
