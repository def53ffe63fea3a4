"""Issuing, listing, revoking and rotating keys, and the rules the gateway applies.

Two kinds of caller. The operator at the CLI names an owner (``OwnerRef``) and may act
on any key: ``issue``, ``rotate``, ``revoke``. A person in the portal acts for one
organisation (``Acting``), and every call checks again that they still belong to it,
that it is active and that their role may manage keys: ``organisation_keys``,
``manageable_key``, ``issue_as``, ``rotate_as``, ``delete_as``, ``stop_early_as``.
Another organisation's key looks exactly like a missing one to them (``NotFound``).

Key names are unique among a subscription's working keys (a rotated key shares its name
with the key that replaced it until its grace period ends). A person is told when a
name is taken; the operator's key gets the first free name ("Demo (2)").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.acting import Acting, authorise
from apprenticeships.accounts.repository import MembershipRepository
from apprenticeships.accounts.service import AccountError, AccountService, OwnerRef
from apprenticeships.accounts.vocabulary import OrganisationStatus, Role, can_manage_keys
from apprenticeships.catalog.products import (
    PRODUCTS,
    Environment,
    OwnerKind,
    Product,
    product_title,
)
from apprenticeships.errors import Conflict, FieldProblem, InvalidInput, NotFound, OperationError
from apprenticeships.keys import tokens
from apprenticeships.keys.repository import (
    HeldKey,
    KeyListing,
    KeyRepository,
    KeyRow,
    SubscriptionRepository,
)
from apprenticeships.keys.snapshot import KeySnapshot
from apprenticeships.settings import RateLimitRule
from apprenticeships.storage.events import CacheEventRepository, EventKind
from apprenticeships.storage.models import ApiKey, Organisation

MAX_GRACE = timedelta(days=30)
NAME_FIELD = "name"
NAME_LENGTH = 100
MANAGE_KEYS = "Only Owners, Account owners and developers can get, rotate or delete keys"
NO_SUCH_KEY = "There is no such key"
# A name holding something like a key: people paste keys into the wrong box, and a
# name is shown on every page, emailed and written to the audit log.
_LOOKS_LIKE_A_KEY = re.compile(r"appr_(live|sandbox)_", re.IGNORECASE)


class KeyOperationError(OperationError):
    """A key operation was refused; the message is safe to show to the key holder."""


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key_id: str
    secret: str
    fragment: str
    product_id: str
    environment: Environment
    owner: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class OrganisationKeys:
    """An organisation's working keys, as one of its people sees them."""

    organisation_id: int
    organisation_name: str
    kind: OwnerKind
    # Whether this person may get, rotate, delete and stop keys.
    can_manage: bool
    keys: tuple[HeldKey, ...]

    @property
    def products(self) -> tuple[Product, ...]:
        """The products an organisation of this kind may hold keys for."""
        return tuple(p for p in PRODUCTS if self.kind in p.holders)


@dataclass(frozen=True, slots=True)
class KeyAction:
    """What a person did to a key, for the audit log and the owners' email."""

    organisation_id: int
    organisation_name: str
    kind: OwnerKind
    key: HeldKey


@dataclass(frozen=True, slots=True)
class Issued(KeyAction):
    """A new key; ``issued.secret`` is shown once and never stored."""

    issued: IssuedKey


@dataclass(frozen=True, slots=True)
class Rotation(KeyAction):
    """``key`` was replaced by ``issued`` (same name); ``key`` works until ``stops_at``
    (already past when the grace was zero)."""

    issued: IssuedKey
    stops_at: datetime


