"""SQL the demo needs beyond what the accounts and vacancies repositories offer."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.catalog.products import Environment
from apprenticeships.storage.models import Vacancy
from apprenticeships.vacancies.vocabulary import AdvertStatus


def _live(environment: Environment, today: date) -> ColumnElement[bool]:
    # The same rule as the Display advert API: approved and not yet closed.
    return and_(
        Vacancy.environment == environment,
        Vacancy.status == AdvertStatus.LIVE,
        Vacancy.closing_date >= today,
    )


class DemoRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def live_count(self, environment: Environment, today: date) -> int:
        found = await self.session.scalar(
            select(func.count()).select_from(Vacancy).where(_live(environment, today))
        )
        return int(found or 0)

    async def live_references(self, environment: Environment, today: date, limit: int) -> list[int]:
        """The lowest references of live adverts."""
        found = await self.session.scalars(
            select(Vacancy.reference)
            .where(_live(environment, today))
            .order_by(Vacancy.reference)
            .limit(limit)
        )
        return [int(reference) for reference in found]
