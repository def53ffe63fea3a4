"""GET /vacancies/vacancy, /vacancy/{reference} and /accountlegalentities, versions 1
and 2, on SQLite and PostgreSQL, through the gateway."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprenticeships.app import Platform
from apprenticeships.catalog.products import Environment
from apprenticeships.vacancies.search import EARTH_RADIUS_MILES, Sort
from tests import builders
from tests.conftest import PlatformFactory
from tests.support.asgi import call
from tests.support.aspnet import trace_id_for
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


async def test_D3_age_desc_lists_the_oldest_first_and_age_asc_the_newest(world: World) -> None:
    """D3: the age of an advert grows as it gets older, as in the real service: AgeDesc
    (the default) lists the oldest posted first, AgeAsc the newest. Only live adverts."""
    oldest_first = [
        world.refs[name] for name in ("two_places", "york", "anonymous", "national", "leeds")
    ]
    default = await world.get("/vacancies/vacancy")
    assert references(default) == oldest_first
    body = default.json()
    assert (body["total"], body["totalFiltered"], body["totalPages"]) == (5, 5, 1)
    assert references(await world.get("/vacancies/vacancy", query={"Sort": "AgeDesc"})) == (
        oldest_first
    )
    newest_first = await world.get("/vacancies/vacancy", query={"Sort": "AgeAsc"})
    assert references(newest_first) == oldest_first[::-1]
    posted = [v["postedDate"] for v in newest_first.json()["vacancies"]]
    assert posted == sorted(posted, reverse=True)
    # Version 1 the same, its advert with two addresses once per address (D1).
    v1 = await world.get("/vacancies/vacancy", version="1", query={"Sort": "AgeAsc"})
    assert references(v1) == [*oldest_first[::-1], world.refs["two_places"]]


async def test_sort_binds_as_aspnet_binds_the_real_enum_by_name_or_number(world: World) -> None:
    """Sort binds like the real VacancySort enum: its name in any case or its number
    (AgeDesc 0, AgeAsc 1, DistanceDesc 2, DistanceAsc 3, ExpectedStartDateDesc 4,
    ExpectedStartDateAsc 5); anything else is a 400 in ASP.NET's words."""
    for number, name in enumerate(
        [
            "AgeDesc",
            "AgeAsc",
            "DistanceDesc",
            "DistanceAsc",
            "ExpectedStartDateDesc",
            "ExpectedStartDateAsc",
        ]
    ):
        point = {"Lat": LEEDS[0], "Lon": LEEDS[1]}
        by_name = await world.get("/vacancies/vacancy", query={**point, "Sort": name.lower()})
        by_number = await world.get("/vacancies/vacancy", query={**point, "Sort": str(number)})
        assert by_number.status == 200, by_number.body
        assert references(by_number) == references(by_name), name
    refused = await world.get("/vacancies/vacancy", query={"Sort": "Newest"})
    assert refused.status == 400
    assert refused.json()["errors"] == {"Sort": ["The value 'Newest' is not valid for Sort."]}
    for beyond in ("6", "-1", "²"):
        answer = await world.get("/vacancies/vacancy", query={"Sort": beyond})
        assert answer.json()["errors"] == {"Sort": [f"The value '{beyond}' is not valid for Sort."]}


def place(address: dict[str, Any]) -> tuple[float, float]:
    return address["latitude"], address["longitude"]


