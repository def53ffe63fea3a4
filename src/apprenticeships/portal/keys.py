"""The portal's use cases for API keys: the API list, getting, rotating, deleting and
stopping keys.

Each action runs in one unit of work: ``KeyService`` checks who may do it and makes the
change (with the cache event that stops a key on every process), the audit entry is
written and the organisation's Owners / Account owners (a developer account's person)
are emailed through the outbox, all in the same transaction, so an action, its audit
entry and its emails are stored together or not at all. Reads open a plain session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.acting import Acting
from apprenticeships.accounts.team import TeamService
from apprenticeships.accounts.vocabulary import owner_role
from apprenticeships.audit.service import Actor, AuditService
from apprenticeships.audit.vocabulary import AuditAction
from apprenticeships.catalog.products import (
    Environment,
    OwnerKind,
    Product,
    UnknownProductError,
    parse_product_reference,
    product_by_id,
    product_reference,
    product_title,
)
from apprenticeships.keys.repository import HeldKey
from apprenticeships.keys.service import (
    Issued,
    KeyAction,
    KeyService,
    OrganisationKeys,
    Rotation,
)
from apprenticeships.mail.outbox import Outbox
from apprenticeships.portal.formatting import when
from apprenticeships.portal.web import Identity
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.usage.service import KeySummary, UsageService

SERVICE = "Apprenticeship Service API"


class Grace(StrEnum):
    """How long a rotated key keeps working: the rotate page's choices (values are the
    form's)."""

    NOW = "0"
    HOUR = "1h"
    DAY = "24h"
    WEEK = "7d"

    @property
    def label(self) -> str:
        return _GRACE[self][0]

    @property
    def duration(self) -> timedelta:
        return _GRACE[self][1]


_GRACE = {
    Grace.NOW: ("Stop it now", timedelta(0)),
    Grace.HOUR: ("1 hour", timedelta(hours=1)),
    Grace.DAY: ("24 hours", timedelta(hours=24)),
    Grace.WEEK: ("7 days", timedelta(days=7)),
}


@dataclass(frozen=True, slots=True)
class ListedKey:
    key: HeldKey
    # Requests and 429s in the last 24 hours.
    usage: KeySummary


@dataclass(frozen=True, slots=True)
class ApiSection:
    """One product in one environment, with the organisation's keys for it."""

    product: Product
    environment: Environment
    keys: tuple[ListedKey, ...]

    @property
    def title(self) -> str:
        """The section's heading: the product's name, then "sandbox" for the sandbox."""
        return product_title(self.product, self.environment)

    @property
    def reference(self) -> str:
        """As in the new key page's path: ``display-advert-sandbox``."""
        return product_reference(self.product.id, self.environment)


@dataclass(frozen=True, slots=True)
class ApiList:
    organisation_name: str
    kind: OwnerKind
    can_manage: bool
    sections: tuple[ApiSection, ...]

    @property
    def managers(self) -> str:
        """Who may manage keys, as the sentence for everyone else says it."""
        return owner_role(self.kind).label + "s"


def product_for(kind: str | None, reference: str) -> tuple[Product, Environment] | None:
    """The product and environment a new key page's path names, if an organisation of
    ``kind`` may hold keys for it."""
    try:
        product, environment = parse_product_reference(reference)
    except UnknownProductError:
        return None
    if kind is None or kind not in product.holders:
        return None
    return product, environment


