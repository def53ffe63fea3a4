"""OpenID Connect sign-in, over HTTP: the platform (httpx against the ASGI app) signs
people in through a real OpenID provider the tests start (tests/support/oidc_provider.py),
which the platform's client calls over loopback HTTP for discovery, keys and tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import select

from apprenticeships.accounts.oidc import KEYS_REFETCH_INTERVAL
from apprenticeships.accounts.service import AccountService
from apprenticeships.accounts.vocabulary import OrganisationStatus, Role
from apprenticeships.app import Platform
from apprenticeships.audit.vocabulary import AuditAction
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import AuditEvent, Membership, Organisation, User
from tests.conftest import PlatformFactory, client_for
from tests.portal.support import make_person, path_of
from tests.support.oidc_provider import OpenIdProvider

pytestmark = pytest.mark.asyncio

OIDC_LINK = 'href="/portal/sign-in/oidc"'


@pytest.fixture(scope="module")
def running_provider() -> Iterator[OpenIdProvider]:
    provider = OpenIdProvider()
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
def provider(running_provider: OpenIdProvider) -> Iterator[OpenIdProvider]:
    running_provider.reset()
    yield running_provider
    running_provider.reset()


@pytest.fixture
async def platform(
    platform_factory: PlatformFactory, provider: OpenIdProvider
) -> AsyncIterator[Platform]:
    async with platform_factory(**provider.settings()) as running:
        yield running


async def add_organisation(platform: Platform, kind: OwnerKind, ukprn: str = "10000042") -> str:
    """An employer's hashed id or a provider's UKPRN, as the organisation claim names it."""
    now = datetime.now(UTC)
    async with unit_of_work(platform.sessions) as session:
        accounts = AccountService(session)
        if kind is OwnerKind.EMPLOYER:
            organisation = await accounts.add_employer("Quillfeather Engineering", now)
        else:
            organisation = await accounts.add_provider(ukprn, "Northfield College", now)
        return f"{kind.value}:{organisation.public_id}"


async def start(client: httpx.AsyncClient) -> str:
    """Follow the sign-in link: where the platform sends the browser (the provider)."""
    response = await client.get("/portal/sign-in/oidc")
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def at_provider(authorize_url: str) -> str:
    """The browser at the provider, which signs the person in at once: the callback URL
    it sends them back to."""
    async with httpx.AsyncClient() as browser:
        response = await browser.get(authorize_url)
    assert response.status_code == 302, response.text
    return response.headers["location"]


async def oidc_sign_in(client: httpx.AsyncClient) -> httpx.Response:
    return await client.get(path_of(await at_provider(await start(client))))


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return f"{parts.path}?{urlencode(query)}"


def assert_refused(response: httpx.Response, status: int, text: str) -> None:
    assert response.status_code == status, response.text
    assert text in response.text
    assert "portal_session=" not in response.headers.get("set-cookie", "")


async def signed_in_as(client: httpx.AsyncClient) -> str | None:
    account = await client.get("/portal/account")
    if account.status_code != 200:
        return None
    marker = "Signed in as "
    return account.text.split(marker, 1)[1].split("<", 1)[0].strip().rstrip(".")


async def audit(platform: Platform, action: AuditAction) -> list[AuditEvent]:
    async with platform.sessions() as session:
        return list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


async def membership(platform: Platform, email: str) -> list[tuple[str, str, str]]:
    async with platform.sessions() as session:
        rows = await session.execute(
            select(Organisation.kind, Organisation.public_id, Membership.role)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .join(User, Membership.user_id == User.id)
            .where(User.email == email)
            .order_by(Organisation.id)
        )
        return [(kind, public_id, role) for kind, public_id, role in rows.all()]


# -- signing in ---------------------------------------------------------------------------


async def test_an_employer_owner_signs_in_and_becomes_a_member(
    platform: Platform, client: httpx.AsyncClient, provider: OpenIdProvider
) -> None:
    organisation = await add_organisation(platform, OwnerKind.EMPLOYER)
    provider.sign_in_as("Olu.Owner@Quillfeather.example", organisation, "Owner", name="Olu Owner")

    page = await client.get("/portal/sign-in")
    assert OIDC_LINK in page.text

    started = await client.get("/portal/sign-in/oidc")
    assert started.status_code == 303
    authorize = started.headers["location"]
    pending = started.headers["set-cookie"]
    assert pending.startswith("portal_oidc=")
    assert "HttpOnly" in pending and "SameSite=lax" in pending
    assert "Path=/portal/sign-in/oidc" in pending and "Max-Age=600" in pending
    assert authorize.startswith(f"{provider.issuer}/authorize?")
    sent = dict(parse_qsl(urlsplit(authorize).query))
    assert sent["code_challenge_method"] == "S256"
    assert sent["redirect_uri"] == "http://127.0.0.1:8000/portal/sign-in/oidc/callback"
    assert sent["client_id"] == provider.client_id
    assert len(sent["state"]) >= 43 and len(sent["nonce"]) >= 43

    response = await client.get(path_of(await at_provider(authorize)))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/portal/apis"
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("portal_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    assert any(c.startswith('portal_oidc=""') or "portal_oidc=;" in c for c in cookies)
    assert await signed_in_as(client) == "olu.owner@quillfeather.example"

    assert await membership(platform, "olu.owner@quillfeather.example") == [
        ("employer", organisation.split(":")[1], "Owner")
    ]
    async with platform.sessions() as session:
        person = await session.scalar(
            select(User).where(User.email == "olu.owner@quillfeather.example")
        )
    assert person is not None
    assert person.name == "Olu Owner"
    assert person.email_confirmed_at is not None and person.password_hash is None
    (entry,) = await audit(platform, AuditAction.SIGN_IN)
    assert entry.details == {"method": "oidc"}
    assert entry.actor_user_id == person.id
    assert entry.actor_email == "olu.owner@quillfeather.example"
    assert entry.organisation_id is not None
    # The token endpoint was called by the platform, with HTTP Basic client credentials.
    assert provider.requests.count("token:client_secret_basic") == 1


async def test_a_provider_person_gets_the_role_the_identity_provider_says(
    platform: Platform, client: httpx.AsyncClient, provider: OpenIdProvider
) -> None:
    person = await make_person(
        platform, "cara@northfield.example", kind=OwnerKind.PROVIDER, role=Role.VIEWER
    )
    assert person.public_id is not None
    provider.sign_in_as(person.email, f"provider:{person.public_id}", "AccountOwner")

    response = await oidc_sign_in(client)

    assert response.status_code == 303
    assert response.headers["location"] == "/portal/apis"
    assert await signed_in_as(client) == person.email
    assert await membership(platform, person.email) == [
        ("provider", person.public_id, "AccountOwner")
    ]
    (change,) = await audit(platform, AuditAction.ROLE_CHANGED)
    assert change.details == {"method": "oidc", "from": "Viewer", "to": "AccountOwner"}
    (entry,) = await audit(platform, AuditAction.SIGN_IN)
    assert entry.actor_user_id == person.id and entry.details == {"method": "oidc"}


async def test_the_token_request_uses_client_secret_post_when_that_is_all_the_provider_takes(
    platform: Platform, client: httpx.AsyncClient, provider: OpenIdProvider
) -> None:
    provider.auth_methods = ["client_secret_post"]
    provider.sign_in_as(
        "p@quillfeather.example", await add_organisation(platform, OwnerKind.EMPLOYER), "Viewer"
    )

    response = await oidc_sign_in(client)

    assert response.status_code == 303
    assert provider.requests.count("token:client_secret_post") == 1
    assert "token:client_secret_basic" not in provider.requests


async def test_discovery_and_keys_are_fetched_once_and_again_when_the_key_changes(
    platform_factory: PlatformFactory, provider: OpenIdProvider
) -> None:
    offset = timedelta()

    def clock() -> datetime:
        return datetime.now(UTC) + offset

    async with platform_factory(clock=clock, **provider.settings()) as platform:
        organisation = await add_organisation(platform, OwnerKind.EMPLOYER)
        provider.sign_in_as("t@quillfeather.example", organisation, "Transactor")
        async with client_for(platform) as first, client_for(platform) as second:
            assert (await oidc_sign_in(first)).status_code == 303
            assert (await oidc_sign_in(second)).status_code == 303
        assert provider.requests.count("discovery") == 1
        assert provider.requests.count("jwks") == 1

        # A token naming a key we do not have fetches the keys again, but not at once
        # after the last fetch (a stream of bogus key ids must not hammer the provider).
        provider.rotate_key()
        async with client_for(platform) as third:
            assert (await oidc_sign_in(third)).status_code == 400
        assert provider.requests.count("jwks") == 1
        offset = KEYS_REFETCH_INTERVAL
        async with client_for(platform) as fourth:
            assert (await oidc_sign_in(fourth)).status_code == 303
        assert provider.requests.count("discovery") == 1
        assert provider.requests.count("jwks") == 2


async def test_an_es256_id_token_is_accepted(
    platform: Platform, client: httpx.AsyncClient, provider: OpenIdProvider
) -> None:
    provider.sign_in_as(
        "e@quillfeather.example", await add_organisation(platform, OwnerKind.EMPLOYER), "Owner"
    )
    provider.tweaks.algorithm = "ES256"
    response = await oidc_sign_in(client)
    assert response.status_code == 303
    assert await signed_in_as(client) == "e@quillfeather.example"


# -- the answer must belong to this browser's sign-in ------------------------------------


async def test_a_callback_with_a_wrong_state_is_refused(
    platform: Platform, client: httpx.AsyncClient, provider: OpenIdProvider
) -> None:
    provider.sign_in_as(
        "s@quillfeather.example", await add_organisation(platform, OwnerKind.EMPLOYER), "Owner"
    )
    callback = await at_provider(await start(client))

    response = await client.get(with_query(callback, state="x" * 43))

    assert_refused(response, 400, "Your sign-in has expired")
    assert await signed_in_as(client) is None
    assert await membership(platform, "s@quillfeather.example") == []
    (failure,) = await audit(platform, AuditAction.FAILED_SIGN_IN)
    assert failure.details == {"method": "oidc", "reason": "state"}
    # Refused before the code was used: the token endpoint never heard of it.
    assert not any(r.startswith("token:") for r in provider.requests)


async def test_a_callback_in_another_browser_is_refused(
    platform: Platform, client: httpx.AsyncClient, provider: OpenIdProvider
) -> None:
    """Someone else's callback URL (a login CSRF): this browser started no sign-in."""
    provider.sign_in_as(
        "a@quillfeather.example", await add_organisation(platform, OwnerKind.EMPLOYER), "Owner"
    )
    callback = await at_provider(await start(client))
    async with client_for(platform) as victim:
        response = await victim.get(path_of(callback))
        assert_refused(response, 400, "Your sign-in has expired")
        assert await signed_in_as(victim) is None
    # Nobody's sign-in failed: a request without a sign-in in progress is not audited.
    assert await audit(platform, AuditAction.FAILED_SIGN_IN) == []