async def test_D1_version_1_lists_an_advert_once_per_address(world: World) -> None:
    """D1: in version 1 an advert with several addresses is one item per address, that
    address in `address` and `location`, the others in `otherAddresses`; counts and pages
    count items; each item's distance, and the distance filter, use its own address.
    Version 2 lists the advert once, as far as its nearest address."""
    refs = world.refs
    body = (await world.get("/vacancies/vacancy", version="1")).json()
    assert (body["total"], body["totalFiltered"], body["totalPages"]) == (6, 6, 1)
    items = [v for v in body["vacancies"] if v["vacancyReference"] == str(refs["two_places"])]
    assert [(place(v["address"]), [place(o) for o in v["otherAddresses"]]) for v in items] == [
        (LONDON, [LEEDS]),  # the primary address first
        (LEEDS, [LONDON]),
    ]
    assert [v["location"] for v in items] == [
        {"lat": LONDON[0], "lon": LONDON[1]},
        {"lat": LEEDS[0], "lon": LEEDS[1]},
    ]
    assert items[1]["address"]["addressLine1"] == "11 High Street"
    assert items[1]["otherAddresses"][0]["addressLine1"] == "10 High Street"
    assert {
        k: v for k, v in items[0].items() if k not in ("address", "otherAddresses", "location")
    } == {k: v for k, v in items[1].items() if k not in ("address", "otherAddresses", "location")}

    # Pages of items: every page but the last full, the advert's two items apart.
    pages = [
        (
            await world.get(
                "/vacancies/vacancy", version="1", query={"PageSize": 4, "PageNumber": number}
            )
        ).json()
        for number in (1, 2)
    ]
    assert [(p["totalFiltered"], p["totalPages"], len(p["vacancies"])) for p in pages] == [
        (6, 2, 4),
        (6, 2, 2),
    ]
    assert [int(v["vacancyReference"]) for p in pages for v in p["vacancies"]] == [
        refs[name]
        for name in ("two_places", "two_places", "york", "anonymous", "national", "leeds")
    ]

    # From Leeds: the Leeds item is 0 miles away, the London one 169; within 30 miles
    # only the Leeds item is kept.
    point = {"Lat": LEEDS[0], "Lon": LEEDS[1], "Sort": "DistanceAsc"}
    v1 = await world.get("/vacancies/vacancy", version="1", query=point)
    london = round(miles(LEEDS, LONDON), 2)
    anonymous = round(miles(LEEDS, (51.51, -0.13)), 2)  # its published location (D9)
    assert found(v1) == [
        (refs["leeds"], 0.0),
        (refs["two_places"], 0.0),
        (refs["york"], round(miles(LEEDS, YORK), 2)),
        (refs["anonymous"], anonymous),
        (refs["two_places"], london),
        (refs["national"], None),
    ]
    shown = v1.json()["vacancies"]
    assert [place(shown[1]["address"]), place(shown[4]["address"])] == [LEEDS, LONDON]
    assert place(shown[3]["address"]) == (51.51, -0.13)
    near = await world.get(
        "/vacancies/vacancy", version="1", query={**point, "DistanceInMiles": 30}
    )
    assert found(near) == found(v1)[:3] + found(v1)[5:]
    assert (near.json()["total"], near.json()["totalFiltered"]) == (6, 4)
    near_items = [
        v for v in near.json()["vacancies"] if v["vacancyReference"] == str(refs["two_places"])
    ]
    assert [place(v["address"]) for v in near_items] == [LEEDS]
    # Farthest first: the London item leads, the Leeds one stays behind York.
    farthest = await world.get(
        "/vacancies/vacancy", version="1", query={**point, "Sort": "DistanceDesc"}
    )
    assert found(farthest) == [
        (refs["two_places"], london),
        (refs["anonymous"], anonymous),
        (refs["york"], round(miles(LEEDS, YORK), 2)),
        (refs["leeds"], 0.0),
        (refs["two_places"], 0.0),
        (refs["national"], None),
    ]

    # Version 2: once, at the distance of its nearest address, all addresses listed.
    v2 = await world.get("/vacancies/vacancy", query=point)
    assert found(v2) == [
        (refs["leeds"], 0.0),
        (refs["two_places"], 0.0),
        (refs["york"], round(miles(LEEDS, YORK), 2)),
        (refs["anonymous"], anonymous),
        (refs["national"], None),
    ]
    assert [place(a) for a in v2.json()["vacancies"][1]["addresses"]] == [LONDON, LEEDS]
    assert (v2.json()["total"], v2.json()["totalFiltered"]) == (5, 5)


