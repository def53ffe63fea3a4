"""SQL for imported postcode and postcode-district centroids."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from apprenticeships.storage.models import PostcodeCentroid

_TABLE = PostcodeCentroid.__table__


@dataclass(frozen=True, slots=True)
class Centroid:
    """``key`` is a canonical full postcode ("LS1 4AB") or outcode ("LS1")."""

    key: str
    latitude: float
    longitude: float
    country: str


class GeoRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._upsert: Insert | None = None

    async def upsert(self, centroids: Sequence[Centroid]) -> int:
        """Insert new keys and update changed ones; returns how many rows that wrote.

        Keys must be unique within one call. Rows whose values are already stored are left
        alone, so importing a file twice writes nothing the second time (and leaves no dead
        rows behind on PostgreSQL).
        """
        if not centroids:
            return 0
        result = await self.session.execute(
            self._upsert_statement(),
            [
                {
                    "key": c.key,
                    "latitude": c.latitude,
                    "longitude": c.longitude,
                    "country": c.country,
                }
                for c in centroids
            ],
        )
        return len(result.all())

    async def count(self) -> int:
        return int(
            await self.session.scalar(select(func.count()).select_from(PostcodeCentroid)) or 0
        )

    async def find(self, keys: Collection[str]) -> dict[str, Centroid]:
        """The stored rows for these keys (the primary key: one index probe per key)."""
        if not keys:
            return {}
        result = await self.session.execute(
            select(
                PostcodeCentroid.key,
                PostcodeCentroid.latitude,
                PostcodeCentroid.longitude,
                PostcodeCentroid.country,
            ).where(PostcodeCentroid.key.in_(list(keys)))
        )
        return {key: Centroid(key, lat, lon, country) for key, lat, lon, country in result.all()}

    def _upsert_statement(self) -> Insert:
        if self._upsert is None:
            dialect = self.session.get_bind().dialect.name
            insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
            statement = insert(_TABLE)
            new = statement.excluded
            self._upsert = statement.on_conflict_do_update(
                index_elements=[_TABLE.c.key],
                set_={"latitude": new.latitude, "longitude": new.longitude, "country": new.country},
                where=or_(
                    _TABLE.c.latitude != new.latitude,
                    _TABLE.c.longitude != new.longitude,
                    _TABLE.c.country != new.country,
                ),
            ).returning(_TABLE.c.key)
        return self._upsert
