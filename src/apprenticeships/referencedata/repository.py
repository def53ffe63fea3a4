"""SQL for occupational routes, standards and their KSBs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.catalog.products import OwnerKind
from apprenticeships.storage.models import (
    Ksb,
    Organisation,
    ProgressValue,
    ProviderCourse,
    Route,
    Standard,
)

# Ids per IN (...) list: well inside every database's limit on parameters.
_SLICE = 500


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
            .where(Organisation.kind == OwnerKind.PROVIDER, Organisation.public_id == ukprn)
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


class KsbRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def standard(self, lars_code: int) -> Standard | None:
        return await self.session.get(Standard, lars_code)

    async def for_standard(self, lars_code: int) -> list[Ksb]:
        """A standard's KSBs: knowledge, then skills, then behaviours, each by number."""
        ksbs = await self.session.scalars(select(Ksb).where(Ksb.lars_code == lars_code))
        return sorted(ksbs, key=ksb_order)

    async def by_ids(self, ids: Iterable[str]) -> dict[str, Ksb]:
        wanted = sorted(set(ids))
        found: dict[str, Ksb] = {}
        # In slices: a submission may name any number of ids, and databases cap the
        # number of parameters in one statement.
        for start in range(0, len(wanted), _SLICE):
            chosen = wanted[start : start + _SLICE]
            found |= {
                k.id: k for k in await self.session.scalars(select(Ksb).where(Ksb.id.in_(chosen)))
            }
        return found

    async def standards_with_ksbs(self, lars_codes: Iterable[int]) -> set[int]:
        wanted = list(set(lars_codes))
        if not wanted:
            return set()
        found = await self.session.scalars(
            select(Ksb.lars_code).where(Ksb.lars_code.in_(wanted)).distinct()
        )
        return {int(code) for code in found}

    async def referenced(self, ids: Iterable[str]) -> set[str]:
        """Which of these KSBs some progress submission names."""
        wanted = sorted(set(ids))
        found: set[str] = set()
        for start in range(0, len(wanted), _SLICE):
            chosen = wanted[start : start + _SLICE]
            found |= set(
                await self.session.scalars(
                    select(ProgressValue.ksb_id).where(ProgressValue.ksb_id.in_(chosen)).distinct()
                )
            )
        return found

    def add(self, ksb: Ksb) -> None:
        self.session.add(ksb)

    async def delete(self, ksb: Ksb) -> None:
        await self.session.delete(ksb)


_KINDS = {"Knowledge": 0, "Skill": 1, "Behaviour": 2}


def ksb_order(ksb: Ksb) -> tuple[int, int, int, str, str]:
    """How KSBs are listed: by standard, knowledge then skills then behaviours, by number."""
    digits = "".join(c for c in ksb.code if c.isdigit())
    return ksb.lars_code, _KINDS.get(ksb.kind, 3), int(digits or 0), ksb.code, ksb.id
