"""Issuing, listing, revoking and rotating keys, and the rules the gateway applies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.service import AccountError, AccountService, OwnerRef
from apprenticeships.accounts.vocabulary import OrganisationStatus
from apprenticeships.catalog.products import Environment, OwnerKind, Product
from apprenticeships.errors import OperationError
from apprenticeships.keys import tokens
from apprenticeships.keys.repository import (
    KeyListing,
    KeyRepository,
    KeyRow,
    SubscriptionRepository,
)
from apprenticeships.keys.snapshot import KeySnapshot
from apprenticeships.settings import RateLimitRule
from apprenticeships.storage.events import CacheEventRepository, EventKind
from apprenticeships.storage.models import ApiKey

MAX_GRACE = timedelta(days=30)


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


class KeyService:
    def __init__(self, session: AsyncSession, secret_key: bytes) -> None:
        self.secret_key = secret_key
        self.accounts = AccountService(session)
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
        subscription = await self.subscriptions.get_or_create(
            organisation.id, product.id, environment, now
        )
        key_id, new, key_hash = await self._add_key(
            subscription.id, environment, _key_name(name, product, environment), now, created_by
        )
        # Clears a negative-cache entry in case this exact string was ever tried before.
        await self.events.add(EventKind.KEY, now, key_hash)
        return IssuedKey(key_id, new.secret, new.fragment, product.id, environment, str(owner))

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
        if grace < timedelta(0) or grace > MAX_GRACE:
            raise KeyOperationError("the grace period is between 0 and 30 days")
        row = await self._usable_row(key_id, owner, now)
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
        return IssuedKey(
            new_id,
            new.secret,
            new.fragment,
            row.product_id,
            Environment(row.environment),
            f"{row.owner_kind}:{row.owner_public_id}",
        )

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


def _key_name(name: str, product: Product, environment: Environment) -> str:
    name = " ".join(name.split())[:100]
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
