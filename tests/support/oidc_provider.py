"""A small OpenID provider that tests start themselves: a Starlette app served by
uvicorn on a free loopback port, in a thread of the test process.

It does what a real provider does for the authorization code flow with PKCE, and
checks what a real one checks: discovery, a JWKS with an RSA key generated when the
provider is made (and an EC key for ES256), ``/authorize`` that signs the configured
person in at once and sends the browser back with a code, and ``/token`` that
authenticates the client (``client_secret_basic`` or ``client_secret_post``), checks
the code, the redirect URI and the PKCE verifier, and answers with an ID token signed
with its key. ``tweaks`` makes the next ID tokens wrong in one chosen way, as a broken
or hostile provider would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "apprenticeship-service-portal"
CLIENT_SECRET = "provider-test-client-secret"
START_TIMEOUT_SECONDS = 10.0


@dataclass
class Tweaks:
    """How the next ID tokens differ from a correct one."""

    audience: str | list[str] | None = None
    issuer: str | None = None
    nonce: str | None = None
    expires_in: int = 300
    issued_ago: int = 0
    # "RS256" (the RSA key), "ES256" (the EC key), "HS256-public" (an HMAC keyed with
    # the RSA key's public JWK: the algorithm-confusion attack) or "none".
    algorithm: str = "RS256"
    # Change the payload after signing (the signature no longer matches it).
    tamper_payload: bool = False
    # Sign with a key the JWKS does not have, under the published key's id.
    foreign_key: bool = False
    extra_claims: dict[str, Any] = field(default_factory=dict)


@dataclass
class Grant:
    redirect_uri: str
    code_challenge: str
    nonce: str
    claims: dict[str, Any]


class OpenIdProvider:
    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.rsa_key = RSAKey.generate_key(2048, private=True, auto_kid=True)
        self.ec_key = ECKey.generate_key("P-256", private=True, auto_kid=True)
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.reset()
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._discovery),
                Route("/jwks", self._jwks),
                Route("/authorize", self._authorize),
                Route("/token", self._token, methods=["POST"]),
            ]
        )

    def reset(self) -> None:
        """Forget everything a test set or caused (the keys stay)."""
        self.user: dict[str, Any] = {}
        self.tweaks = Tweaks()
        self.auth_methods = ["client_secret_basic", "client_secret_post"]
        self.grants: dict[str, Grant] = {}
        self.requests: list[str] = []  # "discovery", "jwks", "authorize", "token:<method>"

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sign_in_as(self, email: str, organisation: str, role: str, **claims: Any) -> None:
        """The person /authorize signs in, with their claims."""
        self.user = {
            "sub": hashlib.sha256(email.encode()).hexdigest()[:24],
            "email": email,
            "email_verified": True,
            "name": "Federated Person",
            "organisation": organisation,
            "role": role,
            **claims,
        }

    def rotate_key(self) -> None:
        """A new RSA signing key (and key id) from now on; the old one is withdrawn."""
        self.rsa_key = RSAKey.generate_key(2048, private=True, auto_kid=True)

    def settings(self) -> dict[str, str]:
        """The platform's settings for signing in here."""
        return {
            "oidc_issuer": self.issuer,
            "oidc_client_id": self.client_id,
            "oidc_client_secret": self.client_secret,
        }

    # -- running ------------------------------------------------------------------------

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        self.port = int(listener.getsockname()[1])
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="off", ws="none", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [listener]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test OpenID provider did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    # -- endpoints ----------------------------------------------------------------------

    async def _discovery(self, request: Request) -> Response:
        self.requests.append("discovery")
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": self.auth_methods,
            }
        )

    async def _jwks(self, request: Request) -> Response:
        self.requests.append("jwks")
        return JSONResponse(
            {
                "keys": [
                    {**self.rsa_key.as_dict(private=False), "use": "sig", "alg": "RS256"},
                    {**self.ec_key.as_dict(private=False), "use": "sig", "alg": "ES256"},
                ]
            }
        )

    async def _authorize(self, request: Request) -> Response:
        self.requests.append("authorize")
        query = request.query_params
        problems = [
            name
            for name, ok in (
                ("response_type", query.get("response_type") == "code"),
                ("client_id", query.get("client_id") == self.client_id),
                ("redirect_uri", bool(query.get("redirect_uri"))),
                ("scope", "openid" in query.get("scope", "").split()),
                ("state", bool(query.get("state"))),
                ("nonce", bool(query.get("nonce"))),
                ("code_challenge", len(query.get("code_challenge", "")) == 43),
                ("code_challenge_method", query.get("code_challenge_method") == "S256"),
            )
            if not ok
        ]
        if problems or not self.user:
            return PlainTextResponse(f"bad authorization request: {problems}", status_code=400)
        code = secrets.token_urlsafe(24)
        self.grants[code] = Grant(
            query["redirect_uri"], query["code_challenge"], query["nonce"], dict(self.user)
        )
        answer = urlencode({"code": code, "state": query["state"]})
        return RedirectResponse(f"{query['redirect_uri']}?{answer}", status_code=302)

    async def _token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        method, client_id, secret = self._client_credentials(request, form)
        self.requests.append(f"token:{method}")
        if (
            method not in self.auth_methods
            or client_id != self.client_id
            or not hmac.compare_digest(secret, self.client_secret)
        ):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if form.get("grant_type") != "authorization_code":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        grant = self.grants.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if (
            grant is None
            or form.get("redirect_uri") != grant.redirect_uri
            or not hmac.compare_digest(challenge, grant.code_challenge)
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant),
            },
            headers={"Cache-Control": "no-store"},
        )

    def _client_credentials(self, request: Request, form: dict[str, str]) -> tuple[str, str, str]:
        header = request.headers.get("authorization", "")
        if header.startswith("Basic "):
            decoded = base64.b64decode(header[6:]).decode()
            client_id, _, secret = decoded.partition(":")
            return "client_secret_basic", unquote_plus(client_id), unquote_plus(secret)
        if "client_secret" in form:
            return "client_secret_post", form.get("client_id", ""), form["client_secret"]
        return "none", "", ""

    # -- ID tokens ----------------------------------------------------------------------

    def id_token(self, grant: Grant) -> str:
        tweaks = self.tweaks
        now = int(time.time()) - tweaks.issued_ago
        claims: dict[str, Any] = {
            **grant.claims,
            "iss": tweaks.issuer or self.issuer,
            "aud": tweaks.audience if tweaks.audience is not None else self.client_id,
            "iat": now,
            "exp": now + tweaks.expires_in,
            "nonce": tweaks.nonce if tweaks.nonce is not None else grant.nonce,
            **tweaks.extra_claims,
        }
        if tweaks.algorithm == "none":
            token = _unsigned(claims)
        elif tweaks.algorithm == "HS256-public":
            token = _hmac_with_public_key(claims, self.rsa_key)
        elif tweaks.algorithm == "ES256":
            token = jwt.encode({"alg": "ES256", "kid": self.ec_key.kid}, claims, self.ec_key)
        else:
            key = RSAKey.generate_key(2048, private=True) if tweaks.foreign_key else self.rsa_key
            token = jwt.encode({"alg": "RS256", "kid": self.rsa_key.kid}, claims, key)
        if tweaks.tamper_payload:
            header, _, signature = token.split(".")
            forged = {**claims, "role": "Owner", "email": "intruder@example.com"}
            token = f"{header}.{_b64(json.dumps(forged).encode())}.{signature}"
        return token


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(claims: dict[str, Any]) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


def _hmac_with_public_key(claims: dict[str, Any], key: RSAKey) -> str:
    """HS256 keyed with the bytes of the published public key (PEM and JWK both tried by
    attackers; the PEM is the classic one)."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": key.kid}).encode())
    payload = _b64(json.dumps(claims).encode())
    secret = key.as_pem(private=False)
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"
