"""SQL for portal sessions kept in the database (``sessions.DatabaseSessionStore``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.storage.models import PortalSession


class PortalSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: PortalSession) -> PortalSession:
        self.session.add(row)
        await self.session.flush()
        return row

    async def get(self, id_hash: str) -> PortalSession | None:
        return await self.session.scalar(
            select(PortalSession).where(PortalSession.id_hash == id_hash)
        )

    async def touch(self, id_hash: str, now: datetime) -> bool:
        """Move ``last_seen_at`` on to ``now``, never back (another process may have
        seen the session later). False if the session is gone."""
        result = await self.session.execute(
            update(PortalSession)
            .where(PortalSession.id_hash == id_hash, PortalSession.last_seen_at < now)
            .values(last_seen_at=now)
        )
        return _count(result) > 0

    async def set_organisation(self, id_hash: str, organisation_id: int | None) -> bool:
        result = await self.session.execute(
            update(PortalSession)
            .where(PortalSession.id_hash == id_hash)
            .values(organisation_id=organisation_id)
        )
        return _count(result) > 0

    async def delete(self, id_hash: str) -> bool:
        result = await self.session.execute(
            delete(PortalSession).where(PortalSession.id_hash == id_hash)
        )
        return _count(result) > 0

    async def delete_idle(self, id_hash: str, seen_before: datetime) -> bool:
        """Delete the session if it was last seen before ``seen_before``: a session that
        another process has just seen is left alone."""
        result = await self.session.execute(
            delete(PortalSession).where(
                PortalSession.id_hash == id_hash, PortalSession.last_seen_at <= seen_before
            )
        )
        return _count(result) > 0

    async def delete_for_user(self, user_id: int) -> int:
        result = await self.session.execute(
            delete(PortalSession).where(PortalSession.user_id == user_id)
        )
        return _count(result)

    async def delete_all_idle(self, seen_before: datetime) -> int:
        result = await self.session.execute(
            delete(PortalSession).where(PortalSession.last_seen_at <= seen_before)
        )
        return _count(result)


def _count(result: CursorResult[object] | object) -> int:
    """Rows an UPDATE or DELETE matched."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount)
