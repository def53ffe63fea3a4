"""The OpenID Connect client's own rules, without a provider: PKCE, how long a sign-in
may take, what discovery and JWKS documents must hold, and the settings that turn it on.
(Everything that talks to a provider is tested against one in tests/portal/test_oidc.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from apprenticeships.accounts.oidc import (
    BASIC,
    LEEWAY,
    PENDING_LIFETIME,
    POST,
    OidcClient,
    OidcConfig,
    OidcFailed,
    OidcRefusal,
    PendingSignIn,
    _checked_metadata,
    _signing_keys,
)
from apprenticeships.settings import Settings

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ISSUER = "https://login.quillfeather.example"
CONFIG = OidcConfig(
    issuer=ISSUER,
    client_id="portal",
    client_secret="s3cret-value",
    redirect_uri="https://apprenticeships.example/portal/sign-in/oidc/callback",
)


def metadata(**changes: Any) -> dict[str, Any]:
    document = {
        "issuer": ISSUER,
        "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token",
        "jwks_uri": f"{ISSUER}/jwks",
    }
    document.update(changes)
    return {name: value for name, value in document.items() if value is not None}


def test_the_pkce_challenge_is_rfc_7636s_s256() -> None:
    # RFC 7636, appendix B.
    pending = PendingSignIn(
        state="s", nonce="n", code_verifier="dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        started_at=NOW,
    )  # fmt: skip
    assert pending.code_challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_each_sign_in_has_its_own_unguessable_values() -> None:
    first, second = PendingSignIn.new(NOW), PendingSignIn.new(NOW)
    assert len({first.state, first.nonce, first.code_verifier}) == 3
    assert first.state != second.state and first.nonce != second.nonce
    assert 43 <= len(first.code_verifier) <= 128
    assert first.nonce not in repr(first) and first.code_verifier not in repr(first)


def test_a_sign_in_lasts_ten_minutes() -> None:
    pending = PendingSignIn.new(NOW)
    assert not pending.expired(NOW)
    assert not pending.expired(NOW + PENDING_LIFETIME - timedelta(seconds=1))
    assert pending.expired(NOW + PENDING_LIFETIME)
    # One started "in the future" beyond the leeway is not ours either.
    assert pending.expired(NOW - LEEWAY - timedelta(seconds=1))


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("pending", "answer", "at"),
    [
        (None, {"state": "x", "code": "c"}, NOW),
        (PendingSignIn("right", "n", "v" * 43, NOW), {"state": "wrong", "code": "c"}, NOW),
        (PendingSignIn("right", "n", "v" * 43, NOW), {"code": "c"}, NOW),
        (
            PendingSignIn("right", "n", "v" * 43, NOW),
            {"state": "right", "code": "c"},
            NOW + PENDING_LIFETIME,
        ),
    ],
)
async def test_an_answer_that_is_not_this_browsers_sign_in_is_refused_before_any_request(
    pending: PendingSignIn | None, answer: dict[str, str], at: datetime
) -> None:
    def no_http() -> Any:
        raise AssertionError("nothing may be sent to the provider")

    client = OidcClient(CONFIG, lambda: at, http=no_http)
    with pytest.raises(OidcFailed) as failure:
        await client.complete(pending, answer)
    assert failure.value.reason is OidcRefusal.STATE


def test_the_config_never_shows_the_client_secret() -> None:
    assert "s3cret-value" not in repr(CONFIG)


# -- discovery and keys ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("methods", "chosen"),
    [
        (None, BASIC),  # the default when a provider does not say
        ([BASIC, POST], BASIC),
        ([POST], POST),
        (["private_key_jwt", POST], POST),
    ],
)
def test_the_client_authenticates_as_the_provider_allows(
    methods: list[str] | None, chosen: str
) -> None:
    document = metadata(token_endpoint_auth_methods_supported=methods)
    assert _checked_metadata(document, ISSUER).token_auth_method == chosen


@pytest.mark.parametrize(
    "document",
    [
        metadata(issuer="https://login.elsewhere.example"),
        metadata(issuer=ISSUER + "/"),  # must be exactly the issuer configured
        metadata(token_endpoint=None),
        metadata(jwks_uri="http://login.quillfeather.example/jwks"),  # not https
        metadata(authorization_endpoint=7),
        metadata(token_endpoint_auth_methods_supported=["private_key_jwt"]),
    ],
)
def test_a_discovery_document_that_does_not_fit_is_refused(document: dict[str, Any]) -> None:
    with pytest.raises(OidcFailed) as failure:
        _checked_metadata(document, ISSUER)
    assert failure.value.reason is OidcRefusal.UNAVAILABLE


def test_only_published_signing_keys_are_used() -> None:
    from joserfc.jwk import RSAKey

    signing = RSAKey.generate_key(2048, private=True, auto_kid=True)
    encryption = RSAKey.generate_key(2048, private=True, auto_kid=True)
    keys = _signing_keys(
        {
            "keys": [
                {**signing.as_dict(private=False), "use": "sig"},
                {**encryption.as_dict(private=False), "use": "enc"},
                {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
                "not a key",
            ]
        }
    )
    assert [key.kid for key in keys] == [signing.kid]
    for document in (
        {},
        {"keys": []},
        {"keys": [{**encryption.as_dict(private=True), "use": "sig"}]},
    ):
        # No keys, or only a private key published by mistake: nothing to trust.
        with pytest.raises(OidcFailed):
            _signing_keys(document)


# -- settings -------------------------------------------------------------------------


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_oidc_is_off_unless_an_issuer_is_set() -> None:
    assert not settings().oidc_enabled
    assert not settings(oidc_issuer="  ").oidc_enabled
    on = settings(oidc_issuer=ISSUER, oidc_client_id="portal", oidc_client_secret="s3cret-value")
    assert on.oidc_enabled
    assert (on.oidc_organisation_claim, on.oidc_role_claim) == ("organisation", "role")
    assert "s3cret-value" not in repr(on)


@pytest.mark.parametrize(
    "values",
    [
        {"oidc_issuer": ISSUER},  # no client
        {"oidc_issuer": ISSUER, "oidc_client_id": "portal"},  # no secret
        {
            "oidc_issuer": "http://login.quillfeather.example",
            "oidc_client_id": "p",
            "oidc_client_secret": "s",
        },  # plain HTTP off this machine
        {
            "oidc_issuer": "https://user:pw@login.quillfeather.example",
            "oidc_client_id": "p",
            "oidc_client_secret": "s",
        },
        {
            "oidc_issuer": ISSUER,
            "oidc_client_id": "p",
            "oidc_client_secret": "s",
            "oidc_scopes": "email profile",
        },
    ],
)
def test_settings_that_cannot_work_are_refused_at_start(values: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        settings(**values)


def test_a_provider_on_this_machine_may_use_plain_http() -> None:
    local = settings(
        oidc_issuer="http://127.0.0.1:8080/realms/apprenticeships",
        oidc_client_id="p",
        oidc_client_secret="s",
    )
    assert local.oidc_issuer == "http://127.0.0.1:8080/realms/apprenticeships"
