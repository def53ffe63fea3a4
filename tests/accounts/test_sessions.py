"""Portal sessions in each store: the database (SQLite and PostgreSQL) and Redis. Every
test that needs "another process" uses a second store instance with its own connections."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from apprenticeships.accounts.sessions import (
    IDLE_EXPIRY,
    DatabaseSessionStore,
    RedisSessionStore,
    SessionRecord,
    SessionStore,
    cookie_attributes,
    session_store,
)
from apprenticeships.storage.engine import create_engine, session_factory, unit_of_work
from apprenticeships.storage.models import Organisation, PortalSession, User
from tests.support.clocks import ManualClock

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADDRESS = "203.0.113.7"


def at(clock: ManualClock) -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


async def must_load(store: SessionStore, session_id: str, now: datetime) -> SessionRecord:
    record = await store.load(session_id, now)
    assert record is not None, "the session has ended"
    return record


@dataclass
class Backend:
    """One session store's backing service, and a way to open more stores on it: each
    is what another server process would hold."""

    new_store: Callable[[], SessionStore]
    # Everything the backend holds, as text, to look for secrets in.
    stored_text: Callable[[], Awaitable[str]]
    users: tuple[int, int]
    organisations: tuple[int, int]


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("redis", marks=pytest.mark.redis),
    ]
)
def backend_kind(request: pytest.FixtureRequest) -> tuple[str, str, str]:
    """(kind, URL, Redis prefix), resolved outside the event loop."""
    if request.param == "redis":
        url, prefix = request.getfixturevalue("redis_url")
        return "redis", url, prefix
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return "database", str(request.getfixturevalue(fixture)), ""


async def _people(engine: AsyncEngine) -> tuple[tuple[int, int], tuple[int, int]]:
    async with unit_of_work(session_factory(engine)) as session:
        users = [User(email=f"person{n}@example.com", created_at=START) for n in range(2)]
        organisations = [
            Organisation(
                kind="employer", public_id=f"ABC12{n}", name=f"Employer {n}", created_at=START
            )
            for n in range(2)
        ]
        session.add_all([*users, *organisations])
        await session.flush()
        return (users[0].id, users[1].id), (organisations[0].id, organisations[1].id)


@pytest.fixture
async def backend(backend_kind: tuple[str, str, str]) -> AsyncIterator[Backend]:
    kind, url, prefix = backend_kind
    if kind == "redis":
        clients: list[Redis] = []

        def new_redis_store() -> SessionStore:
            client = Redis.from_url(url)
            clients.append(client)
            return RedisSessionStore(client, prefix)

        inspector = Redis.from_url(url)

        async def redis_text() -> str:
            parts = []
            async for key in inspector.scan_iter(match=f"{prefix}*"):
                parts.append(key.decode())
                kind_of = (await inspector.type(key)).decode()
                if kind_of == "hash":
                    stored = await inspector.hgetall(key)
                    parts += [f"{k.decode()}={v.decode()}" for k, v in stored.items()]
                elif kind_of == "zset":
                    parts += [m.decode() for m in await inspector.zrange(key, 0, -1)]
            return "\n".join(parts)

        yield Backend(new_redis_store, redis_text, (1, 2), (10, 20))
        for client in [*clients, inspector]:
            await client.aclose()
        return

    engines: list[AsyncEngine] = []

    def new_database_store() -> SessionStore:
        engine = create_engine(url)
        engines.append(engine)
        return DatabaseSessionStore(session_factory(engine))

    inspector_engine = create_engine(url)
    engines.append(inspector_engine)

    async def database_text() -> str:
        async with session_factory(inspector_engine)() as session:
            rows = (await session.scalars(select(PortalSession))).all()
            return "\n".join(
                f"{r.id_hash} {r.user_id} {r.organisation_id} {r.csrf_secret} {r.address} "
                f"{r.created_at} {r.last_seen_at}"
                for r in rows
            )

    users, organisations = await _people(inspector_engine)
    yield Backend(new_database_store, database_text, users, organisations)
    for engine in engines:
        await engine.dispose()


async def test_a_session_is_found_by_its_id_and_the_id_is_never_stored(
    backend: Backend,
) -> None:
    store = backend.new_store()
    user, _ = backend.users
    organisation, _ = backend.organisations
    session_id, created = await store.create(user, organisation, ADDRESS, START)

    loaded = await backend.new_store().load(session_id, START + timedelta(seconds=5))

    assert loaded == created
    assert (loaded.user_id, loaded.organisation_id, loaded.address) == (
        user,
        organisation,
        ADDRESS,
    )
    assert (loaded.created_at, loaded.last_seen_at) == (START, START)
    assert loaded.id_hash == hashlib.sha256(session_id.encode()).hexdigest()
    stored = await backend.stored_text()
    assert loaded.id_hash in stored
    assert session_id not in stored
    assert len(session_id) >= 43  # 256 random bits


async def test_each_sign_in_gets_a_new_id_and_csrf_secret(backend: Backend) -> None:
    store = backend.new_store()
    user, _ = backend.users
    first_id, first = await store.create(user, None, ADDRESS, START)
    second_id, second = await store.create(user, None, ADDRESS, START)

    assert first_id != second_id
    assert first.id_hash != second.id_hash
    assert first.csrf_secret != second.csrf_secret
    assert len(bytes.fromhex(first.csrf_secret)) == 32
    assert (await store.load(first_id, START)) == first
    assert (await store.load(second_id, START)) == second


async def test_a_session_idle_for_exactly_an_hour_has_ended_and_is_removed(
    backend: Backend,
) -> None:
    clock = ManualClock(START.timestamp())
    store = backend.new_store()
    user, _ = backend.users
    kept_id, _ = await store.create(user, None, ADDRESS, at(clock))
    idle_id, idle = await store.create(user, None, ADDRESS, at(clock))

    clock.advance(IDLE_EXPIRY.total_seconds() - 1)
    kept = await store.load(kept_id, at(clock))
    assert kept is not None
    assert kept.last_seen_at == START + IDLE_EXPIRY - timedelta(seconds=1)

    clock.advance(1)  # exactly one hour since the idle session was last seen
    assert await store.load(idle_id, at(clock)) is None
    assert idle.id_hash not in await backend.stored_text()  # removed, not just refused
    # Going back in time does not bring it back: it is gone.
    assert await store.load(idle_id, START + timedelta(minutes=5)) is None
    # The other session was seen 1 s ago, so it lives until an hour after that.
    assert await store.load(kept_id, at(clock)) is not None


async def test_activity_keeps_a_session_alive_writing_at_most_once_a_minute(
    backend: Backend,
) -> None:
    clock = ManualClock(START.timestamp())
    store, other_process = backend.new_store(), backend.new_store()
    user, _ = backend.users
    session_id, _ = await store.create(user, None, ADDRESS, at(clock))

    # Within a minute of the last recorded sighting nothing is written.
    clock.advance(59)
    assert (await must_load(store, session_id, at(clock))).last_seen_at == START
    assert (await must_load(other_process, session_id, at(clock))).last_seen_at == START

    # A minute on, the sighting is written, and every process sees it.
    clock.advance(1)
    seen = START + timedelta(minutes=1)
    assert (await must_load(store, session_id, at(clock))).last_seen_at == seen
    clock.advance(1)
    assert (await must_load(other_process, session_id, at(clock))).last_seen_at == seen

    # A request every 50 minutes for five hours keeps it alive: the hour slides.
    for _ in range(6):
        clock.advance(50 * 60)
        loaded = await store.load(session_id, at(clock))
        assert loaded is not None
        assert loaded.last_seen_at == at(clock)
        assert loaded.expires_at == at(clock) + IDLE_EXPIRY

    # A request that was not written (within the minute) does not extend the hour.
    last_written = at(clock)
    clock.advance(30)
    assert (await must_load(store, session_id, at(clock))).last_seen_at == last_written
    assert await store.load(session_id, last_written + IDLE_EXPIRY) is None


async def test_signing_out_in_one_process_ends_the_session_in_every_other(
    backend: Backend,
) -> None:
    store, other_process = backend.new_store(), backend.new_store()
    user, _ = backend.users
    session_id, _ = await store.create(user, None, ADDRESS, START)
    assert await store.load(session_id, START) is not None

    assert await other_process.end(session_id) is True

    later = START + timedelta(minutes=2)  # late enough that a load would write a sighting
    assert await store.load(session_id, later) is None
    assert await other_process.load(session_id, later) is None
    assert await store.end(session_id) is False
    assert await store.set_organisation(session_id, None) is False
    assert (await backend.stored_text()).strip() == ""


async def test_ending_a_persons_sessions_ends_them_everywhere_and_only_theirs(
    backend: Backend,
) -> None:
    store, other_process = backend.new_store(), backend.new_store()
    person, someone_else = backend.users
    organisation, _ = backend.organisations
    laptop, _ = await store.create(person, organisation, ADDRESS, START)
    phone, _ = await store.create(person, None, "2001:db8::1", START + timedelta(minutes=5))
    theirs, _ = await store.create(someone_else, organisation, ADDRESS, START)

    # A password change handled by another process.
    assert await other_process.end_all_for_user(person) == 2

    later = START + timedelta(minutes=10)
    assert await store.load(laptop, later) is None
    assert await store.load(phone, later) is None
    assert await store.load(theirs, later) is not None
    assert await other_process.end_all_for_user(person) == 0
    # Signing in again afterwards works as usual.
    fresh, _ = await store.create(person, organisation, ADDRESS, later)
    assert await other_process.load(fresh, later) is not None


async def test_an_unknown_or_malformed_session_id_finds_nothing(backend: Backend) -> None:
    store = backend.new_store()
    user, _ = backend.users
    session_id, _ = await store.create(user, None, ADDRESS, START)
    flipped = ("A" if session_id[0] != "A" else "B") + session_id[1:]

    for stolen_looking in (
        secrets.token_urlsafe(32),  # well formed, never issued
        flipped,  # one character off a real one
        hashlib.sha256(session_id.encode()).hexdigest(),  # the stored hash itself
        session_id + "x",
        session_id + "\n",
        session_id[:-1],
        "",
        "../../etc/passwd",
        "x" * 100_000,
    ):
        assert await store.load(stolen_looking, START) is None
        assert await store.end(stolen_looking) is False
        assert await store.set_organisation(stolen_looking, None) is False
    assert await store.load(session_id, START) is not None


async def test_choosing_an_organisation_is_seen_by_every_process(backend: Backend) -> None:
    store, other_process = backend.new_store(), backend.new_store()
    user, _ = backend.users
    first, second = backend.organisations
    session_id, created = await store.create(user, None, ADDRESS, START)
    assert created.organisation_id is None

    assert await store.set_organisation(session_id, first) is True
    assert (await must_load(other_process, session_id, START)).organisation_id == first
    assert await other_process.set_organisation(session_id, second) is True
    assert (await must_load(store, session_id, START)).organisation_id == second
    assert await store.set_organisation(session_id, None) is True
    loaded = await other_process.load(session_id, START)
    assert loaded is not None
    assert loaded.organisation_id is None
    assert loaded.csrf_secret == created.csrf_secret


async def test_purging_removes_only_sessions_idle_for_an_hour(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        users, _ = await _people(engine)
        store = DatabaseSessionStore(session_factory(engine))
        old, _ = await store.create(users[0], None, ADDRESS, START)
        recent, _ = await store.create(users[1], None, ADDRESS, START + timedelta(minutes=30))

        assert await store.purge_idle(START + IDLE_EXPIRY) == 1

        async with session_factory(engine)() as session:
            left = (await session.scalars(select(PortalSession.user_id))).all()
        assert left == [users[1]]
        assert await store.load(recent, START + IDLE_EXPIRY) is not None
        assert await store.load(old, START) is None
    finally:
        await engine.dispose()


async def test_redis_forgets_a_session_an_idle_hour_after_it_was_last_written(
    redis_url: tuple[str, str],
) -> None:
    url, prefix = redis_url
    client = Redis.from_url(url)
    try:
        store = RedisSessionStore(client, prefix)
        session_id, record = await store.create(7, None, ADDRESS, START)
        session_key = f"{prefix}portal:session:{record.id_hash}"
        person_key = f"{prefix}portal:user:7"
        hour_ms = IDLE_EXPIRY.total_seconds() * 1000
        assert hour_ms - 5000 < await client.pttl(session_key) <= hour_ms
        assert hour_ms - 5000 < await client.pttl(person_key) <= hour_ms

        # As if most of the hour had passed in Redis's own time: a sighting resets it.
        await client.pexpire(session_key, 1000)
        await client.pexpire(person_key, 1000)
        assert await store.load(session_id, START + timedelta(minutes=59)) is not None
        assert hour_ms - 5000 < await client.pttl(session_key) <= hour_ms
        assert hour_ms - 5000 < await client.pttl(person_key) <= hour_ms

        # Ending the last session leaves nothing of it behind.
        assert await store.end(session_id) is True
        assert await client.exists(session_key) == 0
        assert await client.zcard(person_key) == 0
        assert await store.purge_idle(START + timedelta(days=1)) == 0  # Redis expires them
    finally:
        await client.aclose()


async def test_the_store_is_redis_when_configured_and_the_database_otherwise(
    redis_url: tuple[str, str], sqlite_url: str
) -> None:
    url, prefix = redis_url
    engine = create_engine(sqlite_url)
    client = Redis.from_url(url)
    try:
        sessions = session_factory(engine)
        assert isinstance(session_store(sessions, client, prefix), RedisSessionStore)
        assert isinstance(session_store(sessions, None, prefix), DatabaseSessionStore)
    finally:
        await client.aclose()
        await engine.dispose()


def _record(csrf_secret: str | None = None) -> SessionRecord:
    return SessionRecord(
        id_hash="0" * 64,
        user_id=1,
        organisation_id=None,
        csrf_secret=csrf_secret or secrets.token_hex(32),
        address=ADDRESS,
        created_at=START,
        last_seen_at=START,
    )


def test_form_tokens_differ_on_every_form_and_only_their_session_accepts_them() -> None:
    record, other = _record(), _record()
    tokens = {record.form_token() for _ in range(20)}

    assert len(tokens) == 20
    assert all(record.accepts_form_token(token) for token in tokens)
    assert not any(other.accepts_form_token(token) for token in tokens)
    assert record.csrf_secret not in "".join(tokens)
    assert record.csrf_secret not in repr(record)  # a logged record holds no secret


def test_tampered_or_missing_form_tokens_are_refused() -> None:
    record = _record()
    token = record.form_token()
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    for bad in (None, "", tampered, token[:-4], token + "AAAA", "not base64 !!", "x" * 10_000):
        assert not record.accepts_form_token(bad)
    # The bare secret is not a token either.
    assert not record.accepts_form_token(record.csrf_secret)


@pytest.mark.parametrize(
    ("public_url", "secure"),
    [
        ("https://apprenticeships.example", True),
        ("HTTPS://apprenticeships.example/", True),
        ("http://127.0.0.1:8000", False),
    ],
)
def test_the_cookie_is_http_only_same_site_lax_and_secure_on_https(
    public_url: str, secure: bool
) -> None:
    assert cookie_attributes(public_url) == {
        "path": "/portal",
        "secure": secure,
        "httponly": True,
        "samesite": "lax",
    }
