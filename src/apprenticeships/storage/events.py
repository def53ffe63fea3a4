"""Cross-process change events: how one process tells every other one that something
it caches has changed.

A change and its event are written in the same transaction (so no change can be lost),
to the ``cache_events`` table; each process polls the table (``gateway.invalidation``)
and re-reads what the event names. Every domain writes and reads events through this
module, and the kinds are an enum so a misspelt kind cannot be written or missed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.storage.models import CacheEvent


class EventKind(StrEnum):
    """What changed. The values are stored, so they never change."""

    # One key (revoked, rotated, its owner suspended): its snapshot is dropped.
    KEY = "key"
    # Something every key's snapshot depends on (a product-wide rate limit): all dropped.
    ALL_KEYS = "keys"
    # Products' versions (a release, a decommission).
    CATALOG = "catalog"
    # Standards, routes, KSBs and the other reference lists.
    REFERENCE_DATA = "referencedata"
    # Adverts that searches can see (an approval, a closure, a demo load).
    VACANCIES = "vacancies"


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    id: int
    # None for a kind written by a newer release that this one does not know.
    kind: EventKind | None
    key_hash: str | None


_KINDS = {kind.value: kind for kind in EventKind}


class CacheEventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, kind: EventKind, now: datetime, key_hash: str | None = None) -> None:
        self.session.add(CacheEvent(kind=kind.value, key_hash=key_hash, created_at=now))
        await self.session.flush()

    async def add_for_keys(self, hashes: Sequence[str], now: datetime) -> None:
        self.session.add_all(
            [CacheEvent(kind=EventKind.KEY.value, key_hash=h, created_at=now) for h in hashes]
        )
        await self.session.flush()

    async def latest_id(self) -> int:
        return int(
            await self.session.scalar(select(func.coalesce(func.max(CacheEvent.id), 0))) or 0
        )

    async def since(
        self, after_id: int, also: Sequence[int] = (), limit: int = 10_000
    ) -> list[ChangeEvent]:
        """Events after ``after_id``, plus the listed older ids (gaps that may yet commit)."""
        condition = CacheEvent.id > after_id
        if also:
            condition = or_(condition, CacheEvent.id.in_(list(also)))
        result = await self.session.execute(
            select(CacheEvent.id, CacheEvent.kind, CacheEvent.key_hash)
            .where(condition)
            .order_by(CacheEvent.id)
            .limit(limit)
        )
        return [ChangeEvent(i, _KINDS.get(k), h) for i, k, h in result.all()]

    async def prune(self, before: datetime) -> None:
        await self.session.execute(delete(CacheEvent).where(CacheEvent.created_at < before))
