"""`apprenticeships vacancies import FILE`: adverts from NHS Jobs, Civil Service Jobs (and
this service's own, migrated in) as JSON lines. Every bad line reported by number, nothing
half-loaded, a second import updates and adds nothing; imported adverts are live, found
by the Display advert API only when the AdditionalDataSources header asks for their
source. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from apprenticeships.geo.service import Geocoder, shipped_districts
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import (
    CacheEvent,
    LegalEntity,
    Organisation,
    Vacancy,
)
from apprenticeships.vacancies.importer import (
    AdvertImportError,
    AdvertImportReport,
    import_adverts,
)
from tests import builders
from tests.conftest import PlatformFactory
from tests.support.asgi import call
from tests.support.cli import Run, cli_runner

SAMPLE = Path(__file__).parents[2] / "examples" / "adverts-nhs.jsonl"
TRUST = "Northbeck Hospitals NHS Trust"
TODAY = datetime.now(UTC).date()


def advert(**changes: Any) -> dict[str, Any]:
    """A valid NHS Jobs advert; a change of ``...`` leaves the field out."""
    item: dict[str, Any] = {
        "dataSource": "Nhs",
        "sourceReference": "C9123-26-0001",
        "title": "Apprentice Healthcare Support Worker",
        "description": "Care for patients on our wards while you train.",
        "fullDescription": "<p>You'll help nurses care for patients.</p>",
        "numberOfPositions": 2,
        "postedDate": "2026-11-30T09:00:00Z",
        "closingDate": (TODAY + timedelta(days=20)).isoformat(),
        "startDate": (TODAY + timedelta(days=60)).isoformat(),
        "wage": {
            "wageType": "Custom",
            "wageAmount": 24937,
            "wageAdditionalInformation": "Agenda for Change Band 2.",
            "workingWeekDescription": "37.5 hours a week on a rota.",
        },
        "hoursPerWeek": 37.5,
        "expectedDuration": "15 months",
        "employerName": TRUST,
        "addresses": [{"addressLine1": "Leeds General Infirmary", "postcode": "ls1 3ex"}],
        "course": {"larsCode": 103},
        "ukprn": 10000002,
        "applicationUrl": "https://www.jobs.nhs.example/candidate/jobadvert/C9123-26-0001",
    }
    item.update(changes)
    return {k: v for k, v in item.items() if v is not ...}


def lines(*items: dict[str, Any] | bytes) -> list[bytes]:
    return [i if isinstance(i, bytes) else json.dumps(i).encode() for i in items]


async def load(
    sessions: async_sessionmaker[AsyncSession],
    items: Iterable[bytes],
    *,
    skip_invalid: bool = False,
    now: datetime | None = None,
) -> AdvertImportReport:
    geocoder = Geocoder(shipped_districts())
    async with unit_of_work(sessions) as session:
        return await import_adverts(
            session, items, geocoder, now or builders.now(), skip_invalid=skip_invalid
        )


async def stored(sessions: async_sessionmaker[AsyncSession]) -> list[Vacancy]:
    async with sessions() as session:
        return list(
            await session.scalars(
                select(Vacancy).options(selectinload(Vacancy.addresses)).order_by(Vacancy.id)
            )
        )


async def vacancy_events(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        query = select(func.count()).where(CacheEvent.kind == "vacancies")
        return int(await session.scalar(query) or 0)


@pytest.fixture
async def parties(sessions: async_sessionmaker[AsyncSession]) -> str:
    """The trust (an employer account with one legal entity of its name) and the
    provider; the trust's legal entity's hashed id."""
    trust = await builders.create_employer(sessions, TRUST)
    await builders.create_provider(sessions, "10000002", "Riverstone Training Ltd")
    return await builders.create_legal_entity(sessions, trust, TRUST)


async def test_a_good_file_loads_live_adverts_and_loading_it_again_adds_nothing(
    sessions: async_sessionmaker[AsyncSession], parties: str
) -> None:
    items = lines(
        advert(),
        b"   ",
        advert(
            dataSource="csj",
            sourceReference="1900001",
            employerName="Department for Skills and Enterprise",
            providerName="Pennard Vale Skills Academy",
            ukprn="10000003",
            isNationalVacancy=True,
            isNationalVacancyDetails="<p>Anywhere in England.</p>",
            addresses=...,
            course={"larsCode": 196},
            wage={"wageType": "NationalMinimum", "workingWeekDescription": "Monday to Friday."},
            expectedDuration="2 years",
            fullDescription=...,
            postedDate=...,
            closingDate=f"{TODAY + timedelta(days=10)}T23:59:59Z",
        ),
        # The same feed id in another source is another advert.
        advert(dataSource="Raa", applicationUrl=..., addresses=[_at_york()]),
    )
    now = builders.now()
    report = await load(sessions, items, now=now)
    assert (report.added, report.updated, report.unchanged, report.bad) == (3, 0, 0, [])
    assert report.employers_added[0].startswith("Department for Skills and Enterprise (")
    assert report.providers_added == ["10000003 Pennard Vale Skills Academy"]
    assert await vacancy_events(sessions) == 1

    nhs, csj, raa = await stored(sessions)
    assert (nhs.data_source, nhs.source_reference, nhs.status) == ("Nhs", "C9123-26-0001", "Live")
    assert (nhs.environment, nhs.reviewed_by, nhs.reviewed_at) == ("live", "import:Nhs", now)
    assert nhs.posted_at == datetime(2026, 11, 30, 9, tzinfo=UTC)
    assert (nhs.short_description, nhs.description) == (
        "Care for patients on our wards while you train.",
        "<p>You'll help nurses care for patients.</p>",
    )
    assert (nhs.wage_type, nhs.wage_amount, nhs.wage_unit) == ("Custom", Decimal(24937), "Annually")
    assert (nhs.hours_per_week, nhs.duration, nhs.duration_unit) == (Decimal("37.5"), 15, "Month")
    assert nhs.application_method == "ThroughExternalApplicationSite"
    # Placed by its postcode's district, as the Recruitment API places adverts.
    (address,) = nhs.addresses
    leeds = shipped_districts()["LS1"]
    assert (address.line1, address.postcode) == ("Leeds General Infirmary", "LS1 3EX")
    assert (address.latitude, address.longitude) == (leeds.latitude, leeds.longitude)
    # The trust's own legal entity, found by its name.
    async with sessions() as session:
        entity = await session.scalar(
            select(LegalEntity).where(LegalEntity.id == nhs.legal_entity_id)
        )
    assert entity is not None and entity.public_hashed_id == parties

    assert (csj.data_source, csj.is_national, csj.addresses) == ("Csj", True, [])
    assert (csj.wage_type, csj.wage_amount, csj.wage_unit) == (
        "NationalMinimum",
        None,
        "Unspecified",
    )
    assert (csj.duration, csj.duration_unit, csj.posted_at) == (2, "Year", now)
    assert csj.closing_date == TODAY + timedelta(days=10)
    assert csj.description == csj.short_description  # no fullDescription: the summary
    assert raa.data_source == "Raa" and raa.application_method == "ThroughFindAnApprenticeship"
    assert [(a.latitude, a.longitude) for a in raa.addresses] == [(53.959, -1.0815)]
    assert len({nhs.reference, csj.reference, raa.reference}) == 3

    later = now + timedelta(minutes=5)
    again = await load(sessions, items, now=later)
    assert (again.added, again.updated, again.unchanged, again.employers_added) == (0, 0, 3, [])
    assert await vacancy_events(sessions) == 1  # nothing changed, nothing to refresh
    assert [v.updated_at for v in await stored(sessions)] == [now, now, now]


async def test_a_changed_advert_is_updated_in_place_and_the_indexes_are_told(
    sessions: async_sessionmaker[AsyncSession], parties: str
) -> None:
    now = builders.now()
    await load(sessions, lines(advert(addresses=[_at_york(), _at_york("Second site")])), now=now)
    (before,) = await stored(sessions)
    later = now + timedelta(hours=1)
    changed = advert(title="Healthcare Support Worker Apprentice", addresses=[_at_york("Moved")])
    report = await load(sessions, lines(changed), now=later)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 0)
    (after,) = await stored(sessions)
    assert (after.id, after.reference) == (before.id, before.reference)
    assert (after.title, after.updated_at, after.posted_at) == (
        "Healthcare Support Worker Apprentice",
        later,
        before.posted_at,
    )
    assert [a.line1 for a in after.addresses] == ["Moved"]
    assert await vacancy_events(sessions) == 2


async def test_an_advert_the_platform_closed_stays_closed_when_imported_again(
    sessions: async_sessionmaker[AsyncSession], parties: str
) -> None:
    await load(sessions, lines(advert()))
    async with unit_of_work(sessions) as session:
        vacancy = await session.scalar(select(Vacancy))
        assert vacancy is not None
        vacancy.status = "Closed"
    report = await load(sessions, lines(advert(numberOfPositions=3)))
    assert report.updated == 1
    (after,) = await stored(sessions)
    assert (after.status, after.number_of_positions) == ("Closed", 3)


async def test_a_file_with_bad_lines_loads_nothing_and_names_every_bad_line(
    sessions: async_sessionmaker[AsyncSession], parties: str
) -> None:
    items = lines(
        advert(),
        b"{not json",
        b"[1]",
        advert(sourceReference="2", dataSource="Indeed", title="x" * 101, numberOfPositions=0),
        advert(sourceReference="3", wage={"wageType": "Custom"}, hoursPerWeek=60),
        advert(sourceReference="4", closingDate="31/01/2027", expectedDuration="a while"),
        advert(sourceReference="5", description="<div>Hi</div>", applicationUrl="javascript:x"),
        advert(sourceReference="6", addresses=[{"addressLine1": "A", "postcode": "LS1"}]),
        advert(
            sourceReference="7", addresses=[{"addressLine1": "Cardiff", "postcode": "CF10 1AA"}]
        ),
        advert(sourceReference="8", addresses=[], isNationalVacancy=False),
        advert(sourceReference="9", course={"larsCode": 999999}, ukprn=10009999),
        advert(sourceReference="10", accountLegalEntityPublicHashedId="ZZZZZZ"),
        advert(sourceReference="11", applicationUrl=...),
        advert(),
        advert(
            sourceReference="12",
            addresses=[{"addressLine1": "A", "postcode": "LS1 3EX", "latitude": 0, "longitude": 0}],
        ),
        advert(sourceReference="13", startDate=(TODAY + timedelta(days=5)).isoformat()),
    )
    with pytest.raises(AdvertImportError) as raised:
        await load(sessions, items)
    assert [(bad.line, bad.reason) for bad in raised.value.bad] == [
        (2, "not JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
        (3, "not a JSON object"),
        (
            4,
            "dataSource must be one of Raa, Nhs, Csj; title must be at most 100 characters; "
            "numberOfPositions must be a whole number from 1 to 1000",
        ),
        (
            5,
            "wage.wageAmount must be an amount above 0 for a Custom wage; "
            "wage.workingWeekDescription is required; hoursPerWeek must be a number of hours above 0, at most 48",
        ),
        (
            6,
            "closingDate must be a date (yyyy-MM-dd); "
            'expectedDuration must be like "18 months" or "2 years"',
        ),
        (
            7,
            "description must only contain the following HTML tags: p, br, ul, li. "
            "Tag <div> is not allowed.; "
            "applicationUrl must be a web address starting http:// or https://",
        ),
        (8, "addresses[0].postcode must be a UK postcode"),
        (9, "addresses[0].postcode CF10 1AA is not in England"),
        (10, "addresses must list 1 to 10 addresses, unless isNationalVacancy is true"),
        (
            11,
            "no training provider with UKPRN 10009999: give providerName to add it; "
            "course.larsCode 999999 is not a standard open for new starts",
        ),
        (12, "no legal entity ZZZZZZ"),
        (
            13,
            "applicationUrl is required: NHS Jobs and Civil Service Jobs adverts are applied "
            "for on their own sites",
        ),
        (14, "the same advert as line 1"),
        (
            15,
            "addresses[0].latitude and longitude must both be given, a place in the United Kingdom",
        ),
        (16, "startDate must not be before closingDate"),
    ]
    assert str(raised.value) == (
        "15 of the file's lines are not valid, so nothing was loaded "
        "(fix them, or load the rest with --skip-invalid)"
    )
    assert await stored(sessions) == []
    assert await vacancy_events(sessions) == 0

    report = await load(sessions, items, skip_invalid=True)
    assert (report.added, len(report.bad)) == (1, 15)
    assert [v.source_reference for v in await stored(sessions)] == ["C9123-26-0001"]
    assert report.summary() == "Adverts: 1 added, 0 updated, 0 unchanged; 15 bad lines skipped."


async def test_employers_are_found_by_hashed_id_or_name_and_added_when_missing(
    sessions: async_sessionmaker[AsyncSession], parties: str
) -> None:
    other = await builders.create_employer(sessions, "Another Trust Group")
    named_twice = await builders.create_legal_entity(sessions, other, TRUST)
    items = lines(
        advert(sourceReference="1", accountLegalEntityPublicHashedId=named_twice.lower()),
        advert(sourceReference="2"),
        advert(sourceReference="3", employerName="Severnmoor Hospitals NHS Trust"),
        advert(sourceReference="4", employerName="severnmoor hospitals nhs trust"),
    )
    with pytest.raises(AdvertImportError) as raised:
        await load(sessions, items)
    assert [str(bad) for bad in raised.value.bad] == [
        f"line 2: 2 legal entities are named '{TRUST}': give accountLegalEntityPublicHashedId"
    ]
    report = await load(sessions, items, skip_invalid=True)
    assert report.added == 3
    (added,) = report.employers_added
    assert added.startswith("Severnmoor Hospitals NHS Trust (")
    first, third, fourth = await stored(sessions)
    async with sessions() as session:
        entities = {e.id: e.public_hashed_id for e in await session.scalars(select(LegalEntity))}
        severnmoor = await session.scalar(
            select(Organisation).where(Organisation.name == "Severnmoor Hospitals NHS Trust")
        )
    assert entities[first.legal_entity_id] == named_twice
    # One account for the employer, however the file spells its name.
    assert severnmoor is not None and third.employer_id == fourth.employer_id == severnmoor.id
    assert third.legal_entity_id == fourth.legal_entity_id
    assert fourth.employer_name == "severnmoor hospitals nhs trust"  # shown as the feed names it


def _at_york(line1: str = "York Hospital") -> dict[str, Any]:
    # Coordinates given are used as they are (the feed knows its sites).
    return {"addressLine1": line1, "postcode": "YO31 8HE", "latitude": 53.959, "longitude": -1.0815}


# -- through the CLI and the Display advert API ---------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_url: str) -> Run:
    return cli_runner(monkeypatch, tmp_path, sqlite_url)


def test_the_cli_imports_the_sample_file_and_again_changes_nothing(cli: Run) -> None:
    first = cli("vacancies", "import", str(SAMPLE))
    assert first.stdout == ""
    assert first.stderr.startswith("Adverts: 3 added, 0 updated, 0 unchanged; employer accounts ")
    assert first.stderr.endswith(
        "; training providers added: 10000002 Riverstone Training Ltd, "
        "10000003 Pennard Vale Skills Academy.\n"
    )
    second = cli("vacancies", "import", str(SAMPLE))
    assert second.stderr == "Adverts: 0 added, 0 updated, 3 unchanged.\n"


def test_the_cli_reports_bad_lines_and_loads_nothing_unless_told(cli: Run, tmp_path: Path) -> None:
    file = tmp_path / "adverts.jsonl"
    sample = SAMPLE.read_bytes().splitlines()
    file.write_bytes(b"\n".join([sample[0], b'{"dataSource": "Nhs"}', sample[2]]))
    failed = cli("vacancies", "import", str(file), ok=False)
    assert failed.stdout.startswith(f"{file}: line 2: sourceReference is required; title is ")
    assert failed.stderr == (
        "error: 1 of the file's lines are not valid, so nothing was loaded "
        "(fix them, or load the rest with --skip-invalid)\n"
    )
    loaded = cli("vacancies", "import", str(file), "--skip-invalid")
    assert loaded.stdout.startswith(f"{file}: line 2: sourceReference is required")
    assert "Adverts: 2 added, 0 updated, 0 unchanged;" in loaded.stderr
    assert loaded.stderr.endswith("; 1 bad lines skipped.\n")
    missing = cli("vacancies", "import", str(tmp_path / "missing.jsonl"), ok=False)
    assert missing.stderr == f"error: no such file: {tmp_path / 'missing.jsonl'}\n"


def _current(sample: Path, target: Path) -> Path:
    """The sample with its dates moved on so its adverts are open today (a sample file's
    dates are fixed; the test must not expire with them)."""
    items = [json.loads(raw) for raw in sample.read_bytes().splitlines()]
    shift = TODAY - min(date.fromisoformat(i["postedDate"][:10]) for i in items)
    for item in items:
        for name in ("closingDate", "startDate"):
            item[name] = (date.fromisoformat(item[name]) + shift).isoformat()
    target.write_text("".join(json.dumps(item) + "\n" for item in items))
    return target


async def test_imported_adverts_are_found_only_when_the_header_asks_for_their_source(
    cli: Run, tmp_path: Path, platform_factory: PlatformFactory
) -> None:
    file = _current(SAMPLE, tmp_path / "adverts.jsonl")
    async with platform_factory(rate_limit="1000000/300") as platform:
        key = await builders.developer_key(platform)

        async def search(*sources: str) -> dict[str, Any]:
            headers = [(b"ocp-apim-subscription-key", key.encode()), (b"x-version", b"2")]
            headers += [(b"additionaldatasources", s.encode()) for s in sources]
            response = await call(
                platform, "/vacancies/vacancy", headers, query=b"PageSize=50&Sort=AgeDesc"
            )
            assert response.status == 200, response.body
            body: dict[str, Any] = response.json()
            return body

        assert (await search("Nhs, Csj"))["total"] == 0
        # An operator imports while the server runs; the change event reaches its index.
        await asyncio.to_thread(cli, "vacancies", "import", str(file))
        assert await platform.poller.poll_once() >= 1
        await platform.vacancy_indexes.refresh()

        without = await search()
        assert (without["total"], without["vacancies"]) == (0, [])
        nhs = await search("Nhs")
        assert [v["title"] for v in nhs["vacancies"]] == [  # oldest first (D3)
            "Apprentice Healthcare Support Worker",
            "Pharmacy Services Assistant Apprentice - Band 2",
        ]
        both = await search("Nhs", "Csj")
        assert both["total"] == both["totalFiltered"] == 3
        first = both["vacancies"][1]
        assert first["title"] == "Apprentice Healthcare Support Worker"
        assert first["employerName"] == "Northbeck Teaching Hospitals NHS Foundation Trust"
        assert first["applicationUrl"] == (
            "https://www.jobs.nhs.example/candidate/jobadvert/C9412-26-0117"
        )
        assert first["addresses"] == [
            {
                "addressLine1": "Leeds General Infirmary",
                "addressLine2": "Great George Street",
                "addressLine3": "Leeds",
                "postcode": "LS1 3EX",
                "latitude": 53.8017,
                "longitude": -1.5522,
            }
        ]
        assert first["wage"]["wageAmount"] == 24937
        assert (first["providerName"], first["ukprn"]) == ("Riverstone Training Ltd", 10000002)
        assert first["course"]["larsCode"] == 103
        csj = both["vacancies"][0]
        assert (csj["title"], csj["expectedDuration"]) == (
            "Business Administrator Apprentice (Administrative Officer)",
            "18 months",
        )

        # The detail finds an imported advert by its reference, header or not.
        reference = first["vacancyReference"]
        headers = [(b"ocp-apim-subscription-key", key.encode()), (b"x-version", b"2")]
        detail = await call(platform, f"/vacancies/vacancy/{reference}", headers)
        assert detail.status == 200
        assert detail.json()["fullDescription"].startswith("<p>You'll help nurses care")
