"""The portal issue's first journey, end to end in Chromium: a developer registers,
confirms from the captured email, signs in, gets a Display advert key, calls the API
with it, rotates it with "Stop it now" (the old key is refused within a second, the new
one works), deletes it (refused), and cannot reach another organisation's key."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Site, check_page
from tests.browser.test_auth import PASSWORD, register
from tests.browser.test_keys import api_status, get_key, stops_within_a_second


def test_register_to_deleted_key(page: Any, site: Site) -> None:
    address = register(page, site)
    page.goto(site.link_in(site.mail_to(address), "/portal/confirm/"))
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/portal/apis$"))

    key = get_key(page, "Display advert API", "Journey")
    assert key.startswith("appr_live_")
    assert api_status(site, key) == 200

    page.get_by_role("link", name="Back to API keys").click()
    page.get_by_role("link", name="Rotate Journey", exact=True).click()
    page.get_by_label("Stop it now").check()
    page.get_by_role("button", name="Rotate key").click()
    new_key = page.locator("#api-key").inner_text().strip()
    assert new_key != key
    stops_within_a_second(site, key)
    assert api_status(site, new_key) == 200

    page.get_by_role("link", name="Back to API keys").click()
    page.get_by_role("link", name="Delete Journey", exact=True).click()
    page.get_by_role("button", name="Delete key").click()
    stops_within_a_second(site, new_key)

    # Another developer's key, by its id in the address: a 404, and it keeps working.
    other = site.cli("accounts", "add-developer", "--email", f"other-{address}")
    assert other
    issued = site.harness.cli(
        "keys", "issue", "--product", "display-advert", "--owner", f"developer:other-{address}",
        settings=site.settings,
    )  # fmt: skip
    key_id = re.search(r"(key_[0-9a-f]+)", issued.stderr)
    assert key_id is not None
    for path in (
        f"/portal/keys/{key_id.group(1)}/rotate",
        f"/portal/keys/{key_id.group(1)}/delete",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 404
    check_page(page, "other-organisations-key")
    assert api_status(site, issued.stdout.strip()) == 200
