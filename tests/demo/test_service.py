"""`demo seed` through the service, on SQLite and PostgreSQL: what it makes, that it makes
it once, and that the manifest tells the truth about it."""

from __future__ import annotations

import csv
import json
import math
import re
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from apprenticeships.accounts.service import AccountService, OwnerRef
from apprenticeships.app import Platform
from apprenticeships.catalog.products import Environment, OwnerKind
from apprenticeships.demo.generator import CANDIDATE_SKILLS
from apprenticeships.demo.organisations import EMPLOYERS
from apprenticeships.demo.service import DemoError, seed
from apprenticeships.referencedata.wages import rates_on
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import (
    LegalEntity,
    Organisation,
    ProviderCourse,
    ProviderPermission,
    Standard,
    Vacancy,
)
from apprenticeships.vacancies.search import SearchQuery
from apprenticeships.vacancies.vocabulary import DataSource

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
TODAY = NOW.date()
HASHED_ID = re.compile(r"^[46789BCDFGHJKLMNPRSTVWXY]{6}$")
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?) [0-9][ABDEFGHJLNPQRSTUWXYZ]{2}$")
APPRENTICE_WORD = re.compile(r"\bapprentice(ship)?\b", re.IGNORECASE)


def _towns() -> dict[str, dict[str, Any]]:
    text = resources.files("apprenticeships.demo").joinpath("data/towns.json").read_text("utf-8")
    return {town["name"]: town for town in json.loads(text)}


def _english_outcodes() -> set[str]:
    text = resources.files("apprenticeships.geo").joinpath("data/outcodes.csv").read_text("utf-8")
    return {
        row["outcode"] for row in csv.DictReader(text.splitlines()) if row["country"] == "England"
    }


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    north = (lat2 - lat1) * 111.32
    east = (lon2 - lon1) * 111.32 * math.cos(math.radians(lat1))
    return math.hypot(north, east)


async def _seed(sessions: async_sessionmaker[AsyncSession], **options: Any) -> dict[str, Any]:
    async with unit_of_work(sessions) as session:
        return await seed(session, options.pop("now", NOW), **options)


