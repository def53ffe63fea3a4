"""SQL for the version table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.storage.models import ApiVersion


class VersionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all_releases(self) -> list[tuple[str, int, datetime]]:
        rows = await self.session.execute(
            select(ApiVersion.product_id, ApiVersion.version, ApiVersion.released_at)
        )
        return [(p, v, at) for p, v, at in rows.all()]

    async def add(self, product_id: str, version: int, released_at: datetime) -> None:
        self.session.add(
            ApiVersion(product_id=product_id, version=version, released_at=released_at)
        )
        await self.session.flush()
