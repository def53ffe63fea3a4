"""Reference data rules, and the in-process copy the APIs serve from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.referencedata.ksbs import shipped_ksbs, store_ksbs
from apprenticeships.referencedata.repository import KsbRepository, ReferenceDataRepository
from apprenticeships.referencedata.schemas import RouteItem, Routes, TrainingCourse, TrainingCourses
from apprenticeships.storage.models import Route, Standard

ACTIVE_STATUS = "Approved for delivery"


@dataclass(frozen=True, slots=True)
class ShippedStandard:
    lars_code: int
    ifate_reference: str
    title: str
    level: int
    route: str
    type: str
    status: str


def shipped_routes() -> list[tuple[int, str]]:
    data = json.loads(resources.files(__package__).joinpath("data/routes.json").read_text("utf-8"))
    return [(int(item["id"]), str(item["name"])) for item in data]


def shipped_standards() -> list[ShippedStandard]:
    data = json.loads(
        resources.files(__package__).joinpath("data/standards.json").read_text("utf-8")
    )
    return [
        ShippedStandard(
            lars_code=int(item["larsCode"]),
            ifate_reference=str(item["ifateReference"]),
            title=str(item["title"]),
            level=int(item["level"]),
            route=str(item["route"]),
            type=str(item["type"]),
            status=str(item["status"]),
        )
        for item in data
    ]


class ReferenceDataService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repository = ReferenceDataRepository(session)

    async def install_shipped(self) -> tuple[int, int]:
        """Add the shipped routes and standards that are missing; never overwrites."""
        routes = await self.repository.routes_by_name()
        added_routes = 0
        for route_id, name in shipped_routes():
            if name.casefold() not in routes:
                route = Route(id=route_id, name=name)
                await self.repository.add_route(route)
                routes[name.casefold()] = route
                added_routes += 1
        standards = shipped_standards()
        existing = await self.repository.standards_by_code(s.lars_code for s in standards)
        added = 0
        for item in standards:
            if item.lars_code in existing:
                continue
            await self.repository.add_standard(
                Standard(
                    lars_code=item.lars_code,
                    ifate_reference=item.ifate_reference,
                    title=item.title,
                    level=item.level,
                    route_id=routes[item.route.casefold()].id,
                    apprenticeship_type=item.type,
                    status=item.status,
                    is_active=item.status == ACTIVE_STATUS,
                )
            )
            added += 1
        await self.repository.flush()
        await self._install_shipped_ksbs()
        return added_routes, added

    async def _install_shipped_ksbs(self) -> None:
        """KSBs for the shipped standards that have none yet (never overwrites)."""
        shipped = shipped_ksbs()
        have = await KsbRepository(self.session).standards_with_ksbs(shipped)
        standards = await self.repository.standards_by_code(set(shipped) - have)
        for lars_code, standard in standards.items():
            await store_ksbs(self.session, standard, shipped[lars_code])
        await self.repository.flush()

    async def training_courses(self) -> TrainingCourses:
        return TrainingCourses(
            training_courses=[
                TrainingCourse(
                    lars_code=standard.lars_code,
                    title=f"{standard.title} (level {standard.level})",
                    level=standard.level,
                    route=route,
                    type=standard.apprenticeship_type,
                )
                for standard, route in sorted(
                    await self.repository.active_standards(),
                    # Sorted here, not in SQL, so every database gives the same order.
                    key=lambda row: (row[0].title.casefold(), row[0].level, row[0].lars_code),
                )
            ]
        )

    async def routes(self) -> Routes:
        names = sorted((r.name for r in await self.repository.routes()), key=str.casefold)
        return Routes(routes=[RouteItem(name=name) for name in names])


class ReferenceDataCache:
    """Reference data changes rarely and is read on every search, so each process keeps
    it serialised in memory; imports tell every process to reload (a cache event)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self.courses = TrainingCourses(training_courses=[])
        self.routes = Routes(routes=[])
        self.courses_json = b'{"trainingCourses":[]}'
        self.routes_json = b'{"routes":[]}'

    async def reload(self) -> None:
        async with self._sessions() as session:
            service = ReferenceDataService(session)
            courses = await service.training_courses()
            routes = await service.routes()
        self.courses, self.routes = courses, routes
        self.courses_json = courses.model_dump_json(by_alias=True).encode()
        self.routes_json = routes.model_dump_json(by_alias=True).encode()
