"""Builders for test data, separate from fixtures: each makes one thing through the real
services and commits it, as the CLI or portal would."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.service import AccountService, OwnerRef
from apprenticeships.app import Platform
from apprenticeships.catalog.products import parse_product_reference
from apprenticeships.keys.service import IssuedKey, KeyService
from apprenticeships.settings import RateLimitRule
from apprenticeships.storage.engine import unit_of_work


def now() -> datetime:
    return datetime.now(UTC)


async def create_employer(
    sessions: async_sessionmaker[AsyncSession], name: str = "Acme Engineering Ltd"
) -> str:
    async with unit_of_work(sessions) as session:
        return (await AccountService(session).add_employer(name, now())).public_id


async def create_provider(
    sessions: async_sessionmaker[AsyncSession],
    ukprn: str = "10000001",
    name: str = "Northfield College",
) -> str:
    async with unit_of_work(sessions) as session:
        return (await AccountService(session).add_provider(ukprn, name, now())).public_id


async def create_developer(
    sessions: async_sessionmaker[AsyncSession], email: str = "dev@example.com"
) -> str:
    async with unit_of_work(sessions) as session:
        await AccountService(session).add_developer(email, now())
    return email


async def issue_key(
    sessions: async_sessionmaker[AsyncSession],
    secret_key: bytes,
    owner: str,
    product: str = "display-advert",
    name: str = "",
) -> IssuedKey:
    chosen, environment = parse_product_reference(product)
    async with unit_of_work(sessions) as session:
        return await KeyService(session, secret_key).issue(
            OwnerRef.parse(owner), chosen, environment, now(), name
        )


async def revoke_key(
    sessions: async_sessionmaker[AsyncSession], secret_key: bytes, key_id: str
) -> None:
    async with unit_of_work(sessions) as session:
        await KeyService(session, secret_key).revoke(key_id, now())


async def rotate_key(
    sessions: async_sessionmaker[AsyncSession], secret_key: bytes, key_id: str, grace: timedelta
) -> IssuedKey:
    async with unit_of_work(sessions) as session:
        return await KeyService(session, secret_key).rotate(key_id, grace, now())


async def set_limit(
    sessions: async_sessionmaker[AsyncSession],
    secret_key: bytes,
    product: str,
    rule: str,
    owner: str | None = None,
) -> None:
    chosen, environment = parse_product_reference(product)
    async with unit_of_work(sessions) as session:
        await KeyService(session, secret_key).set_limit(
            chosen,
            environment,
            RateLimitRule.parse(rule),
            now(),
            OwnerRef.parse(owner) if owner else None,
        )


async def developer_key(platform: Platform, product: str = "display-advert") -> str:
    """A new developer's key for ``product`` on a running platform."""
    email = await create_developer(platform.sessions, f"dev-{uuid.uuid4().hex[:8]}@example.com")
    return (
        await issue_key(platform.sessions, platform.secret_key, f"developer:{email}", product)
    ).secret
