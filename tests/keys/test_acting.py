"""Keys managed by people acting for their organisation (the portal's calls to
``KeyService``): roles, other organisations' keys, unique names, rotation and stopping
early; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from apprenticeships.accounts.acting import Acting
from apprenticeships.accounts.service import AccountService, OwnerRef
from apprenticeships.accounts.vocabulary import Role
from apprenticeships.catalog.products import (
    DISPLAY_ADVERT,
    RECRUITMENT,
    TRACK_PROGRESS,
    Environment,
    OwnerKind,
)
from apprenticeships.errors import Conflict, Forbidden, InvalidInput, NotFound
from apprenticeships.keys import tokens
from apprenticeships.keys.service import KeyService
from apprenticeships.settings import RateLimitRule
from apprenticeships.storage.engine import create_engine, session_factory, unit_of_work
from apprenticeships.storage.models import ApiKey, CacheEvent, Membership, Organisation, User
from tests import builders

SECRET = b"test-secret"
DEFAULT = RateLimitRule(150, 300)
LIVE, SANDBOX = Environment.LIVE, Environment.SANDBOX


async def person(
    sessions: async_sessionmaker[AsyncSession], owner: str, role: Role, email: str
) -> Acting:
    """Someone in the organisation ``owner`` names, with ``role``."""
    async with unit_of_work(sessions) as session:
        organisation = await AccountService(session).find_owner(OwnerRef.parse(owner))
        user = User(email=email, name=email.split("@")[0], is_platform_admin=False,
                    created_at=builders.now())  # fmt: skip
        session.add(user)
        await session.flush()
        session.add(
            Membership(
                user_id=user.id, organisation_id=organisation.id, role=role,
                created_at=builders.now(),
            )
        )  # fmt: skip
        return Acting(user.id, organisation.id)


async def employer_with_people(
    sessions: async_sessionmaker[AsyncSession], name: str = "Acme Engineering Ltd"
) -> tuple[str, dict[Role, Acting]]:
    owner = f"employer:{await builders.create_employer(sessions, name)}"
    slug = name.split()[0].lower()
    people = {
        role: await person(sessions, owner, role, f"{role.value.lower()}@{slug}.example")
        for role in (Role.OWNER, Role.TRANSACTOR, Role.VIEWER)
    }
    return owner, people


async def provider_with_people(
    sessions: async_sessionmaker[AsyncSession],
) -> tuple[str, dict[Role, Acting]]:
    owner = f"provider:{await builders.create_provider(sessions)}"
    people = {
        role: await person(sessions, owner, role, f"{role.value.lower()}@northfield.example")
        for role in (Role.ACCOUNT_OWNER, Role.CONTRIBUTOR, Role.VIEWER)
    }
    return owner, people


@pytest.mark.parametrize(
    ("kind", "manager", "others"),
    [
        (OwnerKind.EMPLOYER, Role.OWNER, (Role.TRANSACTOR, Role.VIEWER)),
        (OwnerKind.PROVIDER, Role.ACCOUNT_OWNER, (Role.CONTRIBUTOR, Role.VIEWER)),
    ],
)
async def test_only_owners_may_get_rotate_delete_or_stop_keys_everyone_may_see_them(
    sessions: async_sessionmaker[AsyncSession],
    kind: OwnerKind,
    manager: Role,
    others: tuple[Role, ...],
) -> None:
    if kind is OwnerKind.EMPLOYER:
        _, people = await employer_with_people(sessions)
    else:
        _, people = await provider_with_people(sessions)
    owner = people[manager]
    async with unit_of_work(sessions) as session:
        issued = await KeyService(session, SECRET).issue_as(
            owner, RECRUITMENT, LIVE, "Tracking", builders.now()
        )
    async with unit_of_work(sessions) as session:
        rotation = await KeyService(session, SECRET).rotate_as(
            owner, issued.issued.key_id, timedelta(hours=1), builders.now()
        )
    old, new = issued.issued.key_id, rotation.issued.key_id
    for role in others:
        acting = people[role]
        async with sessions() as session:
            seen = await KeyService(session, SECRET).organisation_keys(acting, builders.now())
            assert not seen.can_manage
            assert [k.key_id for k in seen.keys] == [old, new]
            with pytest.raises(Forbidden):
                await KeyService(session, SECRET).manageable_key(acting, new, builders.now())
        attempts = [
            lambda s, a=acting: s.issue_as(a, RECRUITMENT, LIVE, "Mine", builders.now()),
            lambda s, a=acting: s.rotate_as(a, new, timedelta(0), builders.now()),
            lambda s, a=acting: s.delete_as(a, new, builders.now()),
            lambda s, a=acting: s.stop_early_as(a, old, builders.now()),
        ]
        for attempt in attempts:
            with pytest.raises(Forbidden, match="Only Owners"):
                async with unit_of_work(sessions) as session:
                    await attempt(KeyService(session, SECRET))
    async with sessions() as session:
        seen = await KeyService(session, SECRET).organisation_keys(owner, builders.now())
        assert seen.can_manage
        assert [(k.key_id, k.replaced) for k in seen.keys] == [(old, True), (new, False)]
        assert await session.scalar(select(ApiKey.id).where(ApiKey.name == "Mine")) is None


async def test_another_organisations_key_is_not_found_and_stays_as_it_was(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    _, ours = await employer_with_people(sessions, "Acme Engineering Ltd")
    _, theirs = await employer_with_people(sessions, "Brightside Care Ltd")
    async with unit_of_work(sessions) as session:
        issued = await KeyService(session, SECRET).issue_as(
            theirs[Role.OWNER], DISPLAY_ADVERT, LIVE, "Theirs", builders.now()
        )
    key_id = issued.issued.key_id
    me = ours[Role.OWNER]
    attempts = [
        lambda s: s.manageable_key(me, key_id, builders.now()),
        lambda s: s.rotate_as(me, key_id, timedelta(0), builders.now()),
        lambda s: s.delete_as(me, key_id, builders.now()),
        lambda s: s.stop_early_as(me, key_id, builders.now()),
        lambda s: s.delete_as(me, "no-such-key", builders.now()),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            async with unit_of_work(sessions) as session:
                await attempt(KeyService(session, SECRET))
    async with sessions() as session:
        stored = await session.get(ApiKey, key_id)
        assert stored is not None
        assert (stored.revoked_at, stored.expires_at, stored.replaced_by_id) == (None, None, None)
        assert await session.scalar(select(ApiKey.id).where(ApiKey.id != key_id)) is None
        mine = await KeyService(session, SECRET).organisation_keys(me, builders.now())
        assert mine.keys == ()


async def test_a_kind_may_get_keys_only_for_products_it_may_hold(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    _, people = await employer_with_people(sessions)
    for environment in (LIVE, SANDBOX):
        with pytest.raises(NotFound):
            async with unit_of_work(sessions) as session:
                await KeyService(session, SECRET).issue_as(
                    people[Role.OWNER], TRACK_PROGRESS, environment, "MIS", builders.now()
                )
    async with sessions() as session:
        seen = await KeyService(session, SECRET).organisation_keys(
            people[Role.OWNER], builders.now()
        )
    assert seen.kind is OwnerKind.EMPLOYER
    assert seen.products == (DISPLAY_ADVERT, RECRUITMENT)


async def test_names_are_unique_among_a_products_working_keys_in_one_environment(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    owner, people = await employer_with_people(sessions)
    me = people[Role.OWNER]

    async def issue(name: str, environment: Environment = LIVE) -> str:
        async with unit_of_work(sessions) as session:
            issued = await KeyService(session, SECRET).issue_as(
                me, DISPLAY_ADVERT, environment, name, builders.now()
            )
            return issued.issued.key_id

    first = await issue("  Job   board ")
    for name, message in (
        ("JOB BOARD", "There is already a Display advert API key called JOB BOARD"),
        ("", "Enter a key name"),
        ("x" * 101, "100 characters or fewer"),
        ("my appr_live_key", "not a key"),
    ):
        with pytest.raises(InvalidInput) as raised:
            await issue(name)
        assert [p.field for p in raised.value.problems] == ["name"]
        assert message in raised.value.problems[0].message
    await issue("Job board", SANDBOX)
    async with sessions() as session:
        assert (await session.get(ApiKey, first)) is not None
        names = list(await session.scalars(select(ApiKey.name).order_by(ApiKey.created_at)))
    assert names == ["Job board", "Job board"]

    # A rotated key shares its name; deleting the new one frees it.
    async with unit_of_work(sessions) as session:
        rotation = await KeyService(session, SECRET).rotate_as(
            me, first, timedelta(hours=1), builders.now()
        )
    assert rotation.issued.name == rotation.key.name == "Job board"
    with pytest.raises(InvalidInput):
        await issue("Job board")
    async with unit_of_work(sessions) as session:
        await KeyService(session, SECRET).delete_as(me, rotation.issued.key_id, builders.now())
    await issue("Job board")

    # The operator's keys take the first free name instead.
    for expected in ("job board (2)", "job board (3)"):
        cli = await builders.issue_key(sessions, SECRET, owner, name="job board")
        assert cli.name == expected
    unnamed = [await builders.issue_key(sessions, SECRET, owner) for _ in range(2)]
    assert [k.name for k in unnamed] == ["Display advert API", "Display advert API (2)"]


async def test_rotating_with_no_grace_stops_the_old_key_and_with_a_grace_until_stopped(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    _, people = await employer_with_people(sessions)
    me = people[Role.OWNER]
    async with unit_of_work(sessions) as session:
        first = (
            await KeyService(session, SECRET).issue_as(
                me, DISPLAY_ADVERT, LIVE, "A", builders.now()
            )
        ).issued
    async with unit_of_work(sessions) as session:
        now = builders.now()
        at_once = await KeyService(session, SECRET).rotate_as(me, first.key_id, timedelta(0), now)
    assert at_once.stops_at == now
    async with sessions() as session:
        service = KeyService(session, SECRET)
        old_hash = tokens.key_hash(SECRET, first.secret)
        assert await service.snapshot(old_hash, DEFAULT, builders.now()) is None
        seen = await service.organisation_keys(me, builders.now())
        assert [k.key_id for k in seen.keys] == [at_once.issued.key_id]
        assert seen.keys[0].created_by_email == "owner@acme.example"

    second = at_once.issued
    async with unit_of_work(sessions) as session:
        graced = await KeyService(session, SECRET).rotate_as(
            me, second.key_id, timedelta(hours=1), builders.now()
        )
    for attempt in (
        lambda s: s.rotate_as(me, second.key_id, timedelta(0), builders.now()),
        lambda s: s.delete_as(me, second.key_id, builders.now()),
        lambda s: s.stop_early_as(me, graced.issued.key_id, builders.now()),
    ):
        with pytest.raises(Conflict):
            async with unit_of_work(sessions) as session:
                await attempt(KeyService(session, SECRET))
    second_hash = tokens.key_hash(SECRET, second.secret)
    async with sessions() as session:
        assert await KeyService(session, SECRET).snapshot(
            second_hash, DEFAULT, builders.now()
        ) is not None  # fmt: skip
    async with unit_of_work(sessions) as session:
        stopped = await KeyService(session, SECRET).stop_early_as(me, second.key_id, builders.now())
    assert stopped.key.key_id == second.key_id
    async with sessions() as session:
        service = KeyService(session, SECRET)
        assert await service.snapshot(second_hash, DEFAULT, builders.now()) is None
        new_hash = tokens.key_hash(SECRET, graced.issued.secret)
        assert await service.snapshot(new_hash, DEFAULT, builders.now()) is not None
        events = list(await session.scalars(select(CacheEvent.key_hash)))
        assert second_hash in events
        seen = await service.organisation_keys(me, builders.now())
        assert [k.key_id for k in seen.keys] == [graced.issued.key_id]


async def test_people_of_a_suspended_organisation_cannot_see_or_change_its_keys(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    _, people = await employer_with_people(sessions)
    me = people[Role.OWNER]
    async with unit_of_work(sessions) as session:
        await session.execute(
            update(Organisation)
            .where(Organisation.id == me.organisation_id)
            .values(status="suspended")
        )
    with pytest.raises(Forbidden):
        async with sessions() as session:
            await KeyService(session, SECRET).organisation_keys(me, builders.now())
    with pytest.raises(Forbidden):
        async with unit_of_work(sessions) as session:
            await KeyService(session, SECRET).issue_as(
                me, DISPLAY_ADVERT, LIVE, "A", builders.now()
            )


async def _wait_for_a_lock_wait(engine: AsyncEngine, deadline: float) -> None:
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while time.monotonic() < deadline:
        async with engine.connect() as connection:
            if await connection.scalar(query):
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the second transaction never waited for the first")


@pytest.mark.postgres
@pytest.mark.parametrize("change", ["rotate", "name"])
async def test_two_people_changing_one_subscription_at_once_queue_on_postgresql(
    postgres_url: str, change: str
) -> None:
    """Two Owners rotate one key (or give two new keys one name) at once: the second
    waits for the first to commit, then sees what it did and is refused."""
    engines = [create_engine(postgres_url) for _ in range(3)]
    first, second = (session_factory(engine) for engine in engines[:2])
    try:
        owner = f"employer:{await builders.create_employer(first)}"
        alice = await person(first, owner, Role.OWNER, "alice@acme.example")
        bob = await person(first, owner, Role.OWNER, "bob@acme.example")
        async with unit_of_work(first) as session:
            key_id = (
                await KeyService(session, SECRET).issue_as(
                    alice, DISPLAY_ADVERT, LIVE, "Job board", builders.now()
                )
            ).issued.key_id

        async def act(session: AsyncSession, acting: Acting) -> object:
            service = KeyService(session, SECRET)
            if change == "rotate":
                return await service.rotate_as(acting, key_id, timedelta(hours=1), builders.now())
            return await service.issue_as(acting, DISPLAY_ADVERT, LIVE, "Feed", builders.now())

        async def bobs_turn() -> object:
            async with unit_of_work(second) as session:
                return await act(session, bob)

        async with unit_of_work(first) as session:
            await act(session, alice)
            racing = asyncio.create_task(bobs_turn())
            await _wait_for_a_lock_wait(engines[2], time.monotonic() + 10)
            assert not racing.done()
        with pytest.raises(Conflict if change == "rotate" else InvalidInput):
            await asyncio.wait_for(racing, timeout=10)
        async with first() as session:
            names = list(await session.scalars(select(ApiKey.name).order_by(ApiKey.created_at)))
        assert names == (
            ["Job board", "Job board"] if change == "rotate" else ["Job board", "Feed"]
        )
    finally:
        for engine in engines:
            await engine.dispose()