async def test_a_forged_pending_cookie_is_refused(
    platform: Platform, client: httpx.AsyncClient, provider: OpenIdProvider
) -> None:
    provider.sign_in_as(
        "f@quillfeather.example", await add_organisation(platform, OwnerKind.EMPLOYER), "Owner"
    )
    callback = await at_provider(await start(client))
    value = client.cookies["portal_oidc"]
    payload, mac = value.split(".")
    client.cookies.set("portal_oidc", f"{payload}.{mac[:-2]}AA", path="/portal/sign-in/oidc")
    response = await client.get(path_of(callback))
    assert_refused(response, 400, "Your sign-in has expired")


async def test_a_callback_can_be_used_once(
    platform: Platform, client: httpx.AsyncClient, provider: OpenIdProvider
) -> None:
    provider.sign_in_as(
        "o@quillfeather.example", await add_organisation(platform, OwnerKind.EMPLOYER), "Owner"
    )
    authorize = await start(client)
    pending = client.cookies["portal_oidc"]
    callback = await at_provider(authorize)
    assert (await client.get(path_of(callback))).status_code == 303
    # Replayed with the pending cookie it had: the provider will not take the code again.
    async with client_for(platform) as replay:
        replay.cookies.set("portal_oidc", pending, path="/portal/sign-in/oidc")
        response = await replay.get(path_of(callback))
        assert_refused(response, 400, "We could not confirm your sign-in")