class KeyService:
    def __init__(self, session: AsyncSession, secret_key: bytes) -> None:
        self.secret_key = secret_key
        self.accounts = AccountService(session)
        self.memberships = MembershipRepository(session)
        self.subscriptions = SubscriptionRepository(session)
        self.keys = KeyRepository(session)
        self.events = CacheEventRepository(session)

    async def issue(
        self,
        owner: OwnerRef,
        product: Product,
        environment: Environment,
        now: datetime,
        name: str = "",
        created_by: int | None = None,
    ) -> IssuedKey:
        """``created_by`` is the person who got the key in the portal (None at the CLI)."""
        if owner.kind not in product.holders:
            allowed = ", ".join(sorted(k.value for k in product.holders))
            raise KeyOperationError(
                f"{owner.kind.value} accounts may not hold {product.name} keys "
                f"(it is for {allowed} accounts)"
            )
        organisation = await self.accounts.find_owner(owner)
        if organisation.status != OrganisationStatus.ACTIVE:
            raise KeyOperationError(f"{owner} is suspended")
        wanted = _key_name(name, product, environment)
        if _LOOKS_LIKE_A_KEY.search(wanted):
            raise KeyOperationError("a key's name must not hold a key")
        subscription = await self.subscriptions.get_or_create(
            organisation.id, product.id, environment, now
        )
        await self.subscriptions.lock(subscription.id)
        chosen = _free_name(wanted, await self.keys.current_names(subscription.id, now))
        key_id, new, key_hash = await self._add_key(
            subscription.id, environment, chosen, now, created_by
        )
        # Clears a negative-cache entry in case this exact string was ever tried before.
        await self.events.add(EventKind.KEY, now, key_hash)
        return IssuedKey(
            key_id, new.secret, new.fragment, product.id, environment, str(owner), chosen
        )

    async def _add_key(
        self,
        subscription_id: int,
        environment: Environment,
        name: str,
        now: datetime,
        created_by: int | None = None,
    ) -> tuple[str, tokens.NewKey, str]:
        new = tokens.generate(environment)
        key_hash = tokens.key_hash(self.secret_key, new.secret)
        key_id = tokens.new_key_id()
        await self.keys.add(
            ApiKey(
                id=key_id,
                subscription_id=subscription_id,
                name=name,
                key_hash=key_hash,
                fragment=new.fragment,
                created_at=now,
                usage_count=0,
                created_by_user_id=created_by,
            )
        )
        return key_id, new, key_hash

    async def list_keys(self, owner: OwnerRef | None = None) -> list[KeyListing]:
        organisation_id = None
        if owner is not None:
            organisation_id = (await self.accounts.find_owner(owner)).id
        return await self.keys.listing(organisation_id)

    async def revoke(self, key_id: str, now: datetime, owner: OwnerRef | None = None) -> None:
        """Stop a key at once. ``owner``, when given, must own it (portal callers)."""
        row = await self._usable_row(key_id, owner, now)
        await self.keys.revoke(row.key_id, now)
        await self.events.add(EventKind.KEY, now, row.key_hash)

    async def revoke_organisation_keys(self, organisation_id: int, now: datetime) -> int:
        """Stop every key an organisation holds at once, on every process (a deleted
        account). Returns how many were still working or in their grace period."""
        hashes = await self.keys.revoke_all_of(organisation_id, now)
        await self.events.add_for_keys(hashes, now)
        return len(hashes)

    async def rotate(
        self,
        key_id: str,
        grace: timedelta,
        now: datetime,
        owner: OwnerRef | None = None,
        created_by: int | None = None,
    ) -> IssuedKey:
        """Issue a new key for the same subscription; the old one works for ``grace`` more.
        ``created_by`` is the person who rotated it in the portal (None at the CLI)."""
        _check_grace(grace)
        row = await self._usable_row(key_id, owner, now)
        issued, _ = await self._rotate(row, grace, now, created_by)
        return issued

    async def _rotate(
        self, row: KeyRow, grace: timedelta, now: datetime, created_by: int | None
    ) -> tuple[IssuedKey, datetime]:
        """The new key, and when the old one stops."""
        current = await self.keys.get(row.key_id)
        assert current is not None
        new_id, new, new_hash = await self._add_key(
            row.subscription_id, Environment(row.environment), current.name, now, created_by
        )
        expires = now + grace
        if current.expires_at is not None and current.expires_at < expires:
            expires = current.expires_at
        await self.keys.set_expiry(row.key_id, expires, new_id)
        await self.events.add_for_keys([row.key_hash, new_hash], now)
        issued = IssuedKey(
            new_id,
            new.secret,
            new.fragment,
            row.product_id,
            Environment(row.environment),
            f"{row.owner_kind}:{row.owner_public_id}",
            current.name,
        )
        return issued, expires

    # -- people acting for their organisation (the portal) --------------------------------

    async def organisation_keys(self, acting: Acting, now: datetime) -> OrganisationKeys:
        """The organisation's working keys, oldest first; any of its people may see them."""
        membership, organisation = await authorise(
            self.memberships, acting, lambda _: True, "You cannot see this organisation's keys"
        )
        return OrganisationKeys(
            organisation.id,
            organisation.name,
            OwnerKind(organisation.kind),
            can_manage_keys(Role(membership.role)),
            tuple(await self.keys.held(organisation.id, now)),
        )

    async def manageable_key(self, acting: Acting, key_id: str, now: datetime) -> HeldKey:
        """One of the organisation's working keys, for a person who may manage it
        (``Forbidden`` otherwise); ``NotFound`` for any other key id."""
        _, _, held = await self._held_key(acting, key_id, now, lock=False)
        return held

    async def issue_as(
        self,
        acting: Acting,
        product: Product,
        environment: Environment,
        name: str,
        now: datetime,
    ) -> Issued:
        """A person gets a new key for their organisation, under a name of their choice
        that no other working key of the product (in that environment) has."""
        _, organisation = await authorise(self.memberships, acting, can_manage_keys, MANAGE_KEYS)
        title = product_title(product, environment)
        if OwnerKind(organisation.kind) not in product.holders:
            raise NotFound(f"{organisation.name} cannot hold {title} keys")
        chosen = clean_key_name(name)
        if (problem := key_name_problem(chosen)) is not None:
            raise InvalidInput(problems=[problem])
        subscription = await self.subscriptions.find(organisation.id, product.id, environment)
        if subscription is not None:
            await self.subscriptions.lock(subscription.id)
            if _taken(chosen, await self.keys.current_names(subscription.id, now)):
                raise InvalidInput.of(
                    NAME_FIELD,
                    f"There is already a {title} key called {chosen}: enter a different name",
                )
        else:
            subscription = await self.subscriptions.get_or_create(
                organisation.id, product.id, environment, now
            )
        key_id, new, key_hash = await self._add_key(
            subscription.id, environment, chosen, now, acting.person_id
        )
        await self.events.add(EventKind.KEY, now, key_hash)
        held = await self.keys.held(organisation.id, now, key_id)
        issued = IssuedKey(
            key_id,
            new.secret,
            new.fragment,
            product.id,
            environment,
            f"{organisation.kind}:{organisation.public_id}",
            chosen,
        )
        return Issued(*_about(organisation), held[0], issued)

    async def rotate_as(
        self, acting: Acting, key_id: str, grace: timedelta, now: datetime
    ) -> Rotation:
        """Replace a key by a new one of the same name; the old one works for ``grace``
        more (zero: it stops now). A key already replaced cannot be rotated again."""
        _check_grace(grace)
        organisation, row, held = await self._held_key(acting, key_id, now)
        if held.replaced:
            raise Conflict(
                "This key has already been replaced by a new one. Stop it now from the API "
                "keys page, or let it stop at the end of its grace period"
            )
        issued, stops_at = await self._rotate(row, grace, now, acting.person_id)
        return Rotation(*_about(organisation), held, issued, stops_at)

    async def delete_as(self, acting: Acting, key_id: str, now: datetime) -> KeyAction:
        """Stop a key at once, on every process. A replaced key in its grace period is
        stopped with ``stop_early_as`` instead."""
        organisation, row, held = await self._held_key(acting, key_id, now)
        if held.replaced:
            raise Conflict(
                "This key has already been replaced by a new one. Stop it now from the API "
                "keys page instead"
            )
        await self._revoke_row(row, now)
        return KeyAction(*_about(organisation), held)

    async def stop_early_as(self, acting: Acting, key_id: str, now: datetime) -> KeyAction:
        """End a rotated key's grace period now ("Stop now"): it stops on every process."""
        organisation, row, held = await self._held_key(acting, key_id, now)
        if not held.replaced:
            raise Conflict("Only a key that has been replaced can be stopped early")
        await self._revoke_row(row, now)
        return KeyAction(*_about(organisation), held)

    async def _held_key(
        self, acting: Acting, key_id: str, now: datetime, *, lock: bool = True
    ) -> tuple[Organisation, KeyRow, HeldKey]:
        """The organisation's working key ``key_id`` for a person who may manage keys.
        ``lock`` (for changes) holds its subscription's row and reads the key again under
        it, so two people rotating one key at once queue and the second sees the first."""
        _, organisation = await authorise(self.memberships, acting, can_manage_keys, MANAGE_KEYS)
        found = await self.keys.held(organisation.id, now, key_id)
        row = await self.keys.row_by_id(key_id) if found else None
        if found and row is not None and lock:
            await self.subscriptions.lock(row.subscription_id)
            found = await self.keys.held(organisation.id, now, key_id)
        if not found or row is None:
            # Another organisation's key, a revoked or an expired one: none of them
            # exists for this person.
            raise NotFound(NO_SUCH_KEY)
        return organisation, row, found[0]

    async def _revoke_row(self, row: KeyRow, now: datetime) -> None:
        await self.keys.revoke(row.key_id, now)
        await self.events.add(EventKind.KEY, now, row.key_hash)

    async def set_limit(
        self,
        product: Product,
        environment: Environment,
        rule: RateLimitRule,
        now: datetime,
        owner: OwnerRef | None = None,
    ) -> None:
        if owner is None:
            await self.subscriptions.set_product_limit(
                product.id, environment, rule.calls, rule.seconds
            )
            await self.events.add(EventKind.ALL_KEYS, now)
            return
        organisation = await self.accounts.find_owner(owner)
        subscription = await self.subscriptions.find(organisation.id, product.id, environment)
        if subscription is None:
            raise KeyOperationError(
                f"{owner} has no {product.name} subscription in {environment.value}"
            )
        await self.subscriptions.set_limit(subscription, rule.calls, rule.seconds)
        await self.events.add_for_keys(
            await self.keys.hashes_for_subscription(subscription.id), now
        )

    async def snapshot(
        self, key_hash: str, default_limit: RateLimitRule, now: datetime
    ) -> KeySnapshot | None:
        """The gateway's view of a key, or None if it must be refused."""
        row = await self.keys.row_by_hash(key_hash)
        if row is None or not _is_active(row, now):
            return None
        return KeySnapshot(
            key_id=row.key_id,
            subscription_id=row.subscription_id,
            owner_kind=OwnerKind(row.owner_kind),
            owner_id=row.owner_public_id,
            product_id=row.product_id,
            environment=Environment(row.environment),
            rate_limit=_effective_limit(row, default_limit),
            expires_at=row.expires_at.timestamp() if row.expires_at else None,
        )

    async def _usable_row(self, key_id: str, owner: OwnerRef | None, now: datetime) -> KeyRow:
        row = await self.keys.row_by_id(key_id)
        # A key of another owner looks exactly like a missing one.
        if row is None or (
            owner is not None and (row.owner_kind != owner.kind or not await self._owns(owner, row))
        ):
            raise KeyOperationError(f"no key {key_id!r}")
        if not _is_active(row, now):
            raise KeyOperationError(f"key {key_id} is already revoked or expired")
        return row

    async def _owns(self, owner: OwnerRef, row: KeyRow) -> bool:
        try:
            organisation = await self.accounts.find_owner(owner)
        except AccountError:
            return False
        return organisation.public_id == row.owner_public_id