async def test_D5_employer_name_matches_the_whole_name_in_any_case(world: World) -> None:
    """D5: EmployerName is the employer's whole name as adverts show it, in any case and
    ignoring surrounding spaces; part of a name matches nothing. An anonymous employer's
    advert shows, and so matches, only its description."""
    brightway = [world.refs["two_places"], world.refs["national"]]
    for name in ("Brightway Care Ltd", "  brightway CARE ltd ", "BRIGHTWAY CARE LTD"):
        assert references(await world.get("/vacancies/vacancy", query={"EmployerName": name})) == (
            brightway
        )
    for name in ("brightway", "Brightway Care", "Brightway  Care Ltd", "Care Ltd"):
        response = await world.get("/vacancies/vacancy", query={"EmployerName": name})
        assert references(response) == []
        assert response.json()["totalFiltered"] == 0
    anonymous = await world.get(
        "/vacancies/vacancy", query={"EmployerName": "a leading engineering firm"}
    )
    assert references(anonymous) == [world.refs["anonymous"]]


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


def found(response: RawResponse) -> list[tuple[int, float | None]]:
    """(reference, distance) of each item, None when it has no distance."""
    assert response.status == 200, response.body
    return [(int(v["vacancyReference"]), v.get("distance")) for v in response.json()["vacancies"]]


async def test_D4_a_distance_search_keeps_national_adverts_without_a_distance_last(
    world: World,
) -> None:
    """D4: adverts recruiting nationally have no location: they match any distance, carry
    no `distance`, and come after located adverts in both distance sorts; version 2's
    ExcludeRecruitingNationally drops them."""
    refs = world.refs
    query = {"Lat": LEEDS[0], "Lon": LEEDS[1], "DistanceInMiles": 30, "Sort": "DistanceAsc"}
    response = await world.get("/vacancies/vacancy", query=query)
    # Leeds itself, the advert with a Leeds address (its nearest), York (22 miles), then
    # the national advert, with no distance; nothing in London.
    york = round(miles(LEEDS, YORK), 2)
    assert found(response) == [
        (refs["leeds"], 0.0),
        (refs["two_places"], 0.0),
        (refs["york"], york),
        (refs["national"], None),
    ]
    assert "distance" not in response.json()["vacancies"][3]
    assert response.json()["totalFiltered"] == 4
    descending = await world.get("/vacancies/vacancy", query={**query, "Sort": "DistanceDesc"})
    assert found(descending) == [
        (refs["york"], york),
        (refs["leeds"], 0.0),
        (refs["two_places"], 0.0),
        (refs["national"], None),
    ]
    excluded = await world.get(
        "/vacancies/vacancy", query={**query, "ExcludeRecruitingNationally": "true"}
    )
    assert [ref for ref, _ in found(excluded)] == [refs["leeds"], refs["two_places"], refs["york"]]
    assert excluded.json()["totalFiltered"] == 3
    # Version 1 too; there, only national adverts when asked.
    v1 = await world.get("/vacancies/vacancy", version="1", query=query)
    assert found(v1)[-1] == (refs["national"], None)
    national = await world.get(
        "/vacancies/vacancy", version="1", query={**query, "NationWideOnly": "true"}
    )
    assert found(national) == [(refs["national"], None)]
    # Without a radius, everything is sorted by distance and national adverts come last.
    for sort in ("DistanceAsc", "DistanceDesc"):
        everything = found(
            await world.get(
                "/vacancies/vacancy", query={"Lat": YORK[0], "Lon": YORK[1], "Sort": sort}
            )
        )
        assert everything[-1] == (refs["national"], None)
        assert everything[0][0] == refs["york" if sort == "DistanceAsc" else "anonymous"]


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


async def test_D2_version_1_lists_national_adverts_and_honours_nationwide_only(
    world: World,
) -> None:
    """D2 (kept on purpose): the real v1 never returns adverts recruiting nationally, so
    its documented NationWideOnly finds nothing; ours lists them and NationWideOnly keeps
    only them."""
    everything = references(await world.get("/vacancies/vacancy", version="1"))
    assert world.refs["national"] in everything
    only = await world.get("/vacancies/vacancy", version="1", query={"NationWideOnly": "true"})
    assert references(only) == [world.refs["national"]]
    item = only.json()["vacancies"][0]
    assert (item["isNationalVacancy"], item["address"], item["location"]) == (
        True,
        {},
        {"lat": 0, "lon": 0},
    )


