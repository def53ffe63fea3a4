"""Advert review in Chromium: a platform admin approves a submitted advert and it is live
in the Display advert API; an employer's Owner approves a provider's advert waiting in
Review, and closes a live advert early. Organisations, people, permissions and keys come
from the CLI; adverts from the real Recruitment API."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Site, check_page
from tests.portal.support import csrf_token
from tests.recruitment.bodies import valid_body

PASSWORD = "a long and unusual passphrase"
SUBMITTER = "sam@acme.example.com"  # the submitter contact in valid_body()


@dataclass
class Seeded:
    site: Site
    legal_entity: str
    keys: dict[str, str]
    admin: str
    owner: str

    def create_advert(self, key: str, title: str) -> str:
        """An advert through the Recruitment API: the employer's key makes it Submitted,
        the provider needing the employer's agreement makes it Review."""
        body = valid_body(self.legal_entity, ukprn=None if key == "provider" else 10000001)
        body["title"] = title
        response = httpx.post(
            f"{self.site.url}/managevacancies/vacancy/{uuid.uuid4()}",
            json=body,
            headers={"Ocp-Apim-Subscription-Key": self.keys[key], "X-Version": "1"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        reference: str = response.json()["vacancyReference"]
        return reference

    def displayed(self, reference: str) -> httpx.Response:
        return httpx.get(
            f"{self.site.url}/vacancies/vacancy/{reference}",
            headers={"Ocp-Apim-Subscription-Key": self.keys["display"], "X-Version": "2"},
            timeout=10,
        )


def _set_password(site: Site, email: str) -> None:
    """Open the invitation link and set a password, as the invited person would."""
    link = site.link_in(site.mail_to(email), "/portal/set-password/")
    with httpx.Client(timeout=10) as client:
        form = client.get(link)
        assert form.status_code == 200, form.text
        done = client.post(link, data={"password": PASSWORD, "csrf_token": csrf_token(form.text)})
        assert done.status_code == 200 and "Your password is set" in done.text


@pytest.fixture(scope="module")
def seeded(site: Site) -> Seeded:
    employer = site.cli("accounts", "add-employer", "--name", "Harbour Foods").strip()
    legal_entity = site.cli(
        "accounts", "add-legal-entity", "--employer", employer, "--name", "Harbour Foods Ltd"
    ).strip()
    site.cli("accounts", "add-provider", "--ukprn", "10000001", "--name", "Northfield College")
    site.cli("accounts", "add-provider", "--ukprn", "10000002", "--name", "Southgate Training")
    site.cli(
        "accounts", "grant", "--provider", "10000002", "--legal-entity", legal_entity,
        "--permission", "RecruitmentRequiresReview",
    )  # fmt: skip
    site.cli("accounts", "add-developer", "--email", "board@jobs.example.com")

    def key(product: str, owner: str) -> str:
        return site.cli("keys", "issue", "--product", product, "--owner", owner).strip()

    keys = {
        "employer": key("recruitment", f"employer:{employer}"),
        "provider": key("recruitment", "provider:10000002"),
        "display": key("display-advert", "developer:board@jobs.example.com"),
    }
    admin, owner = "reviewer@platform.example.com", "owner@harbourfoods.example.com"
    site.cli("accounts", "add-admin", "--email", admin, "--name", "Rita Reviewer")
    site.cli(
        "accounts", "add-person", "--email", owner, "--name", "Omar Owner",
        "--employer", employer, "--role", "Owner",
    )  # fmt: skip
    for person in (admin, owner):
        _set_password(site, person)
    return Seeded(site, legal_entity, keys, admin, owner)


def sign_in(page: Any, email: str) -> None:
    page.goto("/portal/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def heading(page: Any) -> str:
    text: str = page.get_by_role("heading", level=1).inner_text()
    return text


def test_a_platform_admin_approves_a_submitted_advert_and_it_is_live(
    page: Any, seeded: Seeded
) -> None:
    reference = seeded.create_advert("employer", "Apprentice Pastry Chef")
    assert seeded.displayed(reference).status_code == 404
    sign_in(page, seeded.admin)
    # Admins without an organisation land on the queue.
    assert heading(page) == "Submitted adverts"
    check_page(page, "admin-adverts")
    page.get_by_role("link", name=f"VAC{reference}").click()
    assert heading(page) == "Apprentice Pastry Chef"
    assert "Harbour Foods Ltd" in page.inner_text("main")
    check_page(page, "admin-advert")

    # Rejecting needs a reason: the error summary links to the field.
    page.get_by_role("button", name="Reject").click()
    assert page.title().startswith("Error: ")
    page.get_by_role("alert").get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.id") == "reason"
    check_page(page, "admin-advert-error")

    page.get_by_role("button", name="Approve").click()
    assert heading(page) == "Advert approved"
    check_page(page, "admin-advert-approved")
    shown = seeded.displayed(reference)
    assert shown.status_code == 200
    assert shown.json()["title"] == "Apprentice Pastry Chef"
    message = seeded.site.mail_to(SUBMITTER, f"VAC{reference} is live")
    assert "Apprentice Pastry Chef" in str(message.get_body(preferencelist=("plain",)))

    page.get_by_role("link", name="Back to submitted adverts").click()
    assert page.get_by_role("link", name=f"VAC{reference}").count() == 0


def test_an_employer_owner_approves_an_advert_in_review(page: Any, seeded: Seeded) -> None:
    reference = seeded.create_advert("provider", "Apprentice Baker")
    sign_in(page, seeded.owner)
    page.goto("/portal/review")
    assert heading(page) == "Adverts to review"
    check_page(page, "employer-review")
    page.get_by_role("link", name=f"VAC{reference}").click()
    main = page.inner_text("main")
    assert "Southgate Training (UKPRN 10000002)" in main and "Waiting for the employer" in main
    check_page(page, "employer-review-advert")
    page.get_by_role("button", name="Approve").click()
    assert heading(page) == "Advert approved"
    check_page(page, "employer-review-approved")
    # It now waits for the platform's reviewers, and is not live yet.
    assert f"VAC{reference}" in seeded.site.cli("vacancies", "list")
    assert seeded.displayed(reference).status_code == 404
    seeded.site.mail_to(SUBMITTER, f"VAC{reference} was approved by the employer")


def test_an_employer_owner_closes_a_live_advert_early(page: Any, seeded: Seeded) -> None:
    reference = seeded.create_advert("employer", "Apprentice Butcher")
    seeded.site.cli("vacancies", "approve", reference)
    assert seeded.displayed(reference).status_code == 200
    sign_in(page, seeded.owner)
    page.goto("/portal/review")
    page.get_by_label("Advert reference").fill(f"VAC{reference}")
    page.get_by_role("button", name="Find advert").click()
    assert heading(page) == "Apprentice Butcher"
    check_page(page, "employer-live-advert")
    page.get_by_role("button", name="Close advert").click()
    assert heading(page) == "Advert closed"
    check_page(page, "employer-advert-closed")
    deadline = time.monotonic() + 1.0
    while seeded.displayed(reference).status_code != 404:
        assert time.monotonic() < deadline, "still in the Display advert API after 1 s"
        time.sleep(0.05)
    seeded.site.mail_to(SUBMITTER, f"VAC{reference} has closed")
