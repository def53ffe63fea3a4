"""The Team, Training providers and Audit log pages in Chromium, as people use them: an
employer's Owner (added at the CLI) invites a Viewer through the Team page, the Viewer
follows the emailed link, sets a password, signs in and sees the team without its
forms; the Owner changes a role, removes someone, gives a training provider permission,
changes and removes it, and reads the audit log; a platform admin reads every
organisation's log. axe-core checks every page visited."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site, check_page

PASSWORD = "a long enough passphrase 42"


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def set_password_and_sign_in(page: Any, site: Site, email: str, name: str) -> None:
    """Follow the newest emailed set-password link, set a password and sign in."""
    link = site.link_in(site.mail_to(email), "/portal/set-password/")
    page.goto(path_of(link))
    check_page(page, f"{name}-set-password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.get_by_role("heading", name="Your password is set").wait_for()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/portal/sign-in" not in url)


def row_of(page: Any, text: str) -> Any:
    return page.get_by_role("row").filter(has_text=text)


def test_an_owner_runs_the_team_and_training_providers_and_reads_the_audit_log(
    page: Any, site: Site
) -> None:
    employer = site.cli("accounts", "add-employer", "--name", "Acme Engineering").strip()
    site.cli(
        "accounts", "add-person", "--email", "olive@acme.example", "--name", "Olive Owner",
        "--employer", employer, "--role", "Owner",
    )  # fmt: skip
    site.cli("accounts", "add-legal-entity", "--employer", employer, "--name", "Acme Ltd")
    site.cli("accounts", "add-provider", "--ukprn", "10000001", "--name", "Northfield College")
    set_password_and_sign_in(page, site, "olive@acme.example", "owner")

    # -- the team: invite a Viewer ----------------------------------------------------
    page.goto("/portal/team")
    assert page.title() == "Team - Apprenticeship Service APIs"
    check_page(page, "team-owner")
    page.get_by_role("button", name="Send invitation").click()
    assert page.title().startswith("Error: Team")
    check_page(page, "team-errors")
    page.get_by_label("Email address").fill("viv@acme.example")
    page.get_by_label("Full name").fill("Viv Viewer")
    page.get_by_label("Viewer", exact=True).check()
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_role("heading", name="Invitation sent").wait_for()
    check_page(page, "team-invitation-sent")
    page.get_by_role("link", name="Go back to your team").click()
    assert "Invitation sent" in row_of(page, "Viv Viewer").inner_text()

    # -- change a role, remove someone -------------------------------------------------
    page.get_by_label("Email address").fill("tess@acme.example")
    page.get_by_label("Full name").fill("Tess Lee")
    page.get_by_label("Transactor", exact=True).check()
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_role("link", name="Go back to your team").click()
    page.get_by_role("link", name="Change role for Tess Lee").click()
    assert page.get_by_label("Transactor", exact=True).is_checked()
    check_page(page, "team-change-role")
    page.get_by_label("Viewer", exact=True).check()
    page.get_by_role("button", name="Change role").click()
    page.wait_for_url("**/portal/team")
    assert "Viewer" in row_of(page, "Tess Lee").inner_text()
    page.get_by_role("link", name="Remove Tess Lee").click()
    check_page(page, "team-remove")
    page.get_by_role("button", name="Remove from team").click()
    page.wait_for_url("**/portal/team")
    assert row_of(page, "Tess Lee").count() == 0

    # The last Owner cannot step down: the form says why.
    page.get_by_role("link", name="Change role for Olive Owner").click()
    page.get_by_label("Viewer", exact=True).check()
    page.get_by_role("button", name="Change role").click()
    assert "There must be at least one Owner" in page.locator(".govuk-error-summary").inner_text()
    check_page(page, "team-last-owner")

    # -- training providers ------------------------------------------------------------
    page.get_by_role("link", name="Training providers").click()
    page.wait_for_url("**/portal/providers")
    check_page(page, "providers")
    page.get_by_role("button", name="Give permission").click()
    check_page(page, "providers-errors")
    page.get_by_label("Training provider's UKPRN").fill("10000001")
    page.get_by_label("Acme Ltd").check()
    page.get_by_label("Recruitment", exact=True).check()
    page.get_by_role("button", name="Give permission").click()
    page.wait_for_url("**/portal/providers")
    assert "Recruitment" in row_of(page, "Northfield College").inner_text()
    page.get_by_role("link", name="Change permission of Northfield College for Acme Ltd").click()
    check_page(page, "providers-change")
    page.get_by_label("Recruitment, with your review").check()
    page.get_by_role("button", name="Change permission").click()
    page.wait_for_url("**/portal/providers")
    assert "Recruitment, with your review" in row_of(page, "Northfield College").inner_text()
    page.get_by_role("link", name="Remove Northfield College from Acme Ltd").click()
    check_page(page, "providers-remove")
    page.get_by_role("button", name="Remove permission").click()
    page.wait_for_url("**/portal/providers")
    assert row_of(page, "Northfield College").count() == 0

    # -- the audit log -------------------------------------------------------------------
    page.get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/portal/audit")
    check_page(page, "audit-owner")
    log = page.locator("tbody").inner_text()
    for what in (
        "Provider permission removed",
        "Provider permission changed",
        "Provider permission granted",
        "Person removed",
        "Role changed",
        "Invitation sent",
    ):
        assert what in log
    assert log.index("Provider permission removed") < log.index("Invitation sent")

    # -- the invited Viewer ----------------------------------------------------------------
    page.get_by_role("button", name="Sign out").click()
    set_password_and_sign_in(page, site, "viv@acme.example", "viewer")
    page.goto("/portal/team")
    check_page(page, "team-viewer")
    assert row_of(page, "Olive Owner").count() == 1
    assert row_of(page, "Viv Viewer").count() == 1
    assert page.get_by_role("button", name="Send invitation").count() == 0
    assert page.get_by_role("link", name="Change role for Olive Owner").count() == 0
    assert page.get_by_role("link", name="Training providers").count() == 0
    assert page.get_by_role("link", name="Audit log").count() == 0
    assert page.goto("/portal/audit").status == 404
    assert page.goto("/portal/providers").status == 404


def test_a_platform_admin_reads_every_organisations_audit_log(page: Any, site: Site) -> None:
    site.cli("accounts", "add-admin", "--email", "ops@example.com", "--name", "Ops")
    employer = site.cli("accounts", "add-employer", "--name", "Brightway Care").strip()
    site.cli(
        "accounts", "add-person", "--email", "bea@brightway.example", "--name", "Bea",
        "--employer", employer, "--role", "Owner",
    )  # fmt: skip
    set_password_and_sign_in(page, site, "bea@brightway.example", "brightway-owner")
    page.goto("/portal/team")
    page.get_by_role("button", name="Sign out").click()
    set_password_and_sign_in(page, site, "ops@example.com", "admin")
    page.goto("/portal/audit")
    check_page(page, "audit-admin")
    assert page.get_by_role("columnheader", name="Organisation").count() == 1
    signed_in = row_of(page, "bea@brightway.example").filter(has_text="Signed in")
    assert "Brightway Care" in signed_in.first.inner_text()
