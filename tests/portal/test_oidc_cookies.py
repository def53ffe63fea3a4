"""The cookie that carries an OpenID Connect sign-in in progress: only the platform can
make one, and it gives back exactly what was put in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from apprenticeships.accounts.oidc import PendingSignIn
from apprenticeships.portal.oidc import MAX_COOKIE_LENGTH, PendingCookies

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_sealed_sign_in_unseals_as_it_was() -> None:
    pending = PendingSignIn.new(NOW)
    cookies = PendingCookies(b"platform secret")
    sealed = cookies.seal(pending)
    assert len(sealed) < MAX_COOKIE_LENGTH
    assert cookies.unseal(sealed) == pending


def test_another_platforms_cookie_is_not_accepted() -> None:
    sealed = PendingCookies(b"another platform's secret").seal(PendingSignIn.new(NOW))
    assert PendingCookies(b"platform secret").unseal(sealed) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda v: "",
        lambda v: v.split(".")[0],
        lambda v: v + ".x",
        lambda v: "A" + v,
        # A character of the MAC whose every bit counts (the last one's do not all).
        lambda v: v[:-10] + ("A" if v[-10] != "A" else "B") + v[-9:],
        lambda v: v.replace(".", ".!"),
        lambda v: v + "A" * MAX_COOKIE_LENGTH,
    ],
)
def test_a_changed_cookie_is_not_accepted(change: object) -> None:
    cookies = PendingCookies(b"platform secret")
    sealed = cookies.seal(PendingSignIn.new(NOW))
    assert callable(change)
    assert cookies.unseal(change(sealed)) is None
    assert cookies.unseal(None) is None
