"""`apprenticeships geo import` as an operator runs it, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from apprenticeships.geo.service import Geocoder, Located
from apprenticeships.storage.engine import create_engine, session_factory
from tests.geo.builders import ONSPD_EXPECTED, ONSPD_SAMPLE, ONSPD_SKIPPED, write_csv
from tests.support.cli import Run, cli_runner


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> Run:
    return cli_runner(monkeypatch, tmp_path, database_url)


async def locate(database_url: str, *postcodes: str) -> dict[str, Located | None]:
    engine = create_engine(database_url)
    try:
        return await (await Geocoder.load(session_factory(engine))).locate_many(postcodes)
    finally:
        await engine.dispose()


def test_import_lists_skipped_lines_and_a_second_run_changes_nothing(
    cli: Run, tmp_path: Path, database_url: str
) -> None:
    file = write_csv(tmp_path, ONSPD_SAMPLE)

    first = cli("geo", "import", str(file))

    assert first.stdout == ""
    lines = first.stderr.splitlines()
    assert lines[:-1] == [
        f"skipped line {line}: {reason}: {value!r}" for line, reason, value in ONSPD_SKIPPED
    ]
    assert lines[-1].startswith(
        "Postcode centroids: 11 lines read; 5 added, 0 updated, 0 unchanged; "
        "1 terminated postcodes left out; 5 lines skipped ("
    )
    found = asyncio.run(locate(database_url, *ONSPD_EXPECTED, "LS1 4AB"))
    for key, centroid in ONSPD_EXPECTED.items():
        assert found[key] == Located(
            centroid.latitude, centroid.longitude, centroid.country, "postcode"
        )
    # Another postcode in the district still gets the district centre.
    assert found["LS1 4AB"] is not None and found["LS1 4AB"].precision == "district"

    second = cli("geo", "import", str(file))

    assert "0 added, 0 updated, 5 unchanged" in second.stderr
    assert asyncio.run(locate(database_url, *ONSPD_EXPECTED, "LS1 4AB")) == found


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("postcode,lat,long\nLS1 4AP,53.79,-1.54\n", "the file's header has no country"),
        ("", "the file is empty"),
        # An unclosed quote runs on into a field longer than any CSV reader accepts.
        ('pcds,lat,long,ctry\n"LS1 4AP,53.79\n' + "x" * 200_000, "line 2 is not valid CSV"),
    ],
)
def test_a_file_that_cannot_be_imported_is_a_one_line_error(
    cli: Run, tmp_path: Path, content: str, message: str
) -> None:
    file = write_csv(tmp_path, content)

    assert message in cli("geo", "import", str(file), ok=False).stderr


def test_a_missing_file_is_a_one_line_error(cli: Run, tmp_path: Path) -> None:
    assert "no such file" in cli("geo", "import", str(tmp_path / "nope.csv"), ok=False).stderr


def test_geo_commands_explain_themselves(cli: Run) -> None:
    assert "import" in cli("geo", "--help").stdout
    words = " ".join(cli("geo", "import", "--help").stdout.replace("│", " ").split())
    assert "the ONS Postcode Directory, the NSPL, or a plain file" in words