async def test_the_provider_saying_no_is_refused(
    platform: Platform, client: httpx.AsyncClient, provider: OpenIdProvider
) -> None:
    callback = await at_provider_with_error(client)
    response = await client.get(callback)
    assert_refused(response, 400, "did not sign you in")


async def at_provider_with_error(client: httpx.AsyncClient) -> str:
    authorize = await start(client)
    state = dict(parse_qsl(urlsplit(authorize).query))["state"]
    return "/portal/sign-in/oidc/callback?" + urlencode({"error": "access_denied", "state": state})


# -- the ID token must be right ------------------------------------------------------------


@pytest.mark.parametrize(
    ("tweak", "value"),
    [
        pytest.param("tamper_payload", True, id="tampered-payload"),
        pytest.param("foreign_key", True, id="signed-with-another-key"),
        pytest.param("audience", "someone-else", id="wrong-audience"),
        pytest.param("audience", ["someone-else", "another"], id="wrong-audiences"),
        pytest.param("issuer", "http://127.0.0.1:1", id="wrong-issuer"),
        pytest.param("expires_in", -120, id="expired"),
        pytest.param("issued_ago", -600, id="issued-in-the-future"),
        pytest.param("nonce", "not-the-nonce-of-this-sign-in", id="wrong-nonce"),
        pytest.param("algorithm", "none", id="alg-none"),
        pytest.param("algorithm", "HS256-public", id="hs256-with-the-public-key"),
        pytest.param("extra_claims", {"azp": "someone-else"}, id="other-authorised-party"),
    ],
)
async def test_a_bad_id_token_is_refused(
    platform: Platform,
    client: httpx.AsyncClient,
    provider: OpenIdProvider,
    tweak: str,
    value: Any,
) -> None:
    organisation = await add_organisation(platform, OwnerKind.EMPLOYER)
    provider.sign_in_as("mallory@quillfeather.example", organisation, "Viewer")
    setattr(provider.tweaks, tweak, value)

    response = await oidc_sign_in(client)

    assert_refused(response, 400, "We could not confirm your sign-in")
    assert await signed_in_as(client) is None
    assert await membership(platform, "mallory@quillfeather.example") == []
    assert await membership(platform, "intruder@example.com") == []
    assert provider.requests.count("token:client_secret_basic") == 1
    (failure,) = await audit(platform, AuditAction.FAILED_SIGN_IN)
    assert failure.details == {"method": "oidc", "reason": "token"}
    assert await audit(platform, AuditAction.SIGN_IN) == []


