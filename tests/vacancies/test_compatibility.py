"""The Display advert API where it follows the real service (compatibility.md D7, D8,
D11, D13, D15, D16): empty values, anonymous employers' locations, repeated parameters,
impossible references, the deprecated-versions header and the additional data sources.
Through the gateway, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from apprenticeships.app import Platform
from tests import builders
from tests.conftest import PlatformFactory
from tests.support.asgi import call
from tests.support.aspnet import trace_id_for
from tests.support.responses import RawResponse

LEEDS = (53.7997, -1.5492)
YORK = (53.959, -1.0815)
LONDON = (51.5074, -0.1278)
NOT_FOUND_TYPE = "https://tools.ietf.org/html/rfc9110#section-15.5.5"
OWN = ("leeds", "national", "anonymous", "two_places")


@dataclass
class World:
    platform: Platform
    key: str
    refs: dict[str, int]
    provider: str
    other_provider: str

    async def get(
        self,
        path: str,
        version: str | None = "2",
        query: Any = None,
        sources: Sequence[str] = (),
    ) -> RawResponse:
        headers = [(b"ocp-apim-subscription-key", self.key.encode())]
        if version is not None:
            headers.append((b"x-version", version.encode()))
        # ASGI servers hand header names over in lower case.
        headers += [(b"additionaldatasources", line.encode()) for line in sources]
        encoded = urlencode(query or [], doseq=True).encode()
        return await call(self.platform, path, headers, query=encoded)

    async def found(
        self, version: str = "2", query: Any = None, sources: Sequence[str] = ()
    ) -> Any:
        """The search's body, 50 to a page (``query`` a dict or a list of pairs)."""
        pairs = list(query.items()) if isinstance(query, dict) else list(query or [])
        response = await self.get(
            "/vacancies/vacancy", version, [("PageSize", 50), *pairs], sources
        )
        assert response.status == 200, response.body
        return response.json()

    def names(self, body: Any) -> set[str]:
        by_reference = {reference: name for name, reference in self.refs.items()}
        return {by_reference[int(item["vacancyReference"])] for item in body["vacancies"]}


@pytest.fixture
async def world(platform_factory: PlatformFactory, database_url: str) -> AsyncIterator[World]:
    async with platform_factory(database_url=database_url, rate_limit="1000000/300") as platform:
        sessions = platform.sessions
        employer = await builders.create_employer(sessions, "Acme Engineering")
        legal_entity = await builders.create_legal_entity(
            sessions, employer, "Acme Engineering Ltd"
        )
        trust = await builders.create_employer(sessions, "Northbeck Hospitals NHS Trust")
        trust_entity = await builders.create_legal_entity(
            sessions, trust, "Northbeck Hospitals NHS Trust"
        )
        provider = await builders.create_provider(sessions, "10000001", "Northfield College")
        other_provider = await builders.create_provider(sessions, "10000002", "Southgate Training")
        await builders.create_developer(sessions)
        key = (
            await builders.issue_key(sessions, platform.secret_key, "developer:dev@example.com")
        ).secret
        mine = {"employer": employer, "legal_entity": legal_entity, "ukprn": provider}
        nhs = {"employer": trust, "legal_entity": trust_entity, "ukprn": other_provider}
        now = builders.now()
        refs = {
            "leeds": await builders.create_vacancy(
                sessions, **mine, posted=now - timedelta(days=1)
            ),
            "national": await builders.create_vacancy(
                sessions, **mine, national=True, lars_code=196, posted=now - timedelta(days=2)
            ),
            "anonymous": await builders.create_vacancy(
                sessions, **mine, anonymous=True, addresses=[LONDON], posted=now - timedelta(days=3)
            ),
            "two_places": await builders.create_vacancy(
                sessions,
                **mine,
                addresses=[LONDON, LEEDS],
                lars_code=225,
                posted=now - timedelta(days=4),
            ),
            "nhs": await builders.create_vacancy(
                sessions,
                **nhs,
                data_source="Nhs",
                title="Apprentice Healthcare Support Worker",
                employer_name="Northbeck Hospitals NHS Trust",
                lars_code=103,
                start_in_days=30,
                posted=now - timedelta(days=5),
                application_url="https://www.jobs.nhs.example/candidate/jobadvert/C9123-26-0001",
            ),
            "csj": await builders.create_vacancy(
                sessions,
                **nhs,
                data_source="Csj",
                addresses=[YORK],
                start_in_days=31,
                posted=now - timedelta(days=6),
                application_url="https://www.civilservicejobs.example/csr/jobs.cgi?jcode=1900001",
            ),
            "closed_nhs": await builders.create_vacancy(
                sessions, **nhs, data_source="Nhs", status="Closed"
            ),
        }
        await platform.vacancy_indexes.reload()
        yield World(platform, key, refs, provider, other_provider)


