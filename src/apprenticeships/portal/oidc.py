"""The portal's OpenID Connect sign-in: its use cases, and how the browser carries a
sign-in in progress.

``PortalOidc.begin`` starts a sign-in; ``finish`` completes it with the provider
(``accounts.oidc.OidcClient``, outside any transaction: it waits on the network), then
admits the person and writes the audit entry in one unit of work. A refused sign-in is
audited too (``FAILED_SIGN_IN``, with the reason), in a unit of work of its own, unless
the browser had no sign-in in progress (then it is only logged).

The sign-in in progress (state, nonce, PKCE verifier) lives only in the browser that
began it, in a cookie (``PendingCookies``) that is HttpOnly, scoped to the OpenID pages,
signed with the platform's secret and good for ``PENDING_LIFETIME``: the provider's
answer is accepted only from that browser, once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.oidc import (
    OidcClient,
    OidcConfig,
    OidcFailed,
    PendingSignIn,
)
from apprenticeships.accounts.oidc_people import OidcPeopleService
from apprenticeships.audit.service import Actor, AuditService
from apprenticeships.audit.vocabulary import AuditAction
from apprenticeships.portal.accounts import SignIn
from apprenticeships.settings import Settings
from apprenticeships.storage.engine import unit_of_work

log = structlog.get_logger("apprenticeships.portal.oidc")

CALLBACK_PATH = "/portal/sign-in/oidc/callback"
METHOD = {"method": "oidc"}
MAX_COOKIE_LENGTH = 1024


def oidc_config(settings: Settings) -> OidcConfig | None:
    """The client's configuration, or None when OpenID Connect sign-in is off."""
    if settings.oidc_issuer is None or settings.oidc_client_secret is None:
        return None
    return OidcConfig(
        issuer=settings.oidc_issuer,
        client_id=settings.oidc_client_id.strip(),
        client_secret=settings.oidc_client_secret.get_secret_value(),
        redirect_uri=settings.public_url + CALLBACK_PATH,
        scopes=settings.oidc_scopes,
        organisation_claim=settings.oidc_organisation_claim,
        role_claim=settings.oidc_role_claim,
    )


class PortalOidc:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        client: OidcClient,
        clock: Callable[[], datetime],
    ) -> None:
        self.sessions = sessions
        self.client = client
        self.clock = clock

    async def begin(self) -> tuple[str, PendingSignIn]:
        """Where to send the person, and what their browser keeps until they return."""
        pending = PendingSignIn.new(self.clock())
        try:
            return await self.client.authorization_url(pending), pending
        except OidcFailed as failure:
            log.warning("oidc_sign_in_not_started", reason=failure.reason.value, why=str(failure))
            raise

    async def finish(
        self, pending: PendingSignIn | None, answer: Mapping[str, str], address: str
    ) -> SignIn:
        """The session to start for the provider's ``answer``, or ``OidcFailed``."""
        try:
            claims = await self.client.complete(pending, answer)
            now = self.clock()
            async with unit_of_work(self.sessions) as session:
                admitted = await OidcPeopleService(session).admit(claims, now)
                audit = AuditService(session)
                actor = Actor(admitted.person_id, admitted.email, address)
                if (
                    admitted.previous_role is not None
                    and admitted.previous_role is not admitted.role
                ):
                    await audit.record(
                        AuditAction.ROLE_CHANGED, now, actor=actor,
                        organisation_id=admitted.organisation_id,
                        details={**METHOD, "from": admitted.previous_role.value,
                                 "to": admitted.role.value},
                    )  # fmt: skip
                await audit.record(
                    AuditAction.SIGN_IN, now, actor=actor,
                    organisation_id=admitted.organisation_id, details=METHOD,
                )  # fmt: skip
        except OidcFailed as failure:
            await self._refused(failure, address, audited=pending is not None)
            raise
        return SignIn(None, admitted.person_id, admitted.organisation_id)

    async def _refused(self, failure: OidcFailed, address: str, *, audited: bool) -> None:
        log.warning("oidc_sign_in_refused", reason=failure.reason.value, why=str(failure))
        if not audited:
            # No sign-in was started in this browser: a stray or forged request, which
            # is nobody's failed sign-in (and must not let anyone fill the audit log).
            return
        async with unit_of_work(self.sessions) as session:
            await AuditService(session).record(
                AuditAction.FAILED_SIGN_IN,
                self.clock(),
                actor=Actor(None, failure.email, address),
                organisation_id=failure.organisation_id,
                details={**METHOD, "reason": failure.reason.value},
            )


class PendingCookies:
    """A ``PendingSignIn`` as a cookie value: its fields as JSON, and an HMAC-SHA-256
    of them under a key of its own derived from the platform's secret."""

    def __init__(self, secret_key: bytes) -> None:
        self._key = hashlib.sha256(b"portal-oidc-pending\0" + secret_key).digest()

    def seal(self, pending: PendingSignIn) -> str:
        payload = json.dumps(
            {
                "state": pending.state,
                "nonce": pending.nonce,
                "verifier": pending.code_verifier,
                "started": int(pending.started_at.timestamp()),
            },
            separators=(",", ":"),
        ).encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def unseal(self, value: str | None) -> PendingSignIn | None:
        """The sign-in the cookie holds, or None if it is missing or not ours. (How old
        it is, the client checks.)"""
        if not value or len(value) > MAX_COOKIE_LENGTH or value.count(".") != 1:
            return None
        encoded, mac = value.split(".")
        try:
            payload, signature = _unb64(encoded), _unb64(mac)
        except (binascii.Error, ValueError):
            return None
        if not hmac.compare_digest(signature, self._mac(payload)):
            return None
        fields = json.loads(payload)
        return PendingSignIn(
            state=fields["state"],
            nonce=fields["nonce"],
            code_verifier=fields["verifier"],
            started_at=datetime.fromtimestamp(fields["started"], UTC),
        )

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
