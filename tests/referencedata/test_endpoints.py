"""GET /vacancies/referencedata/courses and /courses/routes, versions 1 and 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apprenticeships.app import Platform
from apprenticeships.referencedata.importer import import_ifate_standards
from apprenticeships.referencedata.service import shipped_routes, shipped_standards
from apprenticeships.storage.engine import unit_of_work
from tests import builders
from tests.support.asgi import call

FIXTURE = Path(__file__).parent / "fixtures" / "ifate_standards_sample.json"
ROUTE_NAMES = {
    "Agriculture, environmental and animal care",
    "Business and administration",
    "Care services",
    "Catering and hospitality",
    "Construction and the built environment",
    "Creative and design",
    "Digital",
    "Education and early years",
    "Engineering and manufacturing",
    "Hair and beauty",
    "Health and science",
    "Legal, finance and accounting",
    "Protective services",
    "Sales, marketing and procurement",
    "Transport and logistics",
}


@pytest.fixture
async def key(platform: Platform) -> str:
    return await builders.developer_key(platform)


def headers(key: str, version: str) -> list[tuple[bytes, bytes]]:
    return [(b"ocp-apim-subscription-key", key.encode()), (b"x-version", version.encode())]


def test_shipped_data_is_the_15_routes_and_standards_on_them() -> None:
    assert {name for _, name in shipped_routes()} == ROUTE_NAMES
    standards = shipped_standards()
    assert len({s.lars_code for s in standards}) == len(standards) >= 100
    assert {s.route for s in standards} == ROUTE_NAMES
    assert {s.level for s in standards} >= {2, 3, 4, 5, 6, 7}


@pytest.mark.parametrize("version", ["1", "2"])
async def test_routes_lists_the_15_occupational_routes(
    platform: Platform, key: str, version: str
) -> None:
    response = await call(
        platform, "/vacancies/referencedata/courses/routes", headers(key, version)
    )
    assert response.status == 200
    assert response.header("content-type") == "application/json; charset=utf-8"
    body = response.json()
    assert list(body) == ["routes"]
    names = [item["name"] for item in body["routes"]]
    assert set(names) == ROUTE_NAMES
    assert names == sorted(names, key=str.casefold)
    assert all(list(item) == ["name"] for item in body["routes"])


@pytest.mark.parametrize("version", ["1", "2"])
async def test_courses_lists_active_standards_with_level_in_the_title(
    platform: Platform, key: str, version: str
) -> None:
    response = await call(platform, "/vacancies/referencedata/courses", headers(key, version))
    courses: list[dict[str, Any]] = response.json()["trainingCourses"]
    shipped = {s.lars_code: s for s in shipped_standards() if s.status == "Approved for delivery"}
    assert {c["larsCode"] for c in courses} == set(shipped)
    for course in courses:
        standard = shipped[course["larsCode"]]
        assert course == {
            "larsCode": standard.lars_code,
            "title": f"{standard.title} (level {standard.level})",
            "level": standard.level,
            "route": standard.route,
            "type": "Apprenticeship",
        }


async def test_import_updates_every_running_process_through_a_cache_event(
    platform: Platform, key: str
) -> None:
    async with unit_of_work(platform.sessions) as session:
        report = await import_ifate_standards(session, FIXTURE.read_bytes(), builders.now())
    assert report.skipped == {"older versions": 1, "without a LARS code": 1}
    await platform.poller.poll_once()
    response = await call(platform, "/vacancies/referencedata/courses", headers(key, "2"))
    courses = {c["larsCode"]: c for c in response.json()["trainingCourses"]}
    assert courses[395]["title"] == "Library, information and archive services assistant (level 3)"
    assert courses[395]["route"] == "Business and administration"
    # Software developer (2) is retired in the file, so it is no longer offered.
    assert 2 not in courses
    # HR support (191): the newest version (1.1, approved) wins over 1.0 (retired).
    assert 191 in courses
    # In development, no LARS code: not loaded.
    assert all("Administration assistant" not in c["title"] for c in courses.values())


async def test_import_is_checked_whole_before_anything_is_written(database_url: str) -> None:
    from apprenticeships.referencedata.importer import ImportFileError
    from apprenticeships.storage.engine import create_engine, session_factory
    from apprenticeships.storage.models import Standard

    engine = create_engine(database_url)
    sessions = session_factory(engine)
    entries = json.loads(FIXTURE.read_text())
    entries.append({"larsCode": 999, "referenceNumber": "ST9999"})  # no title, level or route
    try:
        async with sessions() as session:
            with pytest.raises(ImportFileError, match="entry 8"):
                await import_ifate_standards(session, json.dumps(entries).encode(), builders.now())
            untouched = await session.get(Standard, 2)
            assert untouched is not None
            assert (untouched.is_active, untouched.version) == (True, None)
        async with unit_of_work(sessions) as session:
            report = await import_ifate_standards(session, FIXTURE.read_bytes(), builders.now())
        # All five are in the shipped set; the file adds their versions and retires one.
        assert (report.added, report.updated, report.unchanged) == (0, 5, 0)
        async with sessions() as session:
            retired = await session.get(Standard, 2)
            assert retired is not None
            assert (retired.is_active, retired.status, retired.version) == (False, "Retired", "1.0")
        async with unit_of_work(sessions) as session:
            again = await import_ifate_standards(session, FIXTURE.read_bytes(), builders.now())
        assert (again.added, again.updated, again.unchanged) == (0, 0, 5)
    finally:
        await engine.dispose()