# -- D7: empty values ------------------------------------------------------------------------


async def test_D7_v1_items_always_have_address_other_addresses_and_location(world: World) -> None:
    body = await world.found("1")
    items: dict[str, Any] = {}
    for item in body["vacancies"]:
        # An advert with two addresses is two items (D1); the first stands for the primary.
        items.setdefault(world.names({"vacancies": [item]}).pop(), item)
    assert set(items) == set(OWN)
    detail = (await world.get(f"/vacancies/vacancy/{world.refs['national']}", "1")).json()
    for national in (items["national"], detail):
        assert national["address"] == {}
        assert national["otherAddresses"] == []
        assert national["location"] == {"lat": 0, "lon": 0}
        assert national["isNationalVacancy"] is True
        assert national["isNationalVacancyDetails"] == "<p>Anywhere in England.</p>"
    leeds = items["leeds"]
    assert leeds["address"]["postcode"] == "LS1 4AB"
    assert leeds["otherAddresses"] == []
    assert leeds["location"] == {"lat": LEEDS[0], "lon": LEEDS[1]}
    assert leeds["isNationalVacancyDetails"] == ""
    assert [a["latitude"] for a in items["two_places"]["otherAddresses"]] == [LEEDS[0]]
    for item in items.values():
        assert {"address", "otherAddresses", "location", "isNationalVacancyDetails"} <= set(item)
        assert "addresses" not in item
        # Every other null field is still left out.
        assert "distance" not in item
        assert "employerContactPhone" not in item
        assert "wageAdditionalInformation" not in item["wage"]


async def test_D7_v2_items_always_have_addresses(world: World) -> None:
    for query in ({}, {"IncludeDetails": "true"}):
        body = await world.found("2", query)
        items = {world.names({"vacancies": [item]}).pop(): item for item in body["vacancies"]}
        assert items["national"]["addresses"] == []
        assert items["national"]["isNationalVacancyDetails"] == "<p>Anywhere in England.</p>"
        assert len(items["two_places"]["addresses"]) == 2
        assert items["leeds"]["isNationalVacancyDetails"] == ""
        for item in items.values():
            assert "addresses" in item and "isNationalVacancyDetails" in item
            assert not {"address", "otherAddresses", "location", "distance"} & set(item)
    detail = (await world.get(f"/vacancies/vacancy/{world.refs['national']}", "2")).json()
    assert (detail["addresses"], detail["isNationalVacancyDetails"]) == (
        [],
        "<p>Anywhere in England.</p>",
    )


# -- D8: anonymous employers -----------------------------------------------------------------


async def test_D8_v1_detail_of_an_anonymous_employer_has_no_location(world: World) -> None:
    detail = (await world.get(f"/vacancies/vacancy/{world.refs['anonymous']}", "1")).json()
    assert "location" not in detail
    # Only the published, approximate address is shown.
    assert detail["address"] == {
        "addressLine4": "Leeds",
        "postcode": "LS1",
        "latitude": 51.51,
        "longitude": -0.13,
    }
    # The search item keeps the approximate location, as the real list shape does.
    body = await world.found("1")
    (item,) = [
        v for v in body["vacancies"] if int(v["vacancyReference"]) == world.refs["anonymous"]
    ]
    assert item["location"] == {"lat": 51.51, "lon": -0.13}
    named = (await world.get(f"/vacancies/vacancy/{world.refs['leeds']}", "1")).json()
    assert named["location"] == {"lat": LEEDS[0], "lon": LEEDS[1]}


# -- D11: a parameter given twice ------------------------------------------------------------