def _about(organisation: Organisation) -> tuple[int, str, OwnerKind]:
    """What a ``KeyAction`` says of the organisation."""
    return organisation.id, organisation.name, OwnerKind(organisation.kind)


def _is_active(row: KeyRow, now: datetime) -> bool:
    return (
        row.revoked_at is None
        and (row.expires_at is None or row.expires_at > now)
        and row.owner_status == OrganisationStatus.ACTIVE
    )


def _effective_limit(row: KeyRow, default: RateLimitRule) -> RateLimitRule:
    if row.subscription_calls and row.subscription_seconds:
        return RateLimitRule(row.subscription_calls, row.subscription_seconds)
    if row.product_calls and row.product_seconds:
        return RateLimitRule(row.product_calls, row.product_seconds)
    return default


def clean_key_name(name: str) -> str:
    """A name as stored: inner runs of white space made one space, ends trimmed."""
    return " ".join(name.split())


def key_name_problem(name: str) -> FieldProblem | None:
    """What is wrong with a (cleaned) name a person gave a key, if anything."""
    if not name:
        return FieldProblem(NAME_FIELD, "Enter a key name")
    if len(name) > NAME_LENGTH:
        return FieldProblem(NAME_FIELD, f"Key name must be {NAME_LENGTH} characters or fewer")
    if _LOOKS_LIKE_A_KEY.search(name):
        return FieldProblem(NAME_FIELD, "Enter a name for the key, not a key")
    return None


def _taken(name: str, names: list[str]) -> bool:
    wanted = name.casefold()
    return any(existing.casefold() == wanted for existing in names)


def _free_name(name: str, names: list[str]) -> str:
    """``name``, or the first of "name (2)", "name (3)", ... that is not taken."""
    number = 1
    candidate = name
    while _taken(candidate, names):
        number += 1
        suffix = f" ({number})"
        candidate = name[: NAME_LENGTH - len(suffix)] + suffix
    return candidate


def _check_grace(grace: timedelta) -> None:
    if grace < timedelta(0) or grace > MAX_GRACE:
        raise KeyOperationError("the grace period is between 0 and 30 days")


def _key_name(name: str, product: Product, environment: Environment) -> str:
    name = clean_key_name(name)[:NAME_LENGTH]
    if name:
        return name
    return product.name + (" (sandbox)" if environment is Environment.SANDBOX else "")


def parse_duration(text: str) -> timedelta:
    """``90s``, ``15m``, ``24h``, ``7d`` (whole numbers)."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise KeyOperationError(f"a duration looks like 90s, 15m, 24h or 7d, not {text!r}")
    return timedelta(seconds=int(text[:-1]) * units[text[-1]])
