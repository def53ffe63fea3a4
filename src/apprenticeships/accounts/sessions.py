"""Server-side portal sessions: in the database, or in Redis when one is configured.

The browser holds only a random session id in a cookie (see ``cookie_attributes``); the
store keeps a SHA-256 hash of it, never the id itself, so a copy of the store cannot be
replayed as cookies. Every process reads the same store, so signing out, or
``end_all_for_user`` after a password change, ends a session everywhere at once.

A session ends after ``IDLE_EXPIRY`` without a request. ``load`` records that the session
was seen, but writes at most once per ``TOUCH_INTERVAL`` rather than on every request;
so the idle hour counts from the last recorded sighting, up to a minute before the last
request, and a session never lives longer than an idle hour.

Each session carries its own random CSRF secret; ``SessionRecord.form_token`` derives a
fresh masked token from it for every form, and ``accepts_form_token`` checks one.

The ``now`` every operation takes is the caller's clock, so tests move time on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol, TypedDict

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.session_repository import PortalSessionRepository
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import PortalSession

IDLE_EXPIRY = timedelta(hours=1)
# How stale the recorded "last seen" may get before a request writes it again.
TOUCH_INTERVAL = timedelta(minutes=1)
SESSION_COOKIE = "portal_session"
COOKIE_PATH = "/portal"
ADDRESS_LENGTH = 100

# 32 random bytes, URL-safe base64 without padding: what ``secrets.token_urlsafe(32)``
# makes. Anything else is refused before a lookup.
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{43}")
_CSRF_SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A signed-in session as stored. ``id_hash`` names it in the store; the plain id
    exists only in the person's cookie."""

    id_hash: str
    user_id: int
    # The organisation the person acts for: none until they choose (or for an admin).
    organisation_id: int | None
    csrf_secret: str = field(repr=False)  # hex; never in a log line
    address: str  # the client address it was created from
    created_at: datetime
    last_seen_at: datetime

    @property
    def expires_at(self) -> datetime:
        """When the session ends unless it is seen again first."""
        return self.last_seen_at + IDLE_EXPIRY

    def form_token(self) -> str:
        """A CSRF token for one form: the session's secret under a fresh random mask, so
        no two pages carry the same token (compression cannot leak the secret)."""
        secret = bytes.fromhex(self.csrf_secret)
        mask = secrets.token_bytes(len(secret))
        masked = bytes(a ^ b for a, b in zip(secret, mask, strict=True))
        return base64.urlsafe_b64encode(mask + masked).decode().rstrip("=")

    def accepts_form_token(self, token: str | None) -> bool:
        """Whether ``token`` came from ``form_token`` of this session."""
        if not token or len(token) > 128:
            return False
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            return False
        secret = bytes.fromhex(self.csrf_secret)
        if len(raw) != 2 * len(secret):
            return False
        mask, masked = raw[: len(secret)], raw[len(secret) :]
        unmasked = bytes(a ^ b for a, b in zip(mask, masked, strict=True))
        return hmac.compare_digest(unmasked, secret)


class SessionStore(Protocol):
    """Where portal sessions live; every process of a deployment shares one."""

    async def create(
        self, user_id: int, organisation_id: int | None, address: str, now: datetime
    ) -> tuple[str, SessionRecord]:
        """A new session (at sign-in): its id for the cookie, shown only here, and the
        record. Each call makes a new id; end the old session, if any, first."""
        ...

    async def load(self, session_id: str, now: datetime) -> SessionRecord | None:
        """The session the cookie names, or None if it is unknown, ended or idle for an
        hour (an idle one is removed)."""
        ...

    async def set_organisation(self, session_id: str, organisation_id: int | None) -> bool:
        """Act for another organisation from now on. False if the session is gone."""
        ...

    async def end(self, session_id: str) -> bool:
        """Sign out. False if there was no such session."""
        ...

    async def end_all_for_user(self, user_id: int) -> int:
        """End every session of a person (password change, account deletion); returns how
        many there were."""
        ...

    async def purge_idle(self, now: datetime) -> int:
        """Remove sessions idle for an hour that nobody loaded again; returns how many."""
        ...


def new_session_id() -> tuple[str, str]:
    """A new random session id and the hash it is stored under."""
    session_id = secrets.token_urlsafe(32)
    return session_id, _hash(session_id)


def session_id_hash(session_id: str) -> str | None:
    """The hash a session id is stored under; None if it cannot be one of ours."""
    if not _SESSION_ID.fullmatch(session_id):
        return None
    return _hash(session_id)


def _hash(session_id: str) -> str:
    # The id is 256 random bits, so a plain hash cannot be reversed or guessed.
    return hashlib.sha256(session_id.encode()).hexdigest()


def _new_record(
    id_hash: str, user_id: int, organisation_id: int | None, address: str, now: datetime
) -> SessionRecord:
    return SessionRecord(
        id_hash=id_hash,
        user_id=user_id,
        organisation_id=organisation_id,
        csrf_secret=secrets.token_hex(_CSRF_SECRET_BYTES),
        address=address[:ADDRESS_LENGTH],
        created_at=now,
        last_seen_at=now,
    )


