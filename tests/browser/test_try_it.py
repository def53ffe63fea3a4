"""Try it in Chromium: a person opens an operation's "Try it in the sandbox" on its
reference page, pastes a sandbox key from the CLI, fills the form and sends it, and
reads the request and the sandbox's answer; a GET and a POST, each page checked by
axe-core. The key is on no page and in none of the server's output (its access log on)."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Site, check_page
from tests.recruitment.bodies import valid_body

SITE_SETTINGS = {"APPRENTICESHIPS_ACCESS_LOG": "true"}
DEVELOPER = "browser-try@example.com"


@pytest.fixture(scope="module")
def world(site: Site) -> dict[str, str]:
    """Sandbox keys, as an operator issues them, and an employer's legal entity."""
    employer = site.cli("accounts", "add-employer", "--name", "Tryit Engineering").strip()
    entity = site.cli(
        "accounts", "add-legal-entity", "--employer", employer, "--name", "Tryit Engineering Ltd"
    ).strip()
    site.cli("accounts", "add-provider", "--ukprn", "10000001", "--name", "Northfield College")
    site.cli("accounts", "add-developer", "--email", DEVELOPER)

    def issue(product: str, owner: str) -> str:
        return site.cli("keys", "issue", "--product", product, "--owner", owner).strip()

    return {
        "display": issue("display-advert-sandbox", f"developer:{DEVELOPER}"),
        "recruitment": issue("recruitment-sandbox", f"employer:{employer}"),
        "legal_entity": entity,
    }


def open_try_it(page: Any, path: str, anchor: str) -> Any:
    response = page.goto(path)
    assert response is not None and response.status == 200
    section = page.locator(f"section#{anchor}")
    section.get_by_text("Try it in the sandbox").click()
    return section


def headers_shown(page: Any) -> dict[str, str]:
    rows = page.locator("#try-headers tbody tr")
    return {
        rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td").inner_text()
        for i in range(rows.count())
    }


def test_trying_a_search_shows_the_request_and_the_sandbox_answer(
    page: Any, site: Site, world: dict[str, str]
) -> None:
    section = open_try_it(page, "/docs/display-advert/v2", "SearchVacancies")
    section.get_by_label("Sandbox key").fill(world["display"])
    section.get_by_label("PageSize (optional)").fill("3")
    section.get_by_label("Sort (optional)").select_option("AgeAsc")
    check_page(page, "try-it-form")
    section.get_by_role("button", name="Send request to Search live apprenticeship adverts").click()
    page.wait_for_url("**/docs/display-advert/v2/try/SearchVacancies")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Try search live apprenticeship adverts in the sandbox"
    )
    assert page.locator("#try-status").inner_text() == "200 OK"
    curl = page.locator("#try-curl").inner_text()
    assert curl.startswith(
        f"curl -sS -i '{site.url}/sandbox/vacancies/vacancy?PageSize=3&Sort=AgeAsc'"
    )
    assert "$APPRENTICESHIPS_SANDBOX_API_KEY" in curl
    assert page.locator("#try-key").inner_text() == f"appr_sandbox_…{world['display'][-4:]}"
    assert "total" in json.loads(page.locator("#try-body").inner_text())
    assert re.fullmatch(r'"default";r=\d+;t=\d+', headers_shown(page)["ratelimit"])
    # The form is there again for another go, filled in but for the key.
    assert page.get_by_label("PageSize (optional)").input_value() == "3"
    assert page.get_by_label("Sandbox key").input_value() == ""
    assert world["display"] not in page.content()
    check_page(page, "try-it-answer")
    page.get_by_role("link", name="Back to the Display advert API version 2 reference").click()
    assert page.url.endswith("/docs/display-advert/v2#SearchVacancies")


def test_trying_a_create_sends_the_body_and_shows_the_201(
    page: Any, site: Site, world: dict[str, str]
) -> None:
    section = open_try_it(page, "/docs/recruitment/v1", "CreateVacancy")
    section.get_by_label("Sandbox key").fill(world["recruitment"])
    section.get_by_label("id").fill(str(uuid.uuid4()))
    body = section.get_by_label("Request body (application/json)")
    assert json.loads(body.input_value())  # it starts with the example body
    body.fill(json.dumps(valid_body(world["legal_entity"]), indent=2))
    section.get_by_role("button", name="Send request to Create an apprenticeship advert").click()
    page.wait_for_url("**/docs/recruitment/v1/try/CreateVacancy")
    assert page.locator("#try-status").inner_text() == "201 Created"
    assert json.loads(page.locator("#try-body").inner_text()) == {"vacancyReference": "1000000001"}
    assert "--data-binary @- <<'JSON'" in page.locator("#try-curl").inner_text()
    assert world["recruitment"] not in page.content()
    check_page(page, "try-it-created")

    # Without a key, the form says so and nothing is sent.
    page.get_by_role("button", name="Send request to Create an apprenticeship advert").click()
    assert page.title().startswith("Error: ")
    page.get_by_role("alert").get_by_role("link", name="Enter your sandbox key").click()
    assert page.evaluate("() => document.activeElement.id") == "try-CreateVacancy-key"
    assert page.locator("#try-status").count() == 0
    check_page(page, "try-it-error")


def test_the_keys_are_in_none_of_the_servers_output(site: Site, world: dict[str, str]) -> None:
    # One more try, as a script would send it, so this test stands on its own.
    path = "/docs/display-advert/v2/try/GetRoutes"
    with httpx.Client(base_url=site.url, timeout=10) as client:
        form = client.get(path)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        answer = client.post(
            path,
            data={"csrf_token": token.group(1), "key": world["display"], "header.X-Version": "2"},
        )
        assert answer.status_code == 200 and "200 OK" in answer.text
    deadline = time.monotonic() + 5
    while '"environment":"sandbox"' not in site.server.full_output():  # the access log is on
        assert time.monotonic() < deadline, "no access log line"
        time.sleep(0.05)
    output = site.server.full_output()
    for name in ("display", "recruitment"):
        secret = world[name]
        assert secret not in output
        assert secret.removeprefix("appr_sandbox_") not in output
