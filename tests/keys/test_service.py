"""Keys, subscriptions and limits through the service and repositories, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.service import AccountError, AccountService, OwnerRef
from apprenticeships.catalog.products import (
    DISPLAY_ADVERT,
    RECRUITMENT,
    TRACK_PROGRESS,
    Environment,
)
from apprenticeships.gateway.usage import UsageRecorder
from apprenticeships.keys import tokens
from apprenticeships.keys.service import KeyOperationError, KeyService, parse_duration
from apprenticeships.settings import RateLimitRule
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import ApiKey, CacheEvent, Subscription
from tests import builders

SECRET = b"test-secret"
DEFAULT = RateLimitRule(150, 300)


async def test_issued_key_is_stored_only_as_a_keyed_hash(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    email = await builders.create_developer(sessions)
    issued = await builders.issue_key(sessions, SECRET, f"developer:{email}", name="Job board")
    async with sessions() as session:
        stored = await session.get(ApiKey, issued.key_id)
        assert stored is not None
        assert stored.key_hash == tokens.key_hash(SECRET, issued.secret)
        assert issued.secret not in (stored.key_hash, stored.fragment, stored.name)
        assert stored.fragment == f"appr_live_…{issued.secret[-4:]}"
        assert stored.name == "Job board"
        snapshot = await KeyService(session, SECRET).snapshot(
            stored.key_hash, DEFAULT, builders.now()
        )
    assert snapshot is not None
    assert (snapshot.owner_kind, snapshot.product_id, snapshot.environment) == (
        "developer",
        "display-advert",
        "live",
    )
    assert snapshot.rate_limit == DEFAULT


@pytest.mark.parametrize(
    ("owner_kind", "product", "allowed"),
    [
        ("developer", DISPLAY_ADVERT, True),
        ("developer", RECRUITMENT, False),
        ("developer", TRACK_PROGRESS, False),
        ("employer", RECRUITMENT, True),
        ("employer", TRACK_PROGRESS, False),
        ("provider", TRACK_PROGRESS, True),
        ("provider", RECRUITMENT, True),
    ],
)
async def test_issue_enforces_which_kinds_may_hold_each_product(
    sessions: async_sessionmaker[AsyncSession], owner_kind: str, product: object, allowed: bool
) -> None:
    owner = {
        "developer": f"developer:{await builders.create_developer(sessions)}",
        "employer": f"employer:{await builders.create_employer(sessions)}",
        "provider": f"provider:{await builders.create_provider(sessions)}",
    }[owner_kind]
    for environment in (Environment.LIVE, Environment.SANDBOX):
        async with unit_of_work(sessions) as session:
            service = KeyService(session, SECRET)
            if allowed:
                await service.issue(OwnerRef.parse(owner), product, environment, builders.now())  # type: ignore[arg-type]
            else:
                with pytest.raises(KeyOperationError, match="may not hold"):
                    await service.issue(OwnerRef.parse(owner), product, environment, builders.now())  # type: ignore[arg-type]
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(ApiKey))
    assert count == (2 if allowed else 0)


async def test_keys_of_one_owner_and_product_share_one_subscription(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    email = await builders.create_developer(sessions)
    first = await builders.issue_key(sessions, SECRET, f"developer:{email}")
    second = await builders.issue_key(sessions, SECRET, f"developer:{email}")
    sandbox = await builders.issue_key(
        sessions, SECRET, f"developer:{email}", "display-advert-sandbox"
    )
    async with sessions() as session:
        subscriptions = {
            key_id: (await session.get(ApiKey, key_id)).subscription_id  # type: ignore[union-attr]
            for key_id in (first.key_id, second.key_id, sandbox.key_id)
        }
        assert await session.scalar(select(func.count()).select_from(Subscription)) == 2
    assert (
        subscriptions[first.key_id] == subscriptions[second.key_id] != subscriptions[sandbox.key_id]
    )


async def test_revoke_checks_the_owner_and_records_an_invalidation(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mine = await builders.create_developer(sessions, "me@example.com")
    other = await builders.create_developer(sessions, "other@example.com")
    issued = await builders.issue_key(sessions, SECRET, f"developer:{mine}")
    async with unit_of_work(sessions) as session:
        with pytest.raises(KeyOperationError, match="no key"):
            await KeyService(session, SECRET).revoke(
                issued.key_id, builders.now(), OwnerRef.parse(f"developer:{other}")
            )
    async with unit_of_work(sessions) as session:
        await KeyService(session, SECRET).revoke(
            issued.key_id, builders.now(), OwnerRef.parse(f"developer:{mine}")
        )
    async with sessions() as session:
        stored = await session.get(ApiKey, issued.key_id)
        assert stored is not None
        assert stored.revoked_at is not None
        events = (await session.execute(select(CacheEvent.kind, CacheEvent.key_hash))).all()
        assert ("key", stored.key_hash) in [tuple(e) for e in events]
        assert (
            await KeyService(session, SECRET).snapshot(stored.key_hash, DEFAULT, builders.now())
            is None
        )
    async with unit_of_work(sessions) as session:
        with pytest.raises(KeyOperationError, match="already revoked"):
            await KeyService(session, SECRET).revoke(issued.key_id, builders.now())


async def test_rotation_issues_a_new_key_and_expires_the_old_after_the_grace(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    email = await builders.create_developer(sessions)
    old = await builders.issue_key(sessions, SECRET, f"developer:{email}", name="Board")
    new = await builders.rotate_key(sessions, SECRET, old.key_id, timedelta(hours=24))
    async with sessions() as session:
        old_row = await session.get(ApiKey, old.key_id)
        new_row = await session.get(ApiKey, new.key_id)
        assert old_row is not None
        assert new_row is not None
        assert old_row.replaced_by_id == new.key_id
        assert old_row.expires_at is not None
        delta = old_row.expires_at - new_row.created_at
        assert timedelta(hours=23, minutes=59) < delta <= timedelta(hours=24)
        assert (new_row.subscription_id, new_row.name) == (old_row.subscription_id, "Board")
        service = KeyService(session, SECRET)
        later = builders.now() + timedelta(hours=25)
        assert await service.snapshot(old_row.key_hash, DEFAULT, later) is None
        assert await service.snapshot(new_row.key_hash, DEFAULT, later) is not None
    async with unit_of_work(sessions) as session:
        with pytest.raises(KeyOperationError, match="grace"):
            await KeyService(session, SECRET).rotate(new.key_id, timedelta(days=31), builders.now())


async def test_limits_resolve_subscription_then_product_then_default(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    email = await builders.create_developer(sessions)
    issued = await builders.issue_key(sessions, SECRET, f"developer:{email}")
    key_hash = tokens.key_hash(SECRET, issued.secret)

    async def effective() -> RateLimitRule:
        async with sessions() as session:
            snapshot = await KeyService(session, SECRET).snapshot(key_hash, DEFAULT, builders.now())
        assert snapshot is not None
        return snapshot.rate_limit

    assert await effective() == DEFAULT
    await builders.set_limit(sessions, SECRET, "display-advert", "500/300")
    assert await effective() == RateLimitRule(500, 300)
    await builders.set_limit(sessions, SECRET, "display-advert", "10/60", f"developer:{email}")
    assert await effective() == RateLimitRule(10, 60)
    await builders.set_limit(sessions, SECRET, "display-advert-sandbox", "1/1")
    assert await effective() == RateLimitRule(10, 60)
    with pytest.raises(KeyOperationError, match="no Recruitment API subscription"):
        await builders.set_limit(sessions, SECRET, "recruitment", "1/1", f"developer:{email}")


async def test_usage_is_written_in_batches_and_only_moves_forward(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    email = await builders.create_developer(sessions)
    issued = await builders.issue_key(sessions, SECRET, f"developer:{email}")
    recorder = UsageRecorder(sessions, interval=60)
    start = builders.now().timestamp()
    for offset in range(5):
        recorder.record(issued.key_id, start + offset, 200)
    assert await recorder.flush() == 1
    recorder.record(issued.key_id, start - 100, 200)  # an older timestamp from a slower process
    await recorder.flush()
    async with sessions() as session:
        stored = await session.get(ApiKey, issued.key_id)
    assert stored is not None
    assert stored.usage_count == 6
    assert stored.last_used_at is not None
    assert abs(stored.last_used_at.timestamp() - (start + 4)) < 0.001


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nobody", "owner must be"),
        ("robot:x", "owner must be"),
        ("employer:", "owner must be"),
        ("employer:ZZZZZZ", "no employer"),
        ("provider:10000009", "no provider"),
    ],
)
async def test_unknown_owners_are_clear_errors(
    sessions: async_sessionmaker[AsyncSession], text: str, message: str
) -> None:
    async with sessions() as session:
        with pytest.raises(AccountError, match=message):
            await AccountService(session).find_owner(OwnerRef.parse(text))


async def test_accounts_reject_bad_input_and_duplicates(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        accounts = AccountService(session)
        employer = await accounts.add_employer("  Acme   Ltd ", builders.now())
        assert employer.name == "Acme Ltd"
        assert len(employer.public_id) == 6
        for ukprn in ("1234567", "00000001", "1000000A", "123456789"):
            with pytest.raises(AccountError, match="UKPRN"):
                await accounts.add_provider(ukprn, "X", builders.now())
        await accounts.add_provider("10000001", "College", builders.now())
        with pytest.raises(AccountError, match="already exists"):
            await accounts.add_provider("10000001", "College", builders.now())
        await accounts.add_developer("Dev@Example.com", builders.now())
        with pytest.raises(AccountError, match="already exists"):
            await accounts.add_developer("dev@example.COM", builders.now())
        with pytest.raises(AccountError, match="not an email"):
            await accounts.add_developer("not-an-email", builders.now())
        with pytest.raises(AccountError, match="name"):
            await accounts.add_employer("   ", builders.now())


def test_durations_parse_and_reject_nonsense() -> None:
    assert parse_duration("90s") == timedelta(seconds=90)
    assert parse_duration("24h") == timedelta(hours=24)
    assert parse_duration("7d") == timedelta(days=7)
    for bad in ("", "h", "1.5h", "-1h", "24", "1w"):
        with pytest.raises(KeyOperationError, match="duration"):
            parse_duration(bad)
