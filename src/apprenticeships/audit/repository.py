"""SQL for the audit log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.storage.models import AuditEvent, Organisation


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, event: AuditEvent) -> AuditEvent:
        self.session.add(event)
        await self.session.flush()
        return event

    async def newest(
        self, organisation_id: int | None, offset: int, limit: int
    ) -> Sequence[tuple[AuditEvent, str | None]]:
        """Events newest first with their organisation's name, of one organisation or
        (``None``) of every one."""
        query = select(AuditEvent, Organisation.name).outerjoin(
            Organisation, AuditEvent.organisation_id == Organisation.id
        )
        if organisation_id is not None:
            query = query.where(AuditEvent.organisation_id == organisation_id)
        rows = await self.session.execute(
            query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).offset(offset).limit(limit)
        )
        # The name is None for an entry of no organisation (the outer join).
        return [(event, name) for event, name in rows]