async def _counts(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session:
        rows = (
            await session.execute(
                select(Vacancy.environment, func.count()).group_by(Vacancy.environment)
            )
        ).all()
        counts = {environment: int(count) for environment, count in rows}
        for model in (Organisation, LegalEntity, ProviderPermission, ProviderCourse):
            counts[model.__tablename__] = int(
                await session.scalar(select(func.count()).select_from(model)) or 0
            )
    return counts


async def test_seeding_twice_adds_nothing_and_a_bigger_number_tops_up(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first = await _seed(sessions, vacancies=200)
    counts = await _counts(sessions)
    assert counts["live"] == 200
    assert counts["sandbox"] == 50
    assert counts["organisations"] >= 6 + 4 + 1

    assert await _seed(sessions, vacancies=200) == first
    assert await _counts(sessions) == counts

    topped_up = await _seed(sessions, vacancies=300)
    assert await _counts(sessions) == {**counts, "live": 300}
    assert topped_up["vacancies"]["live"] == 300
    # The first adverts are kept, so their references stay the first ones listed.
    assert topped_up["vacancies"]["references"] == first["vacancies"]["references"]


async def test_each_provider_delivers_the_courses_it_advertises(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessions, vacancies=300)
    async with sessions() as session:
        delivered = set(
            (
                await session.execute(select(ProviderCourse.provider_id, ProviderCourse.lars_code))
            ).all()
        )
        advertised = set(
            (await session.execute(select(Vacancy.provider_id, Vacancy.lars_code).distinct())).all()
        )
        providers = set(
            await session.scalars(select(Organisation.id).where(Organisation.kind == "provider"))
        )
    assert advertised <= delivered
    assert {provider for provider, _ in delivered} == providers


async def test_adverts_that_closed_are_replaced_by_new_live_ones(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessions, vacancies=100, sandbox_vacancies=0)
    later = NOW + timedelta(days=61)  # every demo advert closes within 60 days

    manifest = await _seed(sessions, vacancies=100, sandbox_vacancies=0, now=later)

    assert manifest["vacancies"]["live"] == 100
    async with sessions() as session:
        closing = list(await session.scalars(select(Vacancy.closing_date)))
    assert len(closing) == 200
    assert sum(day >= later.date() for day in closing) == 100


async def test_every_advert_is_believable_and_consistent(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessions, vacancies=200)
    towns = _towns()
    outcodes = _english_outcodes()
    async with sessions() as session:
        adverts = list(
            await session.scalars(
                select(Vacancy).options(selectinload(Vacancy.addresses)).order_by(Vacancy.id)
            )
        )
        active = set(await session.scalars(select(Standard.lars_code).where(Standard.is_active)))
        owner_of = dict(
            (await session.execute(select(LegalEntity.id, LegalEntity.organisation_id))).all()
        )
        account_of = dict(
            (await session.execute(select(Organisation.id, Organisation.public_id))).all()
        )
        permitted: dict[int, set[int]] = {}
        for provider_id, legal_entity_id in (
            await session.execute(
                select(ProviderPermission.provider_id, ProviderPermission.legal_entity_id)
            )
        ).all():
            permitted.setdefault(legal_entity_id, set()).add(provider_id)

    employers = {employer.account_id: employer for employer in EMPLOYERS}
    assert len(adverts) == 250
    assert len({advert.reference for advert in adverts}) == 250
    assert {advert.data_source for advert in adverts} == set(DataSource)
    for advert in adverts:
        assert advert.status == "Live"
        assert advert.lars_code in active
        assert advert.posted_at is not None
        assert NOW - timedelta(days=60) <= advert.posted_at < NOW
        assert TODAY < advert.closing_date <= TODAY + timedelta(days=60)
        assert 14 <= (advert.start_date - advert.closing_date).days <= 84
        assert APPRENTICE_WORD.search(advert.title) and len(advert.title) <= 100
        assert 50 <= len(advert.short_description) <= 350
        assert advert.description.startswith("<p>")
        assert 30 <= advert.hours_per_week <= 40
        assert 12 <= advert.duration <= 48 and advert.duration_unit == "Month"
        assert advert.number_of_positions >= 1
        employer = employers[account_of[advert.employer_id]]
        # NHS trusts and departments advertise on NHS Jobs and Civil Service Jobs only,
        # in their own towns, and people apply there (compatibility.md D16).
        assert advert.data_source == employer.source
        if advert.data_source == DataSource.RAA:
            assert advert.application_method == "ThroughFindAnApprenticeship"
            assert advert.application_url is None
        else:
            assert advert.application_method == "ThroughExternalApplicationSite"
            site = "jobs.nhs" if advert.data_source == DataSource.NHS else "civilservicejobs"
            assert (advert.application_url or "").startswith(f"https://www.{site}.example/")
            assert {a.line3 for a in advert.addresses} <= set(employer.towns)
            assert advert.wage_type == "Custom" and not advert.is_national
        assert owner_of[advert.legal_entity_id] == advert.employer_id
        if advert.legal_entity_id in permitted:
            assert advert.provider_id in permitted[advert.legal_entity_id]

        if advert.wage_type == "Custom":
            assert advert.wage_unit == "Annually"
            assert advert.wage_amount is not None
            floor = rates_on(advert.start_date).apprentice_hourly * advert.hours_per_week * 52
            assert advert.wage_amount >= floor
        else:
            assert advert.wage_type in (
                "ApprenticeshipMinimum",
                "NationalMinimum",
                "CompetitiveSalary",
            )
            assert advert.wage_amount is None and advert.wage_unit == "Unspecified"

        assert 3 <= len(advert.skills) <= 6
        assert len(set(advert.skills)) == len(advert.skills)
        assert set(advert.skills) <= set(CANDIDATE_SKILLS)
        for qualification in advert.qualifications:
            assert set(qualification) == {"qualificationType", "subject", "grade", "weighting"}
            assert qualification["weighting"] in ("Essential", "Desired")

        if advert.employer_name_option == "Anonymous":
            assert advert.anonymous_reason
            assert advert.employer_website_url is None
            assert advert.employer_contact_name is None
            assert advert.employer_contact_email is None
            assert advert.employer_contact_phone is None
        else:
            assert advert.employer_name_option in ("RegisteredName", "TradingName")
            assert advert.anonymous_reason is None

        if advert.is_national:
            assert advert.addresses == [] and advert.national_details
            continue
        assert advert.national_details is None
        assert 1 <= len(advert.addresses) <= 3
        assert [address.position for address in advert.addresses] == list(
            range(len(advert.addresses))
        )
        assert len({address.line3 for address in advert.addresses}) == len(advert.addresses)
        for address in advert.addresses:
            town = towns[str(address.line3)]
            match = POSTCODE.match(address.postcode)
            assert match is not None, address.postcode
            assert match.group(1) in town["outcodes"] and match.group(1) in outcodes
            assert re.match(r"^\d+ \S|^Unit \d+, ", address.line1)
            distance = _km(town["latitude"], town["longitude"], address.latitude, address.longitude)
            assert distance <= 3.05, (address.line3, distance)


async def test_manifest_lists_what_the_demo_made_by_the_spec_rules(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    manifest = await _seed(sessions, vacancies=200)

    assert set(manifest) == {"employers", "providers", "developers", "vacancies", "apprenticeships"}
    assert len(manifest["employers"]) >= 6
    legal_entities = set()
    for employer in manifest["employers"]:
        assert set(employer) == {"accountId", "name", "legalEntities"}
        assert HASHED_ID.match(employer["accountId"])
        assert 1 <= len(employer["legalEntities"]) <= 3
        for entity in employer["legalEntities"]:
            assert set(entity) == {"publicHashedId", "name"}
            assert HASHED_ID.match(entity["publicHashedId"])
            legal_entities.add(entity["publicHashedId"])

    assert len(manifest["providers"]) >= 4
    kinds = set()
    for provider in manifest["providers"]:
        assert set(provider) == {"ukprn", "name", "permissions"}
        assert isinstance(provider["ukprn"], int)
        assert re.fullmatch(r"1\d{7}", str(provider["ukprn"]))
        granted = {p["legalEntityPublicHashedId"] for p in provider["permissions"]}
        assert granted <= legal_entities
        assert granted != legal_entities, "no provider may recruit for every legal entity"
        kinds |= {p["permission"] for p in provider["permissions"]}
    assert kinds == {"Recruitment", "RecruitmentRequiresReview"}

    assert manifest["developers"] == [{"email": "dev@example.com"}]
    records = manifest["apprenticeships"]
    assert len(records) >= 5
    for record in records:
        assert set(record) == {
            "uln", "plannedStartDate", "ukprn", "larsCode", "option", "deliveryModel",
            "status", "case", "ksbIds",
        }  # fmt: skip
        assert re.fullmatch(r"\d{10}", str(record["uln"]))
        assert re.fullmatch(r"\d{4}-\d{2}", record["plannedStartDate"])
        assert record["ksbIds"], record
    assert {r["deliveryModel"] for r in records} >= {"PortableFlexiJob", "Regular"}
    assert "WaitingToStart" in {r["status"] for r in records}
    assert any(r["option"] not in ("core", None) for r in records)
    ulns = [(r["uln"], r["plannedStartDate"]) for r in records]
    assert any(ulns.count(u) == 2 for u in ulns), "one apprentice with two records"
    references = manifest["vacancies"]["references"]
    assert manifest["vacancies"]["live"] == 200
    assert len(references) == 20 and all(r.isdigit() for r in references)

    async with sessions() as session:
        live = set(
            await session.scalars(select(Vacancy.reference).where(Vacancy.environment == "live"))
        )
        stored = {
            (ukprn, hashed_id, permission)
            for ukprn, hashed_id, permission in (
                await session.execute(
                    select(
                        Organisation.public_id,
                        LegalEntity.public_hashed_id,
                        ProviderPermission.permission,
                    )
                    .join(Organisation, Organisation.id == ProviderPermission.provider_id)
                    .join(LegalEntity, LegalEntity.id == ProviderPermission.legal_entity_id)
                )
            ).all()
        }
        developer = await session.scalar(
            select(Organisation).where(Organisation.email == "dev@example.com")
        )
    assert {int(r) for r in references} <= live
    assert [int(r) for r in references] == sorted(live)[:20]
    assert stored == {
        (str(provider["ukprn"]), p["legalEntityPublicHashedId"], p["permission"])
        for provider in manifest["providers"]
        for p in provider["permissions"]
    }
    assert developer is not None and developer.kind == OwnerKind.DEVELOPER


async def test_a_demo_legal_entity_id_taken_by_another_employer_is_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        accounts = AccountService(session)
        other = await accounts.add_employer("Someone Else Ltd", NOW, "CCCCCC")
        await accounts.add_legal_entity(
            OwnerRef(OwnerKind.EMPLOYER, other.public_id), "Someone Else Ltd", NOW, "VK7MXB"
        )

    with pytest.raises(DemoError, match="VK7MXB belongs to another employer"):
        await _seed(sessions, vacancies=10)
    assert (await _counts(sessions)).get("live", 0) == 0


async def test_negative_numbers_of_adverts_are_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    with pytest.raises(DemoError, match="cannot be negative"):
        await _seed(sessions, vacancies=-1)


async def test_adverts_seeded_into_a_running_platform_reach_its_search_index(
    platform: Platform,
) -> None:
    index = platform.vacancy_indexes
    assert (
        index.get(Environment.LIVE).search(SearchQuery(page_size=1), datetime.now(UTC)).total == 0
    )
    made = await _seed(platform.sessions, vacancies=6, now=datetime.now(UTC))
    # What the platform does on the adverts' change event: the delta, not a rebuild.
    await index.refresh()
    found = index.get(Environment.LIVE).search(SearchQuery(page_size=1), datetime.now(UTC))
    assert found.total == made["vacancies"]["live"] == 6
