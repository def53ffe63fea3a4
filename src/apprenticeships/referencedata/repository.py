"""SQL for occupational routes and standards."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.storage.models import Organisation, ProviderCourse, Route, Standard


class ReferenceDataRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def routes(self) -> list[Route]:
        return list(await self.session.scalars(select(Route).order_by(Route.name)))

    async def active_standards(self) -> list[tuple[Standard, str]]:
        result = await self.session.execute(
            select(Standard, Route.name)
            .join(Route, Standard.route_id == Route.id)
            .where(Standard.is_active.is_(True))
        )
        return [(standard, route) for standard, route in result.all()]

    async def routes_by_name(self) -> dict[str, Route]:
        return {route.name.casefold(): route for route in await self.routes()}

    async def standards_by_code(self, codes: Iterable[int]) -> dict[int, Standard]:
        wanted = list(codes)
        if not wanted:
            return {}
        found = await self.session.scalars(select(Standard).where(Standard.lars_code.in_(wanted)))
        return {standard.lars_code: standard for standard in found}

    async def add_route(self, route: Route) -> None:
        self.session.add(route)
        await self.session.flush()

    async def add_standard(self, standard: Standard) -> None:
        self.session.add(standard)

    async def flush(self) -> None:
        await self.session.flush()

    async def provider_courses(self, ukprn: str) -> set[int]:
        """LARS codes of the courses a provider delivers; empty for an unknown UKPRN."""
        found = await self.session.scalars(
            select(ProviderCourse.lars_code)
            .join(Organisation, Organisation.id == ProviderCourse.provider_id)
            .where(Organisation.kind == "provider", Organisation.public_id == ukprn)
        )
        return {int(code) for code in found}

    async def add_provider_courses(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Record (provider id, LARS code) pairs; pairs already there are left alone."""
        rows = [{"provider_id": p, "lars_code": c} for p, c in sorted(set(pairs))]
        if not rows:
            return
        dialect = self.session.get_bind().dialect.name
        insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await self.session.execute(insert(ProviderCourse).on_conflict_do_nothing(), rows)
