"""The usage pages in Chromium after real traffic: a developer invited at the CLI sets a
password from the emailed link and signs in; their key's calls (some refused with 429)
reach the chart, the table and the status-code mix; axe-core checks both pages."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Site, check_page

# Counts reach the database every half second here, rather than every 10.
SITE_SETTINGS = {"APPRENTICESHIPS_USAGE_FLUSH_SECONDS": "0.5"}
DEVELOPER = "browser-usage@example.com"
PASSWORD = "a long and unusual passphrase"
USAGE_TIMEOUT_SECONDS = 20.0


@pytest.fixture(scope="module")
def key(site: Site) -> str:
    site.cli("accounts", "add-developer", "--email", DEVELOPER)
    issued = site.cli(
        "keys", "issue", "--product", "display-advert", "--owner", f"developer:{DEVELOPER}",
        "--name", "Job board",
    ).strip()  # fmt: skip
    site.cli(
        "limits", "set", "4/300", "--product", "display-advert", "--owner", f"developer:{DEVELOPER}"
    )
    statuses = [
        httpx.get(
            f"{site.url}/vacancies/vacancy",
            headers={"Ocp-Apim-Subscription-Key": issued, "X-Version": "2"},
            timeout=10,
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429]
    return issued


def sign_in(page: Any, site: Site) -> None:
    page.goto(site.link_in(site.mail_to(DEVELOPER), "/portal/set-password/"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.goto("/portal/sign-in")
    page.get_by_label("Email address").fill(DEVELOPER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_usage_pages_chart_the_keys_calls(page: Any, site: Site, key: str) -> None:
    sign_in(page, site)
    deadline = time.monotonic() + USAGE_TIMEOUT_SECONDS
    while True:
        response = page.goto("/portal/usage")
        assert response is not None and response.status == 200
        if page.locator("#usage-requests").inner_text() == "6":
            break
        assert time.monotonic() < deadline, "the calls never reached the usage page"
        time.sleep(0.25)
    assert page.get_by_role("heading", level=1).inner_text() == "Usage"
    assert page.locator("#usage-429").inner_text() == "2"
    chart = page.get_by_role("img", name="Requests per hour made with")
    assert chart.count() == 1
    box = chart.bounding_box()
    assert box is not None and box["width"] > 500 and box["height"] > 100
    bars = page.locator("svg#usage-chart rect")
    assert sorted(
        (bars.nth(i).get_attribute("data-class"), bars.nth(i).get_attribute("data-requests"))
        for i in range(bars.count())
    ) == [("2xx", "4"), ("429", "2")]
    # The figures are in a table, folded away until asked for.
    table = page.locator("#usage-hours-table")
    assert not table.is_visible()
    page.get_by_text("Requests per hour as a table").click()
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 168
    last = table.locator("tbody tr").last
    assert last.locator('td[data-class="all"]').inner_text() == "6"
    assert last.locator('td[data-class="429"]').inner_text() == "2"
    mix = page.get_by_role("table", name="Answers by status code")
    assert "Rate limited (429)\t2\t33.3%" in mix.inner_text()
    check_page(page, "usage")

    page.get_by_role("link", name="Job board usage").click()
    page.wait_for_url("**/portal/keys/*/usage")
    assert page.get_by_role("heading", level=1).inner_text() == "Usage of Job board"
    assert page.locator("#usage-requests").inner_text() == "6"
    assert page.locator("#key-facts").inner_text().count(key[-4:]) == 1
    check_page(page, "key-usage")