class PortalKeys:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        secret_key: bytes,
        public_url: str,
        clock: Callable[[], datetime],
        mail_sent: Callable[[], None],
    ) -> None:
        self.sessions = sessions
        self.secret_key = secret_key
        self.public_url = public_url
        self.clock = clock
        self.mail_sent = mail_sent

    def _keys(self, session: AsyncSession) -> KeyService:
        return KeyService(session, self.secret_key)

    # -- reading ----------------------------------------------------------------------

    async def api_list(self, identity: Identity) -> ApiList:
        """Every product the organisation may hold, live then sandbox, with its working
        keys and their last 24 hours (one query for all the keys' usage)."""
        now = self.clock()
        async with self.sessions() as session:
            held = await self._keys(session).organisation_keys(_acting(identity), now)
            usage = await UsageService(session, lambda: now).key_summaries(
                held.organisation_id, [k.key_id for k in held.keys]
            )
        return _api_list(held, usage)

    async def manageable_key(self, identity: Identity, key_id: str) -> HeldKey:
        """The key a rotate or delete page is about (``NotFound``, ``Forbidden``)."""
        async with self.sessions() as session:
            return await self._keys(session).manageable_key(_acting(identity), key_id, self.clock())

    # -- changing -----------------------------------------------------------------------

    async def get_key(
        self,
        identity: Identity,
        product: Product,
        environment: Environment,
        name: str,
        address: str,
    ) -> Issued:
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            issued = await self._keys(session).issue_as(
                _acting(identity), product, environment, name, now
            )
            await self._report(session, identity, address, now, AuditAction.KEY_ISSUED, issued)
        self.mail_sent()
        return issued

    async def rotate(self, identity: Identity, key_id: str, grace: Grace, address: str) -> Rotation:
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            rotation = await self._keys(session).rotate_as(
                _acting(identity), key_id, grace.duration, now
            )
            await self._report(
                session, identity, address, now, AuditAction.KEY_ROTATED, rotation,
                grace=grace,
            )  # fmt: skip
        self.mail_sent()
        return rotation

    async def delete(self, identity: Identity, key_id: str, address: str) -> KeyAction:
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            deleted = await self._keys(session).delete_as(_acting(identity), key_id, now)
            await self._report(session, identity, address, now, AuditAction.KEY_DELETED, deleted)
        self.mail_sent()
        return deleted

    async def stop_now(self, identity: Identity, key_id: str, address: str) -> KeyAction:
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            stopped = await self._keys(session).stop_early_as(_acting(identity), key_id, now)
            await self._report(
                session, identity, address, now, AuditAction.KEY_STOPPED_EARLY, stopped
            )
        self.mail_sent()
        return stopped

    async def _report(
        self,
        session: AsyncSession,
        identity: Identity,
        address: str,
        now: datetime,
        action: AuditAction,
        done: KeyAction,
        *,
        grace: Grace | None = None,
    ) -> None:
        """The audit entry and the owners' emails, in the action's transaction. Both
        name the key (its name, product and environment), never the key itself."""
        key = done.key
        details = {
            "key name": key.name,
            "product": key.product_id,
            "environment": key.environment,
        }
        if grace is not None:
            details["grace"] = grace.label
        await AuditService(session).record(
            action,
            now,
            actor=Actor(identity.user_id, identity.email, address),
            organisation_id=done.organisation_id,
            details=details,
        )
        await self._tell_owners(session, identity, now, action, done, grace)

    async def _tell_owners(
        self,
        session: AsyncSession,
        identity: Identity,
        now: datetime,
        action: AuditAction,
        done: KeyAction,
        grace: Grace | None,
    ) -> None:
        """Email the organisation's Owners / Account owners (a developer account's
        person) what was done to which key, by whom and when."""
        kind = done.kind
        team = await TeamService(session, self.public_url).team(_acting(identity))
        subject, what, after = _notice(action, done, grace)
        who = f"{identity.name} ({identity.email})" if identity.name else identity.email
        if kind is OwnerKind.DEVELOPER:
            where, whose = "", "your"
            advice = "change your password and delete any key you do not know"
            why = "you have a developer account"
        else:
            where, whose = f" for {done.organisation_name}", f"{done.organisation_name}'s"
            advice = "delete any key you do not know, and tell the people in your team"
            why = f"you manage {done.organisation_name}'s keys"
        outbox = Outbox(session)
        for owner in (m for m in team if m.role is owner_role(kind)):
            body = (
                (f"Hello {owner.name},\n\n" if owner.name else "Hello,\n\n")
                + f"{who} {what}{where} on {when(now)}.{after}\n\n"
                + f"You can see {whose} keys at {self._api_list_url}\n\n"
                + f"If you did not expect this, sign in, {advice}.\n\n"
                + f"You get this email because {why} on the {SERVICE} portal.\n"
            )
            await outbox.enqueue(owner.email, subject, body, now=now)

    @property
    def _api_list_url(self) -> str:
        return self.public_url.rstrip("/") + "/portal/apis"


def _notice(action: AuditAction, done: KeyAction, grace: Grace | None) -> tuple[str, str, str]:
    """The email's subject, what the person did (after their name) and what follows."""
    key = done.key
    title = key_title(key)
    ending = key.fragment[-4:]
    if action is AuditAction.KEY_ISSUED:
        return (
            f"New {title} key: {key.name}",
            f"got a new {title} key called {key.name} (ending {ending})",
            "",
        )
    if action is AuditAction.KEY_ROTATED:
        assert isinstance(done, Rotation)
        old = (
            "The old key stopped working at once."
            if grace is Grace.NOW
            else f"The old key works until {when(done.stops_at)}."
        )
        return (
            f"{title} key rotated: {key.name}",
            f"rotated the {title} key called {key.name} (ending {ending})",
            f" The new key ends {done.issued.fragment[-4:]}. {old}",
        )
    if action is AuditAction.KEY_DELETED:
        return (
            f"{title} key deleted: {key.name}",
            f"deleted the {title} key called {key.name} (ending {ending})",
            " It has stopped working.",
        )
    return (
        f"Old {title} key stopped: {key.name}",
        f"stopped the old {title} key called {key.name} (ending {ending})",
        " It had been replaced by a new key and had a grace period"
        + (f" until {when(key.expires_at)}" if key.expires_at else "")
        + ". It has stopped working; the new key keeps working.",
    )


def key_title(key: HeldKey) -> str:
    """The title of the product and environment a key is for."""
    return product_title(product_by_id(key.product_id), Environment(key.environment))


def _acting(identity: Identity) -> Acting:
    assert identity.organisation_id is not None  # the pages are for members only
    return Acting(identity.user_id, identity.organisation_id)


def _api_list(held: OrganisationKeys, usage: dict[str, KeySummary]) -> ApiList:
    sections = []
    for product in held.products:
        for environment in (Environment.LIVE, Environment.SANDBOX):
            keys = tuple(
                ListedKey(key, usage.get(key.key_id) or KeySummary(key.key_id, 0, 0, None))
                for key in held.keys
                if key.product_id == product.id and key.environment == environment
            )
            sections.append(ApiSection(product, environment, keys))
    return ApiList(held.organisation_name, held.kind, held.can_manage, tuple(sections))