async def test_a_token_within_the_leeway_is_accepted(
    platform: Platform, client: httpx.AsyncClient, provider: OpenIdProvider
) -> None:
    """Clocks differ a little: a token that expired 30 seconds ago still counts."""
    provider.sign_in_as(
        "l@quillfeather.example", await add_organisation(platform, OwnerKind.EMPLOYER), "Owner"
    )
    provider.tweaks.expires_in = -30
    assert (await oidc_sign_in(client)).status_code == 303


# -- what the claims must say ------------------------------------------------------------


async def test_an_unknown_organisation_is_refused(
    platform: Platform, client: httpx.AsyncClient, provider: OpenIdProvider
) -> None:
    provider.sign_in_as("u@unknown.example", "employer:ZZZZZZ", "Owner")
    response = await oidc_sign_in(client)
    assert_refused(response, 403, "Your organisation does not have an account on this service")
    async with platform.sessions() as session:
        assert await session.scalar(select(User).where(User.email == "u@unknown.example")) is None
    (failure,) = await audit(platform, AuditAction.FAILED_SIGN_IN)
    assert failure.details == {"method": "oidc", "reason": "organisation"}
    assert failure.actor_email == "u@unknown.example"


@pytest.mark.parametrize(
    "claim",
    ["developer:someone@example.com", "employer:", "10000042", ""],
)
async def test_an_organisation_claim_that_is_not_an_employer_or_provider_is_refused(
    platform: Platform, client: httpx.AsyncClient, provider: OpenIdProvider, claim: str
) -> None:
    await add_organisation(platform, OwnerKind.PROVIDER)
    provider.sign_in_as("x@northfield.example", claim, "Viewer")
    response = await oidc_sign_in(client)
    assert_refused(response, 403, "Your organisation does not have an account on this service")


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (OwnerKind.EMPLOYER, "AccountOwner"),
        (OwnerKind.PROVIDER, "Owner"),
        (OwnerKind.EMPLOYER, "Developer"),
        (OwnerKind.EMPLOYER, "owner"),
        (OwnerKind.EMPLOYER, ""),
    ],
)
async def test_a_role_the_organisation_does_not_have_is_refused(
    platform: Platform,
    client: httpx.AsyncClient,
    provider: OpenIdProvider,
    kind: OwnerKind,
    role: str,
) -> None:
    organisation = await add_organisation(platform, kind)
    provider.sign_in_as("r@example.com", organisation, role)
    response = await oidc_sign_in(client)
    assert_refused(response, 403, "gave you a role this service does not have")
    assert await membership(platform, "r@example.com") == []
    (failure,) = await audit(platform, AuditAction.FAILED_SIGN_IN)
    assert failure.details == {"method": "oidc", "reason": "role"}
    assert failure.organisation_id is not None