async def test_D11_a_parameter_given_twice_takes_its_first_value(world: World) -> None:
    one = (
        await world.get("/vacancies/vacancy", query=[("PageSize", "1"), ("pageSize", "3")])
    ).json()
    assert len(one["vacancies"]) == 1 and one["totalPages"] == one["totalFiltered"] == 4
    three = await world.get("/vacancies/vacancy", query=[("PageSize", "3"), ("PageSize", "ten")])
    assert len(three.json()["vacancies"]) == 3
    # The first value counts even when it is the bad one.
    bad = await world.get("/vacancies/vacancy", query=[("PageSize", "ten"), ("PageSize", "3")])
    assert bad.status == 400
    assert bad.json()["errors"] == {"PageSize": ["The value 'ten' is not valid for PageSize."]}
    theirs = await world.found(
        query=[("Ukprn", world.other_provider), ("Ukprn", world.provider)], sources=["Nhs,Csj"]
    )
    assert world.names(theirs) == {"nhs", "csj"}
    # Array parameters still repeat.
    both = await world.found(query=[("StandardLarsCode", "196"), ("StandardLarsCode", "225")])
    assert world.names(both) == {"national", "two_places"}


# -- D13: a reference no advert can have -----------------------------------------------------


async def test_D13_a_reference_no_advert_can_have_is_404_with_a_problem_body(world: World) -> None:
    for reference in ("abc", "VACabc", "12.5", "1" * 19, "VAC", "-5"):
        for version in ("1", "2"):
            response = await world.get(f"/vacancies/vacancy/{reference}", version)
            assert response.status == 404, (reference, response.body)
            assert response.header("content-type") == "application/problem+json; charset=utf-8"
            assert response.json() == {
                "type": NOT_FOUND_TYPE,
                "title": "Not Found",
                "status": 404,
                "traceId": trace_id_for(response.header("x-request-id") or ""),
            }


# -- D15: api-deprecated-versions ------------------------------------------------------------


async def test_D15_every_answer_carries_api_deprecated_versions(world: World) -> None:
    # A fresh installation has released version 2, so version 1 is deprecated.
    answers = [
        (await world.get("/vacancies/vacancy", "1"), 200),
        (await world.get("/vacancies/vacancy", "2"), 200),
        (await world.get("/vacancies/vacancy", "2", {"PageSize": 0}), 400),
        (await world.get("/vacancies/vacancy/abc", "1"), 404),
        (await world.get(f"/vacancies/vacancy/{world.refs['leeds']}", "2"), 200),
        (await world.get("/vacancies/referencedata/courses/routes", "2"), 200),
        (await world.get("/vacancies/accountlegalentities", "2"), 403),
        # The gateway's own answers too: no version, an unknown one.
        (await world.get("/vacancies/vacancy", None), 404),
        (await world.get("/vacancies/vacancy", "7"), 404),
    ]
    for response, status in answers:
        assert response.status == status, response.body
        assert response.header("api-supported-versions") == "1, 2"
        assert response.header("api-deprecated-versions") == "1"


# -- D16: additional data sources ------------------------------------------------------------


async def test_D16_without_the_header_only_this_services_adverts_are_found(world: World) -> None:
    for version, items in (("1", 5), ("2", 4)):  # version 1: two_places twice (D1)
        body = await world.found(version)
        assert world.names(body) == set(OWN)
        assert (body["total"], body["totalFiltered"]) == (items, items)
    # The detail route finds an advert of any source, header or not (as the real one does).
    for name in ("nhs", "csj"):
        detail = await world.get(f"/vacancies/vacancy/{world.refs[name]}")
        assert detail.status == 200
        assert detail.json()["vacancyReference"] == str(world.refs[name])
    closed = await world.get(f"/vacancies/vacancy/{world.refs['closed_nhs']}")
    assert closed.status == 404


