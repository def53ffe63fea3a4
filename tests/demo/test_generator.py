"""The advert generator on its own: reproducible, and spread the way the demo promises."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from apprenticeships.accounts.service import HASHED_ID_ALPHABET
from apprenticeships.demo.generator import (
    AdvertGenerator,
    AdvertParty,
    Course,
    courses_for,
    default_sandbox_count,
    job_title,
    towns,
)
from apprenticeships.demo.organisations import EMPLOYERS, PROVIDERS
from apprenticeships.referencedata.service import ACTIVE_STATUS, shipped_standards
from apprenticeships.vacancies.vocabulary import DataSource

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
SAMPLE = 20_000


def _generator(now: datetime = NOW) -> AdvertGenerator:
    courses = [
        Course(s.lars_code, s.title, s.level, s.route)
        for s in shipped_standards()
        if s.status == ACTIVE_STATUS
    ]
    parties = [
        AdvertParty(
            employer, index, entity, index * 10 + position, (1, 2), courses_for(employer, courses)
        )
        for index, employer in enumerate(EMPLOYERS, start=1)
        for position, entity in enumerate(employer.legal_entities)
    ]
    return AdvertGenerator(now, parties, {1: "Northmere College", 2: "Riverstone Training Ltd"})


@pytest.fixture(scope="module")
def sample() -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    generator = _generator()
    return [generator.advert(vacancy_id, "live") for vacancy_id in range(1, SAMPLE + 1)]


def test_an_advert_depends_only_on_its_id_and_the_time() -> None:
    first, second = _generator(), _generator()
    ids = (1, 7, 5000)
    in_order = [first.advert(i, "live") for i in ids]
    # Generated in another order by another generator: the same adverts.
    assert in_order == [second.advert(i, "live") for i in reversed(ids)][::-1]
    assert first.advert(1, "live") != first.advert(2, "live")


def test_shares_of_national_multi_site_and_anonymous_adverts_are_as_promised(
    sample: list[tuple[dict[str, Any], list[dict[str, Any]]]],
) -> None:
    national = sum(row["is_national"] for row, _ in sample) / SAMPLE
    several = sum(len(places) > 1 for _, places in sample) / SAMPLE
    anonymous = sum(row["employer_name_option"] == "Anonymous" for row, _ in sample) / SAMPLE
    assert 0.02 < national < 0.04
    assert 0.04 < several < 0.06
    assert 0.04 < anonymous < 0.06
    assert {row["wage_type"] for row, _ in sample} == {
        "ApprenticeshipMinimum",
        "NationalMinimum",
        "Custom",
        "CompetitiveSalary",
    }
    assert len({row["lars_code"] for row, _ in sample}) > 100


def test_the_largest_cities_get_the_most_adverts(
    sample: list[tuple[dict[str, Any], list[dict[str, Any]]]],
) -> None:
    by_town = Counter(place["line3"] for _, places in sample for place in places)
    largest = [town.name for town in towns()[:3]]
    busiest = [name for name, _ in by_town.most_common(5)]
    assert busiest[:2] == largest[:2]  # London, then Birmingham
    assert set(largest) <= set(busiest)
    assert len(by_town) > 250  # and smaller towns still appear


def test_titles_name_the_standard_as_a_job() -> None:
    assert job_title("Software developer") == "Software Developer"
    assert job_title("Supply chain practitioner (fast-moving consumer goods (FMCG))") == (
        "Supply Chain Practitioner"
    )
    assert job_title("Large goods vehicle (LGV) driver C + E") == (
        "Large Goods Vehicle (LGV) Driver C + E"
    )
    assert job_title("Library, information and archive services assistant") == (
        "Library, Information and Archive Services Assistant"
    )


def test_the_sandbox_set_is_smaller_but_not_empty() -> None:
    assert default_sandbox_count(5000) == 250
    assert default_sandbox_count(200) == 50
    assert default_sandbox_count(20) == 20
    assert default_sandbox_count(0) == 0


def test_the_cast_has_fixed_valid_ids_and_covers_every_employer_course() -> None:
    hashed_ids = [e.account_id for e in EMPLOYERS] + [
        entity.hashed_id for e in EMPLOYERS for entity in e.legal_entities
    ]
    assert len(set(hashed_ids)) == len(hashed_ids)
    assert all(len(i) == 6 and set(i) <= set(HASHED_ID_ALPHABET) for i in hashed_ids)
    assert [p.ukprn for p in PROVIDERS] == [f"1000000{n}" for n in range(1, len(PROVIDERS) + 1)]
    shipped = {s.lars_code: s for s in shipped_standards()}
    for employer in EMPLOYERS:
        assert set(employer.extra_lars) | set(employer.excluded_lars) <= set(shipped)
        offered = [
            s
            for s in shipped.values()
            if s.route in employer.routes or s.lars_code in employer.extra_lars
        ]
        assert offered, employer.name


def test_nhs_jobs_and_civil_service_jobs_adverts_come_from_their_own_employers(
    sample: list[tuple[dict[str, Any], list[dict[str, Any]]]],
) -> None:
    """D16: a realistic share of adverts come from NHS Jobs and Civil Service Jobs, placed
    by NHS trusts and government departments in their towns, for their courses."""
    shares = Counter(row["data_source"] for row, _ in sample)
    assert 0.03 < shares[DataSource.NHS] / SAMPLE < 0.05
    assert 0.005 < shares[DataSource.CSJ] / SAMPLE < 0.015
    employers = dict(enumerate(EMPLOYERS, start=1))
    for row, places in sample:
        employer = employers[row["employer_id"]]
        assert row["data_source"] == employer.source
        if employer.source is DataSource.RAA:
            continue
        assert row["employer_name"].endswith(("NHS Trust", "NHS Foundation Trust")) == (
            employer.source is DataSource.NHS
        )
        assert row["lars_code"] in employer.extra_lars
        assert places and {place["line3"] for place in places} <= set(employer.towns)
        assert row["application_method"] == "ThroughExternalApplicationSite"
        assert row["wage_type"] == "Custom" and row["wage_amount"] >= 24_000
        assert not row["is_national"] and row["employer_name_option"] == "RegisteredName"


def test_this_services_own_adverts_do_not_depend_on_the_other_sources() -> None:
    """The data source is drawn on its own, so adverts of this service's own are the
    same as a generator without NHS trusts and departments makes."""
    everyone = _generator()
    own = AdvertGenerator(
        NOW, everyone.parties.parties, {1: "Northmere College", 2: "Riverstone Training Ltd"}
    )
    compared = 0
    for vacancy_id in range(1, 400):
        row, places = everyone.advert(vacancy_id, "live")
        if row["data_source"] is DataSource.RAA:
            assert (row, places) == own.advert(vacancy_id, "live")
            compared += 1
        else:
            assert own.advert(vacancy_id, "live")[0]["data_source"] is DataSource.RAA
    assert 350 < compared < 399


def test_the_other_sources_employers_name_real_towns_and_providers() -> None:
    known_towns = {town.name for town in towns()}
    ukprns = {provider.ukprn for provider in PROVIDERS}
    others = [e for e in EMPLOYERS if e.source is not DataSource.RAA]
    assert {e.source for e in others} == {DataSource.NHS, DataSource.CSJ}
    for employer in others:
        assert employer.towns and set(employer.towns) <= known_towns, employer.name
        assert employer.providers and set(employer.providers) <= ukprns, employer.name
        assert employer.extra_lars and not employer.routes
