"""SQL for subscriptions, keys and rate-limit overrides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, and_, case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.catalog.products import Environment, ProductId
from apprenticeships.storage.models import (
    ApiKey,
    Organisation,
    ProductRateLimit,
    Subscription,
    User,
)


@dataclass(frozen=True, slots=True)
class KeyRow:
    """A key joined with everything the gateway needs to decide about it."""

    key_id: str
    key_hash: str
    subscription_id: int
    product_id: str
    environment: str
    owner_kind: str
    owner_public_id: str
    owner_status: str
    expires_at: datetime | None
    revoked_at: datetime | None
    subscription_calls: int | None
    subscription_seconds: int | None
    product_calls: int | None
    product_seconds: int | None


@dataclass(frozen=True, slots=True)
class KeyListing:
    key_id: str
    name: str
    fragment: str
    product_id: str
    environment: str
    owner_kind: str
    owner_public_id: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    usage_count: int


@dataclass(frozen=True, slots=True)
class HeldKey:
    """A working key as its organisation's people see it (never the key itself): not
    revoked, and not past the end of a rotation's grace period."""

    key_id: str
    name: str
    fragment: str
    product_id: str
    environment: str
    created_at: datetime
    # Who got it in the portal: None for a key the operator issued at the CLI.
    created_by_name: str | None
    created_by_email: str | None
    last_used_at: datetime | None
    # Set once the key was rotated: when its grace period ends.
    expires_at: datetime | None
    # The key that replaced it, once rotated.
    replaced_by_id: str | None

    @property
    def replaced(self) -> bool:
        """Rotated, and working only until ``expires_at``."""
        return self.replaced_by_id is not None


class SubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_or_create(
        self, organisation_id: int, product_id: ProductId, environment: Environment, now: datetime
    ) -> Subscription:
        found = await self.session.scalar(
            select(Subscription).where(
                Subscription.organisation_id == organisation_id,
                Subscription.product_id == product_id,
                Subscription.environment == environment,
            )
        )
        if found is not None:
            return found
        subscription = Subscription(
            organisation_id=organisation_id,
            product_id=product_id,
            environment=environment,
            created_at=now,
        )
        self.session.add(subscription)
        await self.session.flush()
        return subscription

    async def find(
        self, organisation_id: int, product_id: ProductId, environment: Environment
    ) -> Subscription | None:
        return await self.session.scalar(
            select(Subscription).where(
                Subscription.organisation_id == organisation_id,
                Subscription.product_id == product_id,
                Subscription.environment == environment,
            )
        )

    async def lock(self, subscription_id: int) -> None:
        """Hold the subscription's row until the transaction ends (PostgreSQL), so two
        keys given one name at once queue and the second sees the first."""
        await self.session.execute(
            select(Subscription.id).where(Subscription.id == subscription_id).with_for_update()
        )

    async def set_limit(self, subscription: Subscription, calls: int, seconds: int) -> None:
        subscription.rate_limit_calls = calls
        subscription.rate_limit_seconds = seconds
        await self.session.flush()

    async def set_product_limit(
        self, product_id: ProductId, environment: Environment, calls: int, seconds: int
    ) -> None:
        existing = await self.session.get(ProductRateLimit, (product_id, environment))
        if existing is None:
            self.session.add(
                ProductRateLimit(
                    product_id=product_id, environment=environment, calls=calls, seconds=seconds
                )
            )
        else:
            existing.calls, existing.seconds = calls, seconds
        await self.session.flush()


class KeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, key: ApiKey) -> None:
        self.session.add(key)
        await self.session.flush()

    async def get(self, key_id: str) -> ApiKey | None:
        return await self.session.get(ApiKey, key_id)

    def _joined(self) -> Select[*tuple[Any, ...]]:
        return (
            select(
                ApiKey.id,
                ApiKey.key_hash,
                Subscription.id,
                Subscription.product_id,
                Subscription.environment,
                Organisation.kind,
                Organisation.public_id,
                Organisation.status,
                ApiKey.expires_at,
                ApiKey.revoked_at,
                Subscription.rate_limit_calls,
                Subscription.rate_limit_seconds,
                ProductRateLimit.calls,
                ProductRateLimit.seconds,
            )
            .join(Subscription, ApiKey.subscription_id == Subscription.id)
            .join(Organisation, Subscription.organisation_id == Organisation.id)
            .outerjoin(
                ProductRateLimit,
                and_(
                    ProductRateLimit.product_id == Subscription.product_id,
                    ProductRateLimit.environment == Subscription.environment,
                ),
            )
        )

    async def row_by_hash(self, key_hash: str) -> KeyRow | None:
        result = await self.session.execute(self._joined().where(ApiKey.key_hash == key_hash))
        row = result.first()
        return KeyRow(*row) if row is not None else None

    async def row_by_id(self, key_id: str) -> KeyRow | None:
        result = await self.session.execute(self._joined().where(ApiKey.id == key_id))
        row = result.first()
        return KeyRow(*row) if row is not None else None

    async def held(
        self, organisation_id: int, now: datetime, key_id: str | None = None
    ) -> list[HeldKey]:
        """The organisation's working keys (or the one of ``key_id``, if it is one of
        them), oldest first, with who got each."""
        query = (
            select(
                ApiKey.id,
                ApiKey.name,
                ApiKey.fragment,
                Subscription.product_id,
                Subscription.environment,
                ApiKey.created_at,
                User.name,
                User.email,
                ApiKey.last_used_at,
                ApiKey.expires_at,
                ApiKey.replaced_by_id,
            )
            .join(Subscription, ApiKey.subscription_id == Subscription.id)
            .outerjoin(User, ApiKey.created_by_user_id == User.id)
            .where(
                Subscription.organisation_id == organisation_id,
                ApiKey.revoked_at.is_(None),
                or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now),
            )
            .order_by(ApiKey.created_at, ApiKey.id)
        )
        if key_id is not None:
            query = query.where(ApiKey.id == key_id)
        result = await self.session.execute(query)
        return [HeldKey(*cast(tuple[Any, ...], row)) for row in result.all()]

    async def current_names(self, subscription_id: int, now: datetime) -> list[str]:
        """The names of the subscription's working keys that were not rotated (a
        rotated key shares its name with the key that replaced it)."""
        result = await self.session.scalars(
            select(ApiKey.name).where(
                ApiKey.subscription_id == subscription_id,
                ApiKey.revoked_at.is_(None),
                ApiKey.replaced_by_id.is_(None),
                or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now),
            )
        )
        return list(result)

    async def hashes_for_subscription(self, subscription_id: int) -> list[str]:
        result = await self.session.scalars(
            select(ApiKey.key_hash).where(ApiKey.subscription_id == subscription_id)
        )
        return list(result)

    async def listing(self, organisation_id: int | None = None) -> list[KeyListing]:
        query = (
            select(
                ApiKey.id,
                ApiKey.name,
                ApiKey.fragment,
                Subscription.product_id,
                Subscription.environment,
                Organisation.kind,
                Organisation.public_id,
                ApiKey.created_at,
                ApiKey.last_used_at,
                ApiKey.expires_at,
                ApiKey.revoked_at,
                ApiKey.usage_count,
            )
            .join(Subscription, ApiKey.subscription_id == Subscription.id)
            .join(Organisation, Subscription.organisation_id == Organisation.id)
            .order_by(ApiKey.created_at, ApiKey.id)
        )
        if organisation_id is not None:
            query = query.where(Organisation.id == organisation_id)
        result = await self.session.execute(query)
        return [KeyListing(*cast(tuple[Any, ...], row)) for row in result.all()]

    async def revoke(self, key_id: str, now: datetime) -> None:
        await self.session.execute(update(ApiKey).where(ApiKey.id == key_id).values(revoked_at=now))

    async def revoke_all_of(self, organisation_id: int, now: datetime) -> list[str]:
        """Revoke every key of an organisation not revoked yet; their hashes."""
        result = await self.session.execute(
            update(ApiKey)
            .where(
                ApiKey.subscription_id.in_(
                    select(Subscription.id).where(Subscription.organisation_id == organisation_id)
                ),
                ApiKey.revoked_at.is_(None),
            )
            .values(revoked_at=now)
            .returning(ApiKey.key_hash)
            .execution_options(synchronize_session=False)
        )
        return list(result.scalars())

    async def set_expiry(self, key_id: str, expires_at: datetime, replaced_by: str) -> None:
        await self.session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id)
            .values(expires_at=expires_at, replaced_by_id=replaced_by)
        )

    async def record_usage(self, usage: Sequence[tuple[str, int, datetime]]) -> None:
        """Add counts and move last-used forward, one statement per key."""
        for key_id, count, last_used in usage:
            await self.session.execute(
                update(ApiKey)
                .where(ApiKey.id == key_id)
                .values(
                    usage_count=ApiKey.usage_count + count,
                    last_used_at=case(
                        (
                            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < last_used),
                            last_used,
                        ),
                        else_=ApiKey.last_used_at,
                    ),
                )
            )