@pytest.mark.parametrize(
    ("lines", "added"),
    [
        (["Nhs"], {"nhs"}),
        (["Csj"], {"csj"}),
        (["nhs, CSJ"], {"nhs", "csj"}),
        (["Csj", "Nhs"], {"nhs", "csj"}),
        (["0,1"], {"nhs", "csj"}),
        (['"Nhs"', "Nhs"], {"nhs"}),
        ([""], set()),
        ([" , "], set()),
    ],
)
async def test_D16_the_header_adds_nhs_jobs_and_civil_service_jobs_adverts(
    world: World, lines: list[str], added: set[str]
) -> None:
    for version, own in (("1", 5), ("2", 4)):  # version 1: two_places twice (D1)
        body = await world.found(version, sources=lines)
        assert world.names(body) == set(OWN) | added
        assert body["total"] == body["totalFiltered"] == own + len(added)


@pytest.mark.parametrize("line", ["Raa", "Foo", "2", "Nhs,Foo", "Nhs;Csj"])
async def test_D16_an_unknown_source_is_400_naming_the_header(world: World, line: str) -> None:
    response = await world.get("/vacancies/vacancy", sources=[line], query={"PageSize": 0})
    assert response.status == 400
    body = response.json()
    assert body["title"] == "One or more validation errors occurred."
    bad = [v.strip() for v in line.split(",") if v.strip() not in ("Nhs",)]
    assert body["errors"] == {
        "PageSize": ["PageSize must be between 1 and 1000."],
        "AdditionalDataSources": [
            f"The value '{value}' is not valid for AdditionalDataSources." for value in bad
        ],
    }


async def test_D16_expected_start_date_sorts_leave_the_other_sources_out_but_count_them(
    world: World,
) -> None:
    """As the real service does: with an ExpectedStartDate sort only Raa adverts match,
    while ``total`` still counts every source asked for."""
    for sort in ("ExpectedStartDateAsc", "ExpectedStartDateDesc"):
        body = await world.found(query={"Sort": sort}, sources=["Nhs,Csj"])
        assert world.names(body) == set(OWN)
        assert (body["total"], body["totalFiltered"]) == (6, 4)
    body = await world.found(query={"Sort": "AgeAsc"}, sources=["Nhs,Csj"])
    assert world.names(body) >= {"nhs", "csj"}


async def test_D16_other_sources_adverts_have_the_same_shape_and_no_source_field(
    world: World,
) -> None:
    body = await world.found("2", sources=["Nhs"])
    items = {world.names({"vacancies": [item]}).pop(): item for item in body["vacancies"]}
    nhs, own = items["nhs"], items["leeds"]
    assert set(nhs) == set(own)
    assert not {"dataSource", "vacancySource", "source"} & set(nhs)
    assert nhs["applicationUrl"] == (
        "https://www.jobs.nhs.example/candidate/jobadvert/C9123-26-0001"
    )
    assert nhs["employerName"] == "Northbeck Hospitals NHS Trust"
    assert nhs["course"]["larsCode"] == 103
    assert nhs["vacancyUrl"].endswith(f"/apprenticeship/reference/{world.refs['nhs']}")


async def test_D16_filters_and_distances_apply_to_every_source(world: World) -> None:
    query = {"Lat": LEEDS[0], "Lon": LEEDS[1], "DistanceInMiles": 5, "Sort": "DistanceAsc"}
    body = await world.found("2", query, sources=["Nhs", "Csj"])
    found = world.names(body)
    assert {"leeds", "nhs"} <= found
    assert "csj" not in found  # York, about 20 miles away
    by_provider = await world.found(query={"Ukprn": world.other_provider}, sources=["Csj"])
    assert world.names(by_provider) == {"csj"}


async def test_D16_openapi_documents_the_header(world: World) -> None:
    for version in ("1", "2"):
        document = (
            await call(world.platform, f"/docs/display-advert/v{version}/openapi.json")
        ).json()
        parameters = document["paths"]["/vacancies/vacancy"]["get"]["parameters"]
        (header,) = [p for p in parameters if p["name"] == "AdditionalDataSources"]
        assert header["in"] == "header" and header["required"] is False
        assert header["schema"] == {
            "type": "array",
            "items": {"type": "string", "enum": ["Nhs", "Csj"]},
        }
        assert (header["style"], header["explode"]) == ("simple", False)
        detail = document["paths"]["/vacancies/vacancy/{vacancyReference}"]["get"]
        assert "400" not in detail["responses"] and "404" in detail["responses"]
