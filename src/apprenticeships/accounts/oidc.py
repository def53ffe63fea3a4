"""OpenID Connect sign-in as a relying party: the authorization code flow with PKCE.

``OidcClient`` does the protocol and nothing else (no pages, no database):

1. ``authorization_url`` sends the person to the identity provider with a fresh
   ``state`` (ties the answer to this browser), ``nonce`` (ties the ID token to this
   sign-in) and PKCE challenge (S256; only this sign-in can use the code). The caller
   keeps the ``PendingSignIn`` for the answer, where only this browser has it.
2. ``complete`` checks the provider's answer against it, exchanges the code for tokens
   (``client_secret_basic``, or ``client_secret_post`` when that is all the provider
   takes) and validates the ID token: its signature with a key from the provider's JWKS
   (RS256 or ES256 only, so never ``none`` and never an HMAC keyed with a public key),
   ``iss``, ``aud`` (and ``azp``), ``exp``, ``iat`` and ``nbf`` with a minute's leeway,
   and the ``nonce``. What comes back is the claims the platform reads (``OidcClaims``);
   what they let the person do is ``accounts.oidc_people``'s business.

The provider's metadata (``{issuer}/.well-known/openid-configuration``) and keys are
fetched over HTTPS (plain HTTP only on loopback) and cached; the keys are fetched again
when a token names a key the cache does not have (the provider rotated its keys).
Every failure is an ``OidcFailed`` whose ``reason`` says which step refused; its message
is for the log, and never holds a code, a token or the client secret.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import quote_plus, urlencode, urlsplit

import httpx
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from apprenticeships.errors import DomainError
from apprenticeships.settings import is_secure_url

# Asymmetric algorithms only: the keys come from the provider's published JWKS.
SIGNING_ALGORITHMS = ("RS256", "ES256")
# Allowed clock difference between the provider and us.
LEEWAY = timedelta(seconds=60)
# How long a person may take at the provider before the answer is refused.
PENDING_LIFETIME = timedelta(minutes=10)
METADATA_LIFETIME = timedelta(hours=1)
KEYS_LIFETIME = timedelta(hours=1)
# An unknown key id fetches the keys again, at most this often (a token naming a key
# that does not exist must not make us hammer the provider).
KEYS_REFETCH_INTERVAL = timedelta(seconds=30)
HTTP_TIMEOUT_SECONDS = 10.0
DISCOVERY_PATH = "/.well-known/openid-configuration"
BASIC = "client_secret_basic"
POST = "client_secret_post"


class OidcRefusal(StrEnum):
    """Why an OpenID Connect sign-in did not end in a session (what the audit log says)."""

    # No sign-in was started in this browser, it is too old, or the answer is for another.
    STATE = "state"
    # The provider answered with an error (the person cancelled, or it refused them).
    PROVIDER_DENIED = "provider-denied"
    # The provider could not be reached, or answered with something that is not OpenID.
    UNAVAILABLE = "unavailable"
    # The code exchange or the ID token failed a check.
    TOKEN = "token"  # noqa: S105 (a step that failed, not a secret)
    # No email address, or one the provider has not verified.
    EMAIL = "email"
    # No organisation claim, a malformed one, or an organisation we do not have.
    ORGANISATION = "organisation"
    SUSPENDED = "suspended"
    # No role claim, or a role the organisation's kind does not have.
    ROLE = "role"


class OidcFailed(DomainError):
    """An OpenID Connect sign-in was refused. ``message`` is for the log; the portal
    words its page from ``reason``. ``email`` and ``organisation_id`` are set when the
    refusal came after the token was validated, so the audit log can name them."""

    default_message = "OpenID Connect sign-in refused"

    def __init__(
        self,
        reason: OidcRefusal,
        message: str = "",
        *,
        email: str | None = None,
        organisation_id: int | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.email = email
        self.organisation_id = organisation_id


@dataclass(frozen=True, slots=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    # Where the provider sends the person back: the callback page's absolute URL.
    redirect_uri: str
    scopes: str = "openid email profile"
    organisation_claim: str = "organisation"
    role_claim: str = "role"


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    """What discovery told us, checked."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_auth_method: str  # BASIC or POST


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    """What only the browser that started a sign-in keeps until the provider answers."""

    state: str
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)
    started_at: datetime

    @classmethod
    def new(cls, now: datetime) -> PendingSignIn:
        return cls(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            # 64 random bytes: 86 characters, within PKCE's 43 to 128.
            code_verifier=secrets.token_urlsafe(64),
            started_at=now,
        )

    @property
    def code_challenge(self) -> str:
        digest = hashlib.sha256(self.code_verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def expired(self, now: datetime) -> bool:
        return not (self.started_at - LEEWAY <= now < self.started_at + PENDING_LIFETIME)


@dataclass(frozen=True, slots=True)
class OidcClaims:
    """The ID token's claims that the platform reads, from a validated token."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    name: str
    # The configured claims' values as sent (None when missing or not one string).
    organisation: str | None
    role: str | None


HttpFactory = Callable[[], httpx.AsyncClient]


def _default_http() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS, follow_redirects=False)


class OidcClient:
    """One per process: it caches the provider's metadata and keys."""

    def __init__(
        self,
        config: OidcConfig,
        clock: Callable[[], datetime],
        http: HttpFactory = _default_http,
    ) -> None:
        self.config = config
        self.clock = clock
        self._http = http
        self._lock = asyncio.Lock()
        self._metadata: tuple[ProviderMetadata, datetime] | None = None
        self._keys: tuple[KeySet, datetime] | None = None

    # -- the two steps ----------------------------------------------------------------

    async def authorization_url(self, pending: PendingSignIn) -> str:
        """Where to send the person to sign in at the provider."""
        metadata = await self.metadata()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.config.client_id,
                "redirect_uri": self.config.redirect_uri,
                "scope": self.config.scopes,
                "state": pending.state,
                "nonce": pending.nonce,
                "code_challenge": pending.code_challenge,
                "code_challenge_method": "S256",
            }
        )
        endpoint = metadata.authorization_endpoint
        return f"{endpoint}{'&' if urlsplit(endpoint).query else '?'}{query}"

    async def complete(
        self, pending: PendingSignIn | None, answer: Mapping[str, str]
    ) -> OidcClaims:
        """The validated claims of the person the provider sent back with ``answer`` (the
        callback's query parameters), if ``pending`` is the sign-in this browser began."""
        if pending is None:
            raise OidcFailed(OidcRefusal.STATE, "no sign-in was started in this browser")
        if pending.expired(self.clock()):
            raise OidcFailed(OidcRefusal.STATE, "the sign-in was started too long ago")
        state = answer.get("state", "")
        if not hmac.compare_digest(state.encode(), pending.state.encode()):
            raise OidcFailed(OidcRefusal.STATE, "the answer's state is not this sign-in's")
        metadata = await self.metadata()
        # RFC 9207: a provider that names itself must be ours (a mix-up attack otherwise).
        if "iss" in answer and answer["iss"] != metadata.issuer:
            raise OidcFailed(OidcRefusal.TOKEN, "the answer names another issuer")
        if "error" in answer:
            error = "".join(c for c in answer["error"][:64] if c.isalnum() or c in "_-")
            raise OidcFailed(OidcRefusal.PROVIDER_DENIED, f"the provider answered {error!r}")
        code = answer.get("code", "")
        if not code:
            raise OidcFailed(OidcRefusal.PROVIDER_DENIED, "the provider sent no code")
        id_token = await self._exchange(metadata, code, pending.code_verifier)
        return await self.validate_id_token(id_token, pending.nonce)

    # -- the ID token -----------------------------------------------------------------

    async def validate_id_token(self, id_token: str, nonce: str) -> OidcClaims:
        """The claims of an ID token, if it passes every check (OpenID Connect Core
        3.1.3.7) for this client and this sign-in's ``nonce``."""
        metadata = await self.metadata()
        keys = await self._key_set(refresh=False)
        try:
            try:
                token = jwt.decode(id_token, keys, algorithms=SIGNING_ALGORITHMS)
            except InvalidKeyIdError:
                # Perhaps the provider rotated its keys since we fetched them.
                keys = await self._key_set(refresh=True)
                token = jwt.decode(id_token, keys, algorithms=SIGNING_ALGORITHMS)
            now = int(self.clock().timestamp())
            jwt.JWTClaimsRegistry(
                now=now,
                leeway=int(LEEWAY.total_seconds()),
                iss={"essential": True, "value": metadata.issuer},
                aud={"essential": True, "value": self.config.client_id},
                sub={"essential": True},
                exp={"essential": True},
                iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except JoseError as error:
            raise OidcFailed(
                OidcRefusal.TOKEN, f"the ID token was refused: {type(error).__name__}"
            ) from None
        claims = token.claims
        audience = claims["aud"]
        authorised = claims.get("azp")
        if (isinstance(audience, list) and len(audience) > 1 and authorised is None) or (
            authorised is not None and authorised != self.config.client_id
        ):
            raise OidcFailed(OidcRefusal.TOKEN, "the ID token was issued to another party")
        return OidcClaims(
            issuer=claims["iss"],
            subject=claims["sub"],
            email=_text(claims.get("email")) or "",
            email_verified=claims.get("email_verified") in (True, "true"),
            name=_name(claims),
            organisation=_single(claims.get(self.config.organisation_claim)),
            role=_single(claims.get(self.config.role_claim)),
        )

    # -- talking to the provider ------------------------------------------------------

    async def metadata(self) -> ProviderMetadata:
        """The provider's checked discovery document, cached for an hour."""
        now = self.clock()
        cached = self._metadata
        if cached is not None and now < cached[1] + METADATA_LIFETIME:
            return cached[0]
        async with self._lock:
            cached = self._metadata
            if cached is not None and now < cached[1] + METADATA_LIFETIME:
                return cached[0]
            url = self.config.issuer.rstrip("/") + DISCOVERY_PATH
            metadata = _checked_metadata(await self._get_json(url), self.config.issuer)
            self._metadata = (metadata, now)
            return metadata

    async def _key_set(self, *, refresh: bool) -> KeySet:
        now = self.clock()
        cached = self._keys
        if cached is not None and not refresh and now < cached[1] + KEYS_LIFETIME:
            return cached[0]
        metadata = await self.metadata()
        async with self._lock:
            cached = self._keys
            if cached is not None and (
                (refresh and now < cached[1] + KEYS_REFETCH_INTERVAL)
                or (not refresh and now < cached[1] + KEYS_LIFETIME)
            ):
                return cached[0]
            keys = _signing_keys(await self._get_json(metadata.jwks_uri))
            self._keys = (keys, now)
            return keys

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with self._http() as http:
                response = await http.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as error:
            raise OidcFailed(
                OidcRefusal.UNAVAILABLE, f"{url} could not be read: {type(error).__name__}"
            ) from None
        if response.status_code != 200:
            raise OidcFailed(OidcRefusal.UNAVAILABLE, f"{url} answered {response.status_code}")
        return _json_object(response, url)

    async def _exchange(self, metadata: ProviderMetadata, code: str, verifier: str) -> str:
        """The ID token the provider gives for the code."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.config.redirect_uri,
            "code_verifier": verifier,
        }
        headers = {"Accept": "application/json"}
        if metadata.token_auth_method == BASIC:
            # RFC 6749 2.3.1: each part form-encoded, then Basic.
            pair = f"{quote_plus(self.config.client_id)}:{quote_plus(self.config.client_secret)}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form["client_id"] = self.config.client_id
            form["client_secret"] = self.config.client_secret
        try:
            async with self._http() as http:
                response = await http.post(metadata.token_endpoint, data=form, headers=headers)
        except httpx.HTTPError as error:
            raise OidcFailed(
                OidcRefusal.UNAVAILABLE, f"the token endpoint failed: {type(error).__name__}"
            ) from None
        if response.status_code >= 500:
            raise OidcFailed(
                OidcRefusal.UNAVAILABLE, f"the token endpoint answered {response.status_code}"
            )
        body = _json_object(response, "the token endpoint")
        if response.status_code != 200:
            code_error = _text(body.get("error")) or "no error code"
            raise OidcFailed(
                OidcRefusal.TOKEN,
                f"the token endpoint refused the code ({response.status_code}, {code_error[:64]!r})",
            )
        id_token = body.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise OidcFailed(OidcRefusal.TOKEN, "the token endpoint sent no ID token")
        return id_token


def _json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise OidcFailed(OidcRefusal.UNAVAILABLE, f"{what} did not answer with JSON") from None
    if not isinstance(body, dict):
        raise OidcFailed(OidcRefusal.UNAVAILABLE, f"{what} did not answer with a JSON object")
    return body


def _checked_metadata(document: Mapping[str, Any], issuer: str) -> ProviderMetadata:
    def endpoint(name: str) -> str:
        value = document.get(name)
        if not isinstance(value, str) or not is_secure_url(value):
            raise OidcFailed(
                OidcRefusal.UNAVAILABLE, f"the provider's {name} is missing or not https"
            )
        return value

    # OpenID Connect Discovery 4.3: the document must name exactly the issuer we asked.
    if document.get("issuer") != issuer:
        raise OidcFailed(OidcRefusal.UNAVAILABLE, "the discovery document names another issuer")
    methods = document.get("token_endpoint_auth_methods_supported", [BASIC])
    if not isinstance(methods, list):
        methods = [BASIC]
    if BASIC in methods:
        method = BASIC
    elif POST in methods:
        method = POST
    else:
        raise OidcFailed(
            OidcRefusal.UNAVAILABLE, "the provider takes neither client_secret_basic nor _post"
        )
    return ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=endpoint("authorization_endpoint"),
        token_endpoint=endpoint("token_endpoint"),
        jwks_uri=endpoint("jwks_uri"),
        token_auth_method=method,
    )


def _signing_keys(document: Mapping[str, Any]) -> KeySet:
    """The JWKS's RSA and EC signing keys (encryption keys and other kinds left out)."""
    listed = document.get("keys")
    if not isinstance(listed, list):
        raise OidcFailed(OidcRefusal.UNAVAILABLE, "the provider's JWKS has no keys")
    usable = [
        key
        for key in listed
        if isinstance(key, dict)
        and key.get("kty") in ("RSA", "EC")
        and key.get("use", "sig") == "sig"
        and "d" not in key  # a private key has no business being published
    ]
    try:
        keys = KeySet.import_key_set({"keys": usable})
    except (JoseError, ValueError, TypeError):
        raise OidcFailed(OidcRefusal.UNAVAILABLE, "the provider's JWKS cannot be read") from None
    if not keys.keys:
        raise OidcFailed(OidcRefusal.UNAVAILABLE, "the provider's JWKS has no signing keys")
    return keys


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _single(value: object) -> str | None:
    """A claim's one string value (some providers send a list of one)."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value.strip() if isinstance(value, str) and value.strip() else None


def _name(claims: Mapping[str, Any]) -> str:
    name = _text(claims.get("name"))
    if name and name.strip():
        return name
    parts = (_text(claims.get("given_name")), _text(claims.get("family_name")))
    return " ".join(part for part in parts if part)