def _is_idle(record: SessionRecord, now: datetime) -> bool:
    return now >= record.expires_at


def _needs_touch(record: SessionRecord, now: datetime) -> bool:
    return now - record.last_seen_at >= TOUCH_INTERVAL


class DatabaseSessionStore:
    """Sessions in the ``portal_sessions`` table. Each operation is a short unit of work
    of its own, like other background bookkeeping."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def create(
        self, user_id: int, organisation_id: int | None, address: str, now: datetime
    ) -> tuple[str, SessionRecord]:
        session_id, id_hash = new_session_id()
        record = _new_record(id_hash, user_id, organisation_id, address, now)
        async with unit_of_work(self._sessions) as session:
            await PortalSessionRepository(session).add(
                PortalSession(
                    id_hash=record.id_hash,
                    user_id=record.user_id,
                    organisation_id=record.organisation_id,
                    csrf_secret=record.csrf_secret,
                    address=record.address,
                    created_at=record.created_at,
                    last_seen_at=record.last_seen_at,
                )
            )
        return session_id, record

    async def load(self, session_id: str, now: datetime) -> SessionRecord | None:
        id_hash = session_id_hash(session_id)
        if id_hash is None:
            return None
        async with unit_of_work(self._sessions) as session:
            repository = PortalSessionRepository(session)
            row = await repository.get(id_hash)
            if row is None:
                return None
            record = SessionRecord(
                id_hash=row.id_hash,
                user_id=row.user_id,
                organisation_id=row.organisation_id,
                csrf_secret=row.csrf_secret,
                address=row.address,
                created_at=row.created_at,
                last_seen_at=row.last_seen_at,
            )
            if _is_idle(record, now):
                await repository.delete_idle(id_hash, now - IDLE_EXPIRY)
                return None
            if _needs_touch(record, now):
                if not await repository.touch(id_hash, now):
                    return None  # ended by another process since the read
                record = replace(record, last_seen_at=now)
            return record

    async def set_organisation(self, session_id: str, organisation_id: int | None) -> bool:
        id_hash = session_id_hash(session_id)
        if id_hash is None:
            return False
        async with unit_of_work(self._sessions) as session:
            return await PortalSessionRepository(session).set_organisation(id_hash, organisation_id)

    async def end(self, session_id: str) -> bool:
        id_hash = session_id_hash(session_id)
        if id_hash is None:
            return False
        async with unit_of_work(self._sessions) as session:
            return await PortalSessionRepository(session).delete(id_hash)

    async def end_all_for_user(self, user_id: int) -> int:
        async with unit_of_work(self._sessions) as session:
            return await PortalSessionRepository(session).delete_for_user(user_id)

    async def purge_idle(self, now: datetime) -> int:
        async with unit_of_work(self._sessions) as session:
            return await PortalSessionRepository(session).delete_all_idle(now - IDLE_EXPIRY)


# Times are stored as whole microseconds since the epoch: exact, and comparable in Lua.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# KEYS: the session's hash, the person's sorted set of session hashes (scored by when
# each goes idle). ARGV: idle milliseconds, idle-by score, now score, session hash, then
# the session's fields as name, value pairs. Idle sessions leave the person's set here.
_CREATE = """
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1
"""
# Records a sighting only on a session that still exists (one ended by another process
# stays ended) and never moves it back. KEYS as above; ARGV: now in microseconds, idle
# milliseconds, idle-by score, session hash.
_TOUCH = """
local seen = redis.call('HGET', KEYS[1], 'last_seen_at')
if not seen then return 0 end
if tonumber(seen) >= tonumber(ARGV[1]) then return 1 end
redis.call('HSET', KEYS[1], 'last_seen_at', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
"""
_SET_ORGANISATION = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'organisation_id', ARGV[1])
return 1
"""
# KEYS: the session's hash. ARGV: the prefix of people's sets, the session hash.
_END = """
local user = redis.call('HGET', KEYS[1], 'user_id')
if not user then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', ARGV[1] .. user, ARGV[2])
return 1
"""
# KEYS: the person's set. ARGV: the prefix of session hashes. One atomic step, so a
# session cannot slip between reading the set and deleting what it names.
_END_ALL = """
local ended = 0
for _, id_hash in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  ended = ended + redis.call('DEL', ARGV[1] .. id_hash)
end
redis.call('DEL', KEYS[1])
return ended
"""


class RedisSessionStore:
    """Sessions in Redis, each a hash under ``{prefix}portal:session:{id hash}`` that
    expires after an idle hour, plus a set per person of their sessions'
    hashes for ``end_all_for_user``. Redis's own expiry only clears the memory: whether
    a session is idle is decided against the caller's clock, as in the database.

    The scripts name keys they build from the prefix, so this needs one Redis server
    (or a cluster where the prefix is a hash tag), as the rest of the platform does.
    """

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._session_prefix = f"{prefix}portal:session:"
        self._user_prefix = f"{prefix}portal:user:"
        self._create = redis.register_script(_CREATE)
        self._touch = redis.register_script(_TOUCH)
        self._set_organisation = redis.register_script(_SET_ORGANISATION)
        self._end = redis.register_script(_END)
        self._end_all = redis.register_script(_END_ALL)

    def _session_key(self, id_hash: str) -> str:
        return self._session_prefix + id_hash

    def _user_key(self, user_id: int) -> str:
        return f"{self._user_prefix}{user_id}"

    async def create(
        self, user_id: int, organisation_id: int | None, address: str, now: datetime
    ) -> tuple[str, SessionRecord]:
        session_id, id_hash = new_session_id()
        record = _new_record(id_hash, user_id, organisation_id, address, now)
        fields = {
            "user_id": str(user_id),
            "organisation_id": _optional(organisation_id),
            "csrf_secret": record.csrf_secret,
            "address": record.address,
            "created_at": str(_micros(now)),
            "last_seen_at": str(_micros(now)),
        }
        await self._create(
            keys=[self._session_key(id_hash), self._user_key(user_id)],
            args=[
                _IDLE_MS,
                _score(record.expires_at),
                _score(now),
                id_hash,
                *(item for pair in fields.items() for item in pair),
            ],
        )
        return session_id, record

    async def load(self, session_id: str, now: datetime) -> SessionRecord | None:
        id_hash = session_id_hash(session_id)
        if id_hash is None:
            return None
        stored = await self._redis.hgetall(self._session_key(id_hash))
        if not stored:
            return None
        fields = {_text(name): _text(value) for name, value in stored.items()}
        record = SessionRecord(
            id_hash=id_hash,
            user_id=int(fields["user_id"]),
            organisation_id=int(fields["organisation_id"]) if fields["organisation_id"] else None,
            csrf_secret=fields["csrf_secret"],
            address=fields["address"],
            created_at=_from_micros(fields["created_at"]),
            last_seen_at=_from_micros(fields["last_seen_at"]),
        )
        if _is_idle(record, now):
            await self._end_hash(id_hash)
            return None
        if _needs_touch(record, now):
            seen = await self._touch(
                keys=[self._session_key(id_hash), self._user_key(record.user_id)],
                args=[_micros(now), _IDLE_MS, _score(now + IDLE_EXPIRY), id_hash],
            )
            if not int(seen):
                return None  # ended by another process since the read
            record = replace(record, last_seen_at=now)
        return record

    async def set_organisation(self, session_id: str, organisation_id: int | None) -> bool:
        id_hash = session_id_hash(session_id)
        if id_hash is None:
            return False
        changed = await self._set_organisation(
            keys=[self._session_key(id_hash)], args=[_optional(organisation_id)]
        )
        return bool(int(changed))

    async def end(self, session_id: str) -> bool:
        id_hash = session_id_hash(session_id)
        if id_hash is None:
            return False
        return await self._end_hash(id_hash)

    async def _end_hash(self, id_hash: str) -> bool:
        ended = await self._end(
            keys=[self._session_key(id_hash)], args=[self._user_prefix, id_hash]
        )
        return bool(int(ended))

    async def end_all_for_user(self, user_id: int) -> int:
        ended = await self._end_all(keys=[self._user_key(user_id)], args=[self._session_prefix])
        return int(ended)

    async def purge_idle(self, now: datetime) -> int:
        # Redis expires idle sessions itself.
        return 0


_IDLE_MS = int(IDLE_EXPIRY.total_seconds() * 1000)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def _from_micros(text: str) -> datetime:
    return _EPOCH + int(text) * _MICROSECOND


def _score(moment: datetime) -> float:
    return (moment - _EPOCH).total_seconds()


def _optional(value: int | None) -> str:
    return "" if value is None else str(value)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def session_store(
    sessions: async_sessionmaker[AsyncSession], redis: Redis | None, prefix: str
) -> SessionStore:
    """Redis when the deployment has one (``APPRENTICESHIPS_REDIS_URL``), the database
    otherwise."""
    if redis is not None:
        return RedisSessionStore(redis, prefix)
    return DatabaseSessionStore(sessions)


class CookieAttributes(TypedDict):
    """Keyword arguments for Starlette's ``Response.set_cookie``."""

    path: str
    secure: bool
    httponly: bool
    samesite: Literal["lax"]


def cookie_attributes(public_url: str) -> CookieAttributes:
    """The session cookie's attributes: never readable by scripts, not sent on
    cross-site POSTs, and only over TLS when the portal is served over https. No
    ``Max-Age``: the browser forgets it when closed, the server after an idle hour."""
    return CookieAttributes(
        path=COOKIE_PATH,
        secure=public_url.lower().startswith("https://"),
        httponly=True,
        samesite="lax",
    )