async def test_an_unverified_email_is_refused(
    platform: Platform, client: httpx.AsyncClient, provider: OpenIdProvider
) -> None:
    organisation = await add_organisation(platform, OwnerKind.EMPLOYER)
    provider.sign_in_as("v@quillfeather.example", organisation, "Owner", email_verified=False)
    response = await oidc_sign_in(client)
    assert_refused(response, 403, "did not confirm your email address")
    assert await membership(platform, "v@quillfeather.example") == []


async def test_a_suspended_organisation_is_refused(
    platform: Platform, client: httpx.AsyncClient, provider: OpenIdProvider
) -> None:
    organisation = await add_organisation(platform, OwnerKind.EMPLOYER)
    async with unit_of_work(platform.sessions) as session:
        found = await session.scalar(
            select(Organisation).where(Organisation.public_id == organisation.split(":")[1])
        )
        assert found is not None
        found.status = OrganisationStatus.SUSPENDED
    provider.sign_in_as("z@quillfeather.example", organisation, "Owner")
    response = await oidc_sign_in(client)
    assert_refused(response, 403, "is suspended")
    assert await membership(platform, "z@quillfeather.example") == []


# -- when it is not configured, or the provider is down -------------------------------


async def test_without_the_settings_there_is_no_link_and_no_pages(
    platform_factory: PlatformFactory,
) -> None:
    async with platform_factory() as plain, client_for(plain) as client:
        page = await client.get("/portal/sign-in")
        assert page.status_code == 200
        assert OIDC_LINK not in page.text
        assert "organisation's account" not in page.text
        for path in ("/portal/sign-in/oidc", "/portal/sign-in/oidc/callback?code=x&state=y"):
            response = await client.get(path)
            assert response.status_code == 404
            assert "Page not found" in response.text


async def test_a_provider_that_cannot_be_reached_is_a_clear_page(
    platform_factory: PlatformFactory, provider: OpenIdProvider
) -> None:
    settings = {**provider.settings(), "oidc_issuer": "http://127.0.0.1:9"}  # discard port
    async with platform_factory(**settings) as running, client_for(running) as client:
        response = await client.get("/portal/sign-in/oidc")
        assert_refused(response, 502, "sign-in service is not available")
        assert "portal_oidc=" not in response.headers.get("set-cookie", "")
