"""`apprenticeships import FILE`: records from JSON lines, every bad line reported by number,
nothing half-loaded; and KSBs from the IfATE standards JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.progress.importer import ImportFileError, import_apprenticeships
from apprenticeships.referencedata.importer import import_ifate_standards
from apprenticeships.referencedata.ksbs import from_ifate, shipped_ksbs
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import Apprenticeship, Ksb, Standard
from tests import builders
from tests.support.cli import Run, cli_runner


def line(**changes: Any) -> bytes:
    record = {
        "uln": 1234567890,
        "plannedStartDate": "2026-01",
        "ukprn": 10000001,
        "employerAccountId": EMPLOYER,
        "larsCode": 174,
        "option": None,
        "deliveryModel": "PortableFlexiJob",
        "status": "Live",
        "startDate": "2026-01-12",
        "stopDate": None,
    }
    record.update(changes)
    return json.dumps({k: v for k, v in record.items() if v is not ...}).encode()


EMPLOYER = "EMPLOYERID"  # replaced per test with the real hashed id


async def _organisations(sessions: async_sessionmaker[AsyncSession]) -> str:
    employer = await builders.create_employer(sessions, "Acme Engineering")
    await builders.create_provider(sessions, "10000001", "Northfield College")
    return employer


async def _count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Apprenticeship)) or 0)


async def test_a_good_file_loads_and_loading_it_again_adds_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    employer = await _organisations(sessions)
    lines = [
        line(employerAccountId=employer),
        line(employerAccountId=employer, uln=1234567891, larsCode=239, option="Site Carpenter"),
        b"",
        line(employerAccountId=employer, uln="1234567892", status="Stopped", stopDate="2026-01-12"),
    ]
    async with unit_of_work(sessions) as session:
        report = await import_apprenticeships(session, lines, builders.now())
    assert (report.added, report.updated, report.unchanged, report.bad) == (3, 0, 0, [])
    async with unit_of_work(sessions) as session:
        again = await import_apprenticeships(
            session,
            [*lines[:3], line(employerAccountId=employer, uln=1234567892, status="Completed")],
            builders.now(),
        )
    assert (again.added, again.updated, again.unchanged) == (0, 1, 2)
    async with sessions() as session:
        records = list(await session.scalars(select(Apprenticeship).order_by(Apprenticeship.uln)))
    assert [(r.uln, r.lars_code, r.option, r.status) for r in records] == [
        (1234567890, 174, None, "Live"),
        (1234567891, 239, "Site Carpenter", "Live"),
        (1234567892, 174, None, "Completed"),
    ]
    assert records[0].start_date.isoformat() == "2026-01-12"


async def test_a_file_with_bad_lines_loads_nothing_and_names_every_bad_line(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    employer = await _organisations(sessions)
    lines = [
        line(employerAccountId=employer),
        b"{not json",
        line(employerAccountId=employer, uln=12345),
        line(employerAccountId=employer, uln=1234567891, ukprn=10009999),
        line(employerAccountId="NOBODY", uln=1234567892),
        line(employerAccountId=employer, uln=1234567893, larsCode=999999),
        line(employerAccountId=employer, uln=1234567894, larsCode=239, option="Roofer"),
        line(employerAccountId=employer, uln=1234567895, deliveryModel="Flexible"),
        line(employerAccountId=employer, uln=1234567896, plannedStartDate="2026-01-15"),
        line(employerAccountId=employer, uln=1234567897, startDate="2026-02-01"),
        line(employerAccountId=employer, uln=1234567898, stopDate="2025-12-31"),
        line(employerAccountId=employer),
        b"[1, 2]",
        line(employerAccountId=employer, uln=1234567899),
        b"[" * 100_000 + b"]" * 100_000,
    ]
    async with unit_of_work(sessions) as session:
        with pytest.raises(ImportFileError) as raised:
            await import_apprenticeships(session, lines, builders.now())
    assert [(bad.line, bad.reason) for bad in raised.value.bad] == [
        (2, "not JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
        (3, "uln must be a 10-digit unique learner number"),
        (4, "no training provider with UKPRN 10009999"),
        (5, "no employer account NOBODY"),
        (6, "no standard with LARS code 999999"),
        (
            7,
            "'Roofer' is not an option of LARS code 239 (options: Site Carpenter, Architectural Joiner)",
        ),
        (8, "deliveryModel must be one of Regular, PortableFlexiJob, FlexiJobAgency"),
        (9, "plannedStartDate must be yyyy-MM (or yyyy-MM-01)"),
        (10, "startDate must be a date (yyyy-MM-dd) in the planned start month"),
        (11, "stopDate must be a date (yyyy-MM-dd) on or after the start date"),
        (12, "the same record as line 1"),
        (13, "not a JSON object"),
        (15, "not JSON: nested too deeply"),
    ]
    assert "13 of the file's lines are not valid, so nothing was loaded" in str(raised.value)
    assert await _count(sessions) == 0

    async with unit_of_work(sessions) as session:
        report = await import_apprenticeships(session, lines, builders.now(), skip_invalid=True)
    assert (report.added, len(report.bad)) == (2, 13)
    assert await _count(sessions) == 2


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_url: str) -> Run:
    return cli_runner(monkeypatch, tmp_path, sqlite_url)


def test_the_cli_reports_bad_lines_and_loads_nothing_unless_told(cli: Run, tmp_path: Path) -> None:
    cli("demo", "seed", "--vacancies", "0")
    records = tmp_path / "records.jsonl"
    records.write_bytes(
        b"\n".join(
            [
                line(employerAccountId="MJ7YVK", uln=1999999991),
                line(employerAccountId="MJ7YVK", uln=1999999992, status="Sleeping"),
                line(employerAccountId="MJ7YVK", uln=1999999993),
            ]
        )
    )
    failed = cli("import", str(records), ok=False)
    assert failed.stdout == (
        f"{records}: line 2: status must be one of WaitingToStart, Live, Paused, Stopped, Completed\n"
    )
    assert failed.stderr == (
        "error: 1 of the file's lines are not valid, so nothing was loaded "
        "(fix them, or load the rest with --skip-invalid)\n"
    )
    loaded = cli("apprenticeships", "import", str(records), "--skip-invalid")
    assert "line 2: status must be one of" in loaded.stdout
    assert loaded.stderr == (
        "Apprenticeship records: 2 added, 0 updated, 0 unchanged; 1 bad lines skipped.\n"
    )
    assert cli("import", str(tmp_path / "missing.jsonl"), ok=False).stderr.startswith(
        "error: no such file"
    )


def test_from_ifate_reads_codes_core_and_options_from_duties() -> None:
    k = ["a0000000-0000-0000-0000-00000000000" + str(n) for n in range(1, 4)]
    s = ["b0000000-0000-0000-0000-00000000000" + str(n) for n in range(1, 3)]
    b = ["c0000000-0000-0000-0000-000000000001"]
    option_a, option_b = (
        "d0000000-0000-0000-0000-00000000000a",
        "d0000000-0000-0000-0000-00000000000b",
    )
    entry = {
        "coreAndOptions": True,
        "options": [
            {"optionId": option_a, "title": "Option A"},
            {"optionId": option_b, "title": " Option  B"},
        ],
        "knowledges": [{"knowledgeId": i, "detail": f"Knows {n}"} for n, i in enumerate(k, 1)],
        "skills": [{"skillId": i, "detail": f"Can {n}"} for n, i in enumerate(s, 1)],
        "behaviours": [{"behaviourId": b[0], "detail": " Cares "}],
        "duties": [
            {
                "isThisACoreDuty": 1,
                "mappedKnowledge": [k[0]],
                "mappedSkills": [],
                "mappedBehaviour": b,
                "mappedOptions": [],
            },
            {
                "isThisACoreDuty": 0,
                "mappedKnowledge": [k[1]],
                "mappedSkills": [s[0]],
                "mappedBehaviour": [],
                "mappedOptions": [option_a],
            },
            {
                "isThisACoreDuty": 0,
                "mappedKnowledge": [k[1], k[2]],
                "mappedSkills": [s[1]],
                "mappedBehaviour": [],
                "mappedOptions": [option_b.upper()],
            },
        ],
    }
    parsed = from_ifate(entry)
    assert parsed is not None
    assert parsed.options == ("Option A", "Option B")
    assert [(x.code, x.kind, x.options, x.description) for x in parsed.ksbs] == [
        ("K1", "Knowledge", ("core",), "Knows 1"),
        ("K2", "Knowledge", ("Option A", "Option B"), "Knows 2"),
        ("K3", "Knowledge", ("Option B",), "Knows 3"),
        ("S1", "Skill", ("Option A",), "Can 1"),
        ("S2", "Skill", ("Option B",), "Can 2"),
        ("B1", "Behaviour", ("core",), "Cares"),
    ]
    flat = from_ifate({**entry, "coreAndOptions": False})
    assert flat is not None and flat.options == ()
    assert {x.options for x in flat.ksbs} == {("core",)}
    assert from_ifate({"larsCode": 1, "knowledges": []}) is None


async def test_the_ifate_import_replaces_a_standards_ksbs_but_keeps_ones_with_progress(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    fixture = (
        Path(__file__).parent.parent / "referencedata" / "fixtures" / "ifate_standards_sample.json"
    )
    content = fixture.read_bytes()
    async with unit_of_work(sessions) as session:
        report = await import_ifate_standards(session, content, builders.now())
    assert report.ksbs.added > 0
    async with sessions() as session:
        admin = list(await session.scalars(select(Ksb).where(Ksb.lars_code == 196)))
    assert sorted(k.code for k in admin) == ["B1", "B2", "K1", "K2", "S1", "S2"]
    assert all(k.options == ["core"] for k in admin)

    items = json.loads(content)
    for item in items:
        if item.get("larsCode") == 196:
            item["skills"] = item["skills"][:1]
    async with unit_of_work(sessions) as session:
        again = await import_ifate_standards(session, json.dumps(items).encode(), builders.now())
    assert again.ksbs.retired == 1
    async with sessions() as session:
        codes = sorted(await session.scalars(select(Ksb.code).where(Ksb.lars_code == 196)))
    assert codes == ["B1", "B2", "K1", "K2", "S1"]


async def test_shipped_ksbs_are_installed_with_every_database(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    shipped = shipped_ksbs()
    assert set(shipped) >= {174, 239, 119}
    async with sessions() as session:
        carpentry = await session.get(Standard, 239)
        assert carpentry is not None
        assert carpentry.options == list(shipped[239].options)
        count = await session.scalar(
            select(func.count()).select_from(Ksb).where(Ksb.lars_code == 239)
        )
    assert count == len(shipped[239].ksbs) == 75