async def test_other_filters(world: World) -> None:
    assert references(
        await world.get(
            "/vacancies/vacancy", query={"Ukprn": 10000002, "EmployerName": "Brightway Care Ltd"}
        )
    ) == [
        world.refs["two_places"],
        world.refs["national"],
    ]
    assert references(
        await world.get("/vacancies/vacancy", query={"AccountPublicHashedId": world.employer})
    ) == [
        world.refs["york"],
        world.refs["leeds"],
    ]
    assert references(
        await world.get("/vacancies/vacancy", query={"PostedInLastNumberOfDays": 4})
    ) == [
        world.refs["anonymous"],
        world.refs["national"],
        world.refs["leeds"],
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


async def test_D6_include_details_gives_the_detail_shape_up_to_100_per_page_then_summaries(
    world: World,
) -> None:
    """D6: IncludeDetails=true with PageSize over 100 is no error: the page comes in the
    summary shape, as in the real service."""
    detailed = await world.get(
        "/vacancies/vacancy", query={"IncludeDetails": "true", "PageSize": 100}
    )
    assert len(references(detailed)) == 5
    for item in detailed.json()["vacancies"]:
        assert item["fullDescription"] == "<p>A full description of the role.</p>"
        assert item["skills"] == ["Communication skills", "IT skills"]
    plain = (await world.get("/vacancies/vacancy")).json()
    large = await world.get("/vacancies/vacancy", query={"IncludeDetails": "true", "PageSize": 101})
    assert references(large) == references(detailed)
    assert large.json() == plain
    for item in large.json()["vacancies"]:
        assert "fullDescription" not in item and "skills" not in item


async def test_detail_is_404_unless_live(world: World) -> None:
    for name in ("submitted", "closed", "expired", "sandbox"):
        response = await world.get(f"/vacancies/vacancy/{world.refs[name]}")
        assert response.status == 404
        body = response.json()
        assert (body["status"], body["title"]) == (404, "Not Found")
        assert body["traceId"] == trace_id_for(response.header("x-request-id") or "")
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
        ({"Lat": 91}, "Lat"),
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


async def test_D12_lat_without_lon_and_a_distance_without_a_point_are_ignored(
    world: World,
) -> None:
    """D12: Lat without Lon (or Lon without Lat) is no point, and DistanceInMiles without
    a point has nothing to measure from: both are ignored, as the real service ignores
    them, not refused."""
    everything = await world.get("/vacancies/vacancy")
    for query in (
        {"Lat": LEEDS[0]},
        {"Lon": LEEDS[1]},
        {"DistanceInMiles": 10},
        {"Lat": LEEDS[0], "DistanceInMiles": 1},
        {"lon": LEEDS[1], "distanceinmiles": 0},
    ):
        for version in ("1", "2"):
            response = await world.get("/vacancies/vacancy", version=version, query=query)
            assert response.status == 200, (query, response.body)
            body = response.json()
            assert all("distance" not in item for item in body["vacancies"])
            if version == "2":
                assert body == everything.json()
            else:
                assert (body["total"], body["totalFiltered"]) == (6, 6)
    # A value that cannot be a latitude is still a 400, alone or not.
    assert (await world.get("/vacancies/vacancy", query={"Lat": "north"})).status == 400


async def test_a_distance_sort_without_a_point_orders_by_the_tie_breakers(world: World) -> None:
    """The real service sorts by distance only when given a point; without one only the
    tie-breakers order (D14): title, then course title, then employer name, ..."""
    for query in ({"Sort": "DistanceAsc"}, {"Sort": "DistanceDesc", "Lat": LEEDS[0]}):
        response = await world.get("/vacancies/vacancy", query=query)
        # Three adverts share the title "Apprentice Software Developer" and the course;
        # their employer names decide ("A leading..." < "Acme..." < "Brightway...").
        assert references(response) == [
            world.refs[name] for name in ("anonymous", "leeds", "national", "york", "two_places")
        ]


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


def trilaterate(posts: list[tuple[float, float]], distances: list[float]) -> tuple[float, float]:
    """The point at these distances (miles) from these posts: least squares by Gauss-Newton
    from the posts' centre, on great-circle distances."""
    lat = sum(p[0] for p in posts) / len(posts)
    lon = sum(p[1] for p in posts) / len(posts)
    step = 1e-6
    for _ in range(30):
        residuals = np.array(
            [miles((lat, lon), p) - d for p, d in zip(posts, distances, strict=True)]
        )
        jacobian = np.array(
            [
                [
                    (miles((lat + step, lon), p) - miles((lat, lon), p)) / step,
                    (miles((lat, lon + step), p) - miles((lat, lon), p)) / step,
                ]
                for p in posts
            ]
        )
        move = np.linalg.lstsq(jacobian, -residuals, rcond=None)[0]
        lat, lon = lat + float(move[0]), lon + float(move[1])
    return lat, lon


# Published as (53.80, -1.55): 0.36 miles from the exact address.
EXACT = (53.80449, -1.55451)
PUBLISHED = (53.80, -1.55)
# Three listening posts two to four miles around it.
POSTS = [(53.85, -1.55), (53.78, -1.62), (53.78, -1.48)]


async def test_D9_distances_reveal_only_an_anonymous_employers_published_location(
    world: World,
) -> None:
    """D9: an anonymous employer's advert is found, filtered, sorted and measured from
    the approximate location it publishes, never its exact address. The trilateration
    attack (three searches from known points, solved for the position) recovers only the
    published point; the same attack on a named employer's advert finds its address."""
    sessions = world.platform.sessions
    theirs = {
        "employer": world.other_employer,
        "legal_entity": world.other_legal_entity,
        "ukprn": world.other_provider,
    }
    hidden = await builders.create_vacancy(
        sessions, **theirs, anonymous=True, addresses=[EXACT], lars_code=119
    )
    named = await builders.create_vacancy(sessions, **theirs, addresses=[EXACT], lars_code=180)
    await world.platform.vacancy_indexes.reload()

    async def distances(lars_code: int, version: str) -> list[float]:
        measured = []
        for lat, lon in POSTS:
            response = await world.get(
                "/vacancies/vacancy",
                version=version,
                query={"Lat": lat, "Lon": lon, "StandardLarsCode": lars_code},
            )
            ((_, distance),) = found(response)
            assert distance is not None
            measured.append(distance)
        return measured

    assert miles(PUBLISHED, EXACT) == pytest.approx(0.36, abs=0.01)
    for version in ("1", "2"):
        measured = await distances(119, version)
        assert measured == [round(miles(post, PUBLISHED), 2) for post in POSTS]
        estimate = trilaterate(POSTS, measured)
        # Distances come rounded to 0.01 miles: the estimate is that close to the
        # published point, and no closer to the exact address than the published point is.
        assert miles(estimate, PUBLISHED) < 0.03
        assert miles(estimate, EXACT) > miles(PUBLISHED, EXACT) - 0.03
        # The attack works: on a named employer's advert it finds the address.
        assert miles(trilaterate(POSTS, await distances(180, version)), EXACT) < 0.03

    # Searching at the exact address: the named advert is there, the anonymous one is as
    # far as its published point, so a radius of 0 leaves it out.
    at_exact = {"Lat": EXACT[0], "Lon": EXACT[1], "StandardLarsCode": [119, 180]}
    sorted_from_exact = await world.get(
        "/vacancies/vacancy", query={**at_exact, "Sort": "DistanceDesc"}
    )
    assert found(sorted_from_exact) == [
        (hidden, round(miles(EXACT, PUBLISHED), 2)),
        (named, 0.0),
    ]
    for version in ("1", "2"):
        within = await world.get(
            "/vacancies/vacancy", version=version, query={**at_exact, "DistanceInMiles": 0}
        )
        assert found(within) == [(named, 0.0)]
    item = (
        await world.get(
            "/vacancies/vacancy", version="1", query={**at_exact, "StandardLarsCode": 119}
        )
    ).json()["vacancies"][0]
    assert place(item["address"]) == PUBLISHED
    assert item["location"] == {"lat": PUBLISHED[0], "lon": PUBLISHED[1]}


async def test_D14_ties_break_by_title_course_employer_provider_ukprn_and_reference(
    world: World,
) -> None:
    """D14: in every sort, items that tie break by title, course title, employer name,
    provider name, UKPRN and reference, all ascending, strings by code point (capitals
    first), as the real search orders them; so paging is stable, and an index with a
    delta orders as one."""
    sessions = world.platform.sessions
    twin = await builders.create_provider(sessions, "10000003", "Northfield College")
    posted = builders.now() - timedelta(days=30)
    yesterday = builders.now() - timedelta(days=1)

    async def advert(
        title: str, lars_code: int, employer_name: str, ukprn: str, updated: datetime | None
    ) -> int:
        return await builders.create_vacancy(
            sessions,
            employer=world.employer,
            legal_entity=world.legal_entity,
            ukprn=ukprn,
            title=title,
            lars_code=lars_code,
            employer_name=employer_name,
            posted=posted,
            updated=updated,
        )

    acme, chef = "Acme Engineering Ltd", "Apprentice Chef"
    northfield, southgate = world.provider, world.other_provider
    # 17 is "Actuarial technician", 828 "AI and automation practitioner" ("AI" < "Ac").
    made = {
        "a": await advert(chef, 17, acme, northfield, yesterday),
        "i": await advert(chef, 17, acme, northfield, yesterday),  # as a: the reference
        "d": await advert("apprentice Baker", 17, acme, northfield, yesterday),
        "g": await advert(chef, 17, acme, southgate, yesterday),
        "h": await advert(chef, 17, acme, twin, yesterday),  # a's provider name, UKPRN after
        "f": await advert(chef, 17, "ACME Engineering Ltd", northfield, yesterday),
        "b": await advert(chef, 828, "Brightway Care Ltd", southgate, yesterday),
        "c": await advert("Apprentice Baker", 17, acme, northfield, yesterday),
    }
    indexes = world.platform.vacancy_indexes
    await indexes.reload()

    async def check(order: str) -> None:
        expected = [made[name] for name in order]
        for version in ("1", "2"):
            for sort in [s.value for s in Sort]:
                query = {"StandardLarsCode": [17, 828], "Sort": sort}
                assert (
                    references(await world.get("/vacancies/vacancy", version=version, query=query))
                    == expected
                ), (version, sort)
                at_leeds = {**query, "Lat": LEEDS[0], "Lon": LEEDS[1]}  # all 0 miles away
                assert (
                    references(
                        await world.get("/vacancies/vacancy", version=version, query=at_leeds)
                    )
                    == expected
                ), (version, sort)
            pages = [
                references(
                    await world.get(
                        "/vacancies/vacancy",
                        version=version,
                        query={"StandardLarsCode": [17, 828], "PageSize": 3, "PageNumber": n},
                    )
                )
                for n in (1, 2, 3)
            ]
            assert [r for page in pages for r in page] == expected

    await check("cbfaihgd")
    # Oldest first by default: these 8, posted 30 days ago and tied, before the others.
    first = references(await world.get("/vacancies/vacancy", query={"PageSize": 8}))
    assert first == [made[name] for name in "cbfaihgd"]

    # One more, changed now, goes to the delta; searches merge it into the base's order.
    made["e"] = await advert(chef, 17, acme, northfield, None)
    await indexes.refresh()
    current = indexes.get(Environment.LIVE)
    assert current.delta is not None and len(current.delta) >= 1
    await check("cbfaiehgd")
