"""GET /vacancies/vacancy, /vacancy/{reference} and /accountlegalentities, versions 1
and 2, on SQLite and PostgreSQL, through the gateway."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprenticeships.app import Platform
from apprenticeships.vacancies.search import EARTH_RADIUS_MILES
from tests import builders
from tests.conftest import PlatformFactory
from tests.support.asgi import call
from tests.support.responses import RawResponse

LEEDS = (53.7997, -1.5492)
YORK = (53.9590, -1.0815)
LONDON = (51.5074, -0.1278)


def miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))


@dataclass
class World:
    platform: Platform
    employer: str
    other_employer: str
    legal_entity: str
    other_legal_entity: str
    provider: str
    other_provider: str
    keys: dict[str, str]
    refs: dict[str, int]

    async def get(
        self, path: str, key: str = "developer", version: str = "2", query: Any = None
    ) -> RawResponse:
        headers = [
            (b"ocp-apim-subscription-key", self.keys[key].encode()),
            (b"x-version", version.encode()),
        ]
        prefix = "/sandbox" if key.endswith("sandbox") else ""
        encoded = urlencode(query or [], doseq=True).encode()
        return await call(self.platform, prefix + path, headers, query=encoded)


@pytest.fixture
async def world(platform_factory: PlatformFactory, database_url: str) -> AsyncIterator[World]:
    async with platform_factory(database_url=database_url, rate_limit="1000000/300") as platform:
        sessions, secret = platform.sessions, platform.secret_key
        employer = await builders.create_employer(sessions, "Acme Engineering")
        other_employer = await builders.create_employer(sessions, "Brightway Care")
        legal_entity = await builders.create_legal_entity(
            sessions, employer, "Acme Engineering Ltd"
        )
        other_legal_entity = await builders.create_legal_entity(
            sessions, other_employer, "Brightway Care Ltd"
        )
        provider = await builders.create_provider(sessions, "10000001", "Northfield College")
        other_provider = await builders.create_provider(sessions, "10000002", "Southgate Training")
        await builders.grant_permission(sessions, provider, legal_entity)
        await builders.create_developer(sessions)
        keys = {
            "developer": (
                await builders.issue_key(sessions, secret, "developer:dev@example.com")
            ).secret,
            "employer": (await builders.issue_key(sessions, secret, f"employer:{employer}")).secret,
            "provider": (await builders.issue_key(sessions, secret, f"provider:{provider}")).secret,
            "other_provider": (
                await builders.issue_key(sessions, secret, f"provider:{other_provider}")
            ).secret,
            "developer_sandbox": (
                await builders.issue_key(
                    sessions, secret, "developer:dev@example.com", "display-advert-sandbox"
                )
            ).secret,
        }
        mine = {"employer": employer, "legal_entity": legal_entity, "ukprn": provider}
        theirs = {
            "employer": other_employer,
            "legal_entity": other_legal_entity,
            "ukprn": other_provider,
        }
        now = builders.now()
        refs = {
            "leeds": await builders.create_vacancy(
                sessions, **mine, posted=now - timedelta(days=1)
            ),
            "york": await builders.create_vacancy(
                sessions,
                **mine,
                addresses=[YORK],
                lars_code=196,
                title="Business Administrator Apprentice",
                posted=now - timedelta(days=5),
            ),
            "two_places": await builders.create_vacancy(
                sessions,
                **theirs,
                addresses=[LONDON, LEEDS],
                posted=now - timedelta(days=10),
                lars_code=225,
                title="Plumbing Apprentice",
                employer_name="Brightway Care Ltd",
            ),
            "national": await builders.create_vacancy(
                sessions,
                **theirs,
                national=True,
                posted=now - timedelta(days=2),
                employer_name="Brightway Care Ltd",
            ),
            "anonymous": await builders.create_vacancy(
                sessions,
                **theirs,
                anonymous=True,
                addresses=[LONDON],
                posted=now - timedelta(days=3),
            ),
            "submitted": await builders.create_vacancy(sessions, **mine, status="Submitted"),
            "closed": await builders.create_vacancy(sessions, **mine, status="Closed"),
            "expired": await builders.create_vacancy(sessions, **mine, closing_in_days=-1),
            "sandbox": await builders.create_vacancy(sessions, **mine, environment="sandbox"),
        }
        await platform.vacancy_indexes.reload()
        yield World(
            platform,
            employer,
            other_employer,
            legal_entity,
            other_legal_entity,
            provider,
            other_provider,
            keys,
            refs,
        )


LIVE = ("leeds", "york", "two_places", "national", "anonymous")


def references(response: RawResponse) -> list[int]:
    assert response.status == 200, response.body
    return [int(v["vacancyReference"]) for v in response.json()["vacancies"]]


@pytest.mark.parametrize("version", ["1", "2"])
async def test_only_live_adverts_appear_newest_first(world: World, version: str) -> None:
    response = await world.get("/vacancies/vacancy", version=version)
    body = response.json()
    assert references(response) == [
        world.refs[name] for name in ("leeds", "national", "anonymous", "york", "two_places")
    ]
    assert (body["total"], body["totalFiltered"], body["totalPages"]) == (5, 5, 1)


async def test_pages_are_full_except_the_last_and_consistent(world: World) -> None:
    seen: list[int] = []
    for page in (1, 2, 3, 4):
        body = (
            await world.get("/vacancies/vacancy", query={"PageSize": 2, "PageNumber": page})
        ).json()
        assert (body["totalFiltered"], body["totalPages"]) == (5, 3)
        seen += [int(v["vacancyReference"]) for v in body["vacancies"]]
        assert len(body["vacancies"]) == {1: 2, 2: 2, 3: 1, 4: 0}[page]
    assert sorted(seen) == sorted(world.refs[name] for name in LIVE)
    first = await world.get("/vacancies/vacancy", query={"pageSize": 2, "pagenumber": -5})
    assert len(references(first)) == 2  # names in any case; pages below 1 mean 1


async def test_v1_and_v2_shapes(world: World) -> None:
    v1 = (await world.get(f"/vacancies/vacancy/{world.refs['two_places']}", version="1")).json()
    v2 = (await world.get(f"/vacancies/vacancy/VAC{world.refs['two_places']}", version="2")).json()
    assert v1["address"]["postcode"] == "LS1 4AB"
    assert (v1["address"]["latitude"], v1["address"]["longitude"]) == LONDON
    assert [a["latitude"] for a in v1["otherAddresses"]] == [LEEDS[0]]
    assert v1["location"] == {"lat": LONDON[0], "lon": LONDON[1]}
    assert "addresses" not in v1
    assert [(a["latitude"], a["longitude"]) for a in v2["addresses"]] == [LONDON, LEEDS]
    # The advert's public page (compatibility.md D10), where it is applied to as well.
    page = f"http://127.0.0.1:8000/apprenticeship/reference/{world.refs['two_places']}"
    assert v1["vacancyUrl"] == v2["vacancyUrl"] == v2["applicationUrl"] == page
    assert "address" not in v2
    for body in (v1, v2):
        assert body["vacancyReference"] == str(world.refs["two_places"])
        assert body["closingDate"].endswith("T23:59:59Z")
        assert body["course"] == {
            "larsCode": 225,
            "title": "Plumbing and domestic heating technician (level 3)",
            "level": 3,
            "route": "Construction and the built environment",
            "type": "Apprenticeship",
        }
        assert body["wage"] == {
            "wageType": "Custom",
            "wageAmount": 18500.0,
            "wageUnit": "Annually",
            "workingWeekDescription": "Monday to Friday, 9am to 5pm",
        }
        assert body["expectedDuration"] == "18 months"
        assert body["hoursPerWeek"] == 37.5
        assert (body["providerName"], body["ukprn"]) == ("Southgate Training", 10000002)
        assert body["skills"] == ["Communication skills", "IT skills"]
        assert body["qualifications"] == [
            {
                "weighting": "Essential",
                "qualificationType": "GCSE",
                "subject": "Maths",
                "grade": "4",
            }
        ]
        assert "distance" not in body  # null fields are left out
        assert body["isNationalVacancy"] is False


async def test_anonymous_employers_disclose_no_contact_or_exact_location(world: World) -> None:
    body = (await world.get(f"/vacancies/vacancy/{world.refs['anonymous']}")).json()
    assert body["employerName"] == "A leading engineering firm"
    for field in ("employerContactName", "employerContactEmail", "employerWebsiteUrl"):
        assert field not in body
    (address,) = body["addresses"]
    assert address == {
        "addressLine4": "Leeds",
        "postcode": "LS1",
        "latitude": 51.51,
        "longitude": -0.13,
    }


async def test_distance_search_keeps_adverts_within_the_radius_nearest_first(world: World) -> None:
    query = {"Lat": LEEDS[0], "Lon": LEEDS[1], "DistanceInMiles": 30, "Sort": "DistanceAsc"}
    body = (await world.get("/vacancies/vacancy", query=query)).json()
    found = [(int(v["vacancyReference"]), v["distance"]) for v in body["vacancies"]]
    # Leeds itself, the advert with a Leeds address (its nearest), then York (about 20 miles).
    assert [ref for ref, _ in found] == [
        world.refs["leeds"],
        world.refs["two_places"],
        world.refs["york"],
    ]
    assert found[0][1] == 0.0
    assert found[2][1] == round(miles(LEEDS, YORK), 2)
    assert all(distance <= 30 for _, distance in found)
    assert body["totalFiltered"] == 3
    descending = (
        await world.get("/vacancies/vacancy", query={**query, "Sort": "DistanceDesc"})
    ).json()
    assert next(int(v["vacancyReference"]) for v in descending["vacancies"]) == world.refs["york"]
    # Without a radius, everything is sorted by distance and national adverts come last.
    everything = references(
        await world.get(
            "/vacancies/vacancy", query={"Lat": YORK[0], "Lon": YORK[1], "Sort": "DistanceAsc"}
        )
    )
    assert everything[0] == world.refs["york"]
    assert everything[-1] == world.refs["national"]


async def test_courses_and_routes_combine_by_and(world: World) -> None:
    only_course = await world.get("/vacancies/vacancy", query={"StandardLarsCode": [196, 225]})
    assert set(references(only_course)) == {world.refs["york"], world.refs["two_places"]}
    both = await world.get(
        "/vacancies/vacancy",
        query={"StandardLarsCode": [196, 225], "Routes": "Business and administration"},
    )
    assert references(both) == [world.refs["york"]]
    too_many = await world.get(
        "/vacancies/vacancy", query={"Routes": ["Digital", "Care services", "Hair and beauty"]}
    )
    assert too_many.status == 400
    assert too_many.json()["errors"] == {
        "Routes": ["Exceeded maximum of 2 routes to be filtered by"]
    }


async def test_filter_by_subscription_gives_each_key_its_own_adverts(world: World) -> None:
    query = {"FilterBySubscription": "true"}
    employer = set(references(await world.get("/vacancies/vacancy", key="employer", query=query)))
    provider = set(references(await world.get("/vacancies/vacancy", key="provider", query=query)))
    developer = set(references(await world.get("/vacancies/vacancy", key="developer", query=query)))
    assert employer == provider == {world.refs["leeds"], world.refs["york"]}
    assert developer == {world.refs[name] for name in LIVE}
    assert (
        references(await world.get("/vacancies/vacancy", key="other_provider", query=query)) != []
    )


async def test_legal_entity_filter_must_be_linked_to_the_key(world: World) -> None:
    linked = await world.get(
        "/vacancies/vacancy",
        key="provider",
        query={"AccountLegalEntityPublicHashedId": world.legal_entity},
    )
    assert set(references(linked)) == {world.refs["leeds"], world.refs["york"]}
    refused = await world.get(
        "/vacancies/vacancy",
        key="provider",
        query={"AccountLegalEntityPublicHashedId": world.other_legal_entity},
    )
    assert refused.status == 403
    assert refused.json()["status"] == 403
    assert refused.header("content-type") == "application/problem+json; charset=utf-8"
    ignored = await world.get(
        "/vacancies/vacancy",
        key="developer",
        query={"AccountLegalEntityPublicHashedId": world.other_legal_entity},
    )
    assert len(references(ignored)) == 5


async def test_account_legal_entities_per_kind_of_key(world: World) -> None:
    employer = (await world.get("/vacancies/accountlegalentities", key="employer")).json()
    assert employer == {
        "accountLegalEntities": [
            {
                "accountLegalEntityName": "Acme Engineering Ltd",
                "accountLegalEntityPublicHashedId": world.legal_entity,
                "accountPublicHashedId": world.employer,
                "accountName": "Acme Engineering",
            }
        ]
    }
    provider = (await world.get("/vacancies/accountlegalentities", key="provider")).json()
    assert provider == employer
    assert (await world.get("/vacancies/accountlegalentities", key="other_provider")).json() == {
        "accountLegalEntities": []
    }
    assert (await world.get("/vacancies/accountlegalentities", key="developer")).status == 403


async def test_other_filters(world: World) -> None:
    assert references(
        await world.get(
            "/vacancies/vacancy", query={"Ukprn": 10000002, "EmployerName": "brightway"}
        )
    ) == [
        world.refs["national"],
        world.refs["two_places"],
    ]
    assert references(
        await world.get("/vacancies/vacancy", query={"AccountPublicHashedId": world.employer})
    ) == [
        world.refs["leeds"],
        world.refs["york"],
    ]
    assert references(
        await world.get("/vacancies/vacancy", query={"PostedInLastNumberOfDays": 4})
    ) == [
        world.refs["leeds"],
        world.refs["national"],
        world.refs["anonymous"],
    ]
    assert references(
        await world.get("/vacancies/vacancy", version="1", query={"NationWideOnly": "True"})
    ) == [world.refs["national"]]
    excluded = references(
        await world.get("/vacancies/vacancy", query={"ExcludeRecruitingNationally": "true"})
    )
    assert world.refs["national"] not in excluded
    assert len(excluded) == 4
    assert references(await world.get("/vacancies/vacancy", query={"Ukprn": 19999999})) == []


async def test_include_details_gives_the_detail_shape_up_to_100_per_page(world: World) -> None:
    detailed = (
        await world.get("/vacancies/vacancy", query={"IncludeDetails": "true", "PageSize": 100})
    ).json()
    assert all("fullDescription" in v for v in detailed["vacancies"])
    plain = (await world.get("/vacancies/vacancy")).json()
    assert all("fullDescription" not in v for v in plain["vacancies"])
    refused = await world.get(
        "/vacancies/vacancy", query={"IncludeDetails": "true", "PageSize": 101}
    )
    assert refused.status == 400
    assert list(refused.json()["errors"]) == ["IncludeDetails"]


async def test_detail_is_404_unless_live(world: World) -> None:
    for name in ("submitted", "closed", "expired", "sandbox"):
        response = await world.get(f"/vacancies/vacancy/{world.refs[name]}")
        assert response.status == 404
        body = response.json()
        assert (body["status"], body["title"]) == (404, "Not Found")
        assert body["traceId"] == response.header("x-request-id")
    assert (await world.get("/vacancies/vacancy/1")).status == 404
    assert (await world.get("/vacancies/vacancy/not-a-reference")).status == 404  # D13


async def test_the_sandbox_serves_its_own_partition(world: World) -> None:
    sandbox = await world.get("/vacancies/vacancy", key="developer_sandbox")
    assert references(sandbox) == [world.refs["sandbox"]]
    detail = await world.get(f"/vacancies/vacancy/{world.refs['sandbox']}", key="developer_sandbox")
    assert detail.status == 200
    assert (
        await world.get(f"/vacancies/vacancy/{world.refs['leeds']}", key="developer_sandbox")
    ).status == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"PageSize": 0}, "PageSize"),
        ({"PageSize": 1001}, "PageSize"),
        ({"PageSize": "ten"}, "PageSize"),
        ({"PageSize": ""}, "PageSize"),
        ({"PageNumber": "99999999999999999999"}, "PageNumber"),
        ({"Sort": "Newest"}, "Sort"),
        ({"Lat": 91, "Lon": 0}, "Lat"),
        ({"Lat": 0, "Lon": -181}, "Lon"),
        ({"Lat": "NaN", "Lon": 0}, "Lat"),
        ({"Lat": 53.8}, "Lat"),
        ({"DistanceInMiles": 10}, "DistanceInMiles"),
        ({"Lat": 53.8, "Lon": -1.5, "DistanceInMiles": -1}, "DistanceInMiles"),
        ({"PostedInLastNumberOfDays": -3}, "PostedInLastNumberOfDays"),
        ({"StandardLarsCode": ["2", "x"]}, "StandardLarsCode"),
        ({"Ukprn": "1e5"}, "Ukprn"),
        ({"FilterBySubscription": "yes"}, "FilterBySubscription"),
        ({"IncludeDetails": "1"}, "IncludeDetails"),
    ],
)
async def test_bad_parameters_are_400_naming_the_field(
    world: World, query: dict[str, Any], field: str
) -> None:
    response = await world.get("/vacancies/vacancy", query=query)
    assert response.status == 400, response.body
    body = response.json()
    assert body["title"] == "One or more validation errors occurred."
    assert field in body["errors"]
    assert body["traceId"]


async def test_distance_sort_without_a_point_falls_back_to_newest_first(world: World) -> None:
    newest = references(await world.get("/vacancies/vacancy"))
    assert (
        references(await world.get("/vacancies/vacancy", query={"Sort": "DistanceAsc"})) == newest
    )


async def test_openapi_documents_every_parameter(world: World) -> None:
    for version, extra in (
        ("1", {"NationWideOnly"}),
        ("2", {"ExcludeRecruitingNationally", "EmployerName", "IncludeDetails"}),
    ):
        document = (
            await call(world.platform, f"/docs/display-advert/v{version}/openapi.json")
        ).json()
        operation = document["paths"]["/vacancies/vacancy"]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert {
            "X-Version",
            "PageNumber",
            "PageSize",
            "Sort",
            "Lat",
            "Lon",
            "DistanceInMiles",
            "StandardLarsCode",
            "Routes",
        } | extra <= names
        assert "/vacancies/vacancy/{vacancyReference}" in document["paths"]
        assert "/vacancies/accountlegalentities" in document["paths"]


PARAMETER_NAMES = [
    "PageNumber",
    "pagesize",
    "Sort",
    "Lat",
    "Lon",
    "DistanceInMiles",
    "PostedInLastNumberOfDays",
    "StandardLarsCode",
    "Routes",
    "Ukprn",
    "AccountPublicHashedId",
    "AccountLegalEntityPublicHashedId",
    "FilterBySubscription",
    "NationWideOnly",
    "ExcludeRecruitingNationally",
    "EmployerName",
    "IncludeDetails",
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "-1",
            "0",
            "1",
            "1000",
            "1001",
            "99999999999999999999",
            "1e3",
            "NaN",
            "Infinity",
            "true",
            "False",
            "yes",
            "DistanceAsc",
            "Nonsense",
            "53.8",
            "-181",
            "Digital",
            "ABC123",
        ]
    ),
    st.text(max_size=30),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.lists(st.tuples(st.sampled_from(PARAMETER_NAMES), VALUES), max_size=6),
    version=st.sampled_from(["1", "2"]),
)
async def test_any_query_gets_200_or_a_400_naming_the_field(
    world: World, query: list[tuple[str, str]], version: str
) -> None:
    response = await world.get("/vacancies/vacancy", key="provider", version=version, query=query)
    assert response.status in (200, 400, 403), response.body
    body = response.json()
    if response.status == 400:
        assert body["errors"]
        sent = {name.lower() for name, _ in query}
        assert all(field.lower() in sent for field in body["errors"])
    elif response.status == 200:
        assert len(body["vacancies"]) <= body["totalFiltered"] <= body["total"]


async def test_a_change_event_brings_new_adverts_into_every_index_by_itself(world: World) -> None:
    import asyncio
    import time

    from apprenticeships.storage.engine import unit_of_work
    from apprenticeships.storage.events import CacheEventRepository, EventKind

    sessions = world.platform.sessions
    fresh = await builders.create_vacancy(
        sessions, employer=world.employer, legal_entity=world.legal_entity, ukprn=world.provider
    )
    assert fresh not in references(await world.get("/vacancies/vacancy", query={"PageSize": 100}))
    async with unit_of_work(sessions) as session:
        await CacheEventRepository(session).add(EventKind.VACANCIES, builders.now())
    started = time.monotonic()
    while fresh not in references(await world.get("/vacancies/vacancy", query={"PageSize": 100})):
        assert time.monotonic() - started < 3, "the index did not pick the new advert up"
        await asyncio.sleep(0.05)
