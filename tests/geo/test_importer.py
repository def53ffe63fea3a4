"""Loading postcode centroid files, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.geo.importer import (
    BATCH_SIZE,
    ImportFileError,
    ImportReport,
    find_columns,
    import_centroids,
)
from apprenticeships.geo.repository import Centroid
from apprenticeships.storage.engine import unit_of_work
from tests.geo.builders import (
    ONSPD_EXPECTED,
    ONSPD_SAMPLE,
    ONSPD_SKIPPED,
    stored,
    stored_count,
)

Sessions = async_sessionmaker[AsyncSession]


async def run_import(
    sessions: Sessions,
    text: str,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    async with unit_of_work(sessions) as session:
        return await import_centroids(
            session, io.StringIO(text, newline=""), batch_size=batch_size, on_batch=on_batch
        )


async def test_an_onspd_file_loads_and_reports_the_lines_it_skipped(sessions: Sessions) -> None:
    report = await run_import(sessions, ONSPD_SAMPLE)

    assert await stored(sessions, *ONSPD_EXPECTED, "LS9 9AA", "M1 1AE") == ONSPD_EXPECTED
    assert await stored_count(sessions) == len(ONSPD_EXPECTED)
    assert [(s.line, s.reason, s.value) for s in report.listed] == ONSPD_SKIPPED
    assert (report.lines, report.added, report.updated, report.unchanged) == (11, 5, 0, 0)
    assert report.terminated == 1
    assert report.skipped.total() == len(ONSPD_SKIPPED)
    assert report.summary() == (
        "Postcode centroids: 11 lines read; 5 added, 0 updated, 0 unchanged; "
        "1 terminated postcodes left out; 5 lines skipped (1 coordinates not numbers, "
        "1 coordinates outside the UK, 1 no coordinates, 1 not a UK postcode, "
        "1 unknown country)."
    )


async def test_importing_the_same_file_twice_changes_nothing(sessions: Sessions) -> None:
    await run_import(sessions, ONSPD_SAMPLE)
    before = await stored(sessions, *ONSPD_EXPECTED)

    again = await run_import(sessions, ONSPD_SAMPLE)

    assert (again.added, again.updated, again.unchanged) == (0, 0, 5)
    assert again.written == 0
    assert await stored(sessions, *ONSPD_EXPECTED) == before
    assert await stored_count(sessions) == len(ONSPD_EXPECTED)


async def test_a_newer_file_updates_what_moved_and_adds_what_is_new(sessions: Sessions) -> None:
    await run_import(sessions, ONSPD_SAMPLE)

    report = await run_import(
        sessions,
        "pcds,lat,long,ctry\n"
        "LS1 4AP,53.8,-1.5465,E92000001\n"  # moved
        "CF10 1EP,51.481,-3.1788,W92000004\n"  # as before
        "EH1 1YZ,55.9521,-3.1893,E92000001\n"  # country corrected
        "LS2 7HY,53.806,-1.555,E92000001\n",  # new
    )

    assert (report.added, report.updated, report.unchanged) == (1, 2, 1)
    found = await stored(sessions, "LS1 4AP", "EH1 1YZ", "LS2 7HY")
    assert found["LS1 4AP"] == Centroid("LS1 4AP", 53.8, -1.5465, "England")
    assert found["EH1 1YZ"].country == "England"
    assert found["LS2 7HY"] == Centroid("LS2 7HY", 53.806, -1.555, "England")


async def test_batches_stream_the_file_and_repeated_keys_keep_the_last_line(
    sessions: Sessions,
) -> None:
    rows = [f"LS{n} {d}AB,53.{n:02d}{d},-1.5,England" for n in range(1, 11) for d in range(3)]
    text = (
        "postcode,latitude,longitude,country\n" + "\n".join(rows) + "\nLS1 0AB,54.0,-1.6,England\n"
    )
    seen: list[int] = []

    report = await run_import(
        sessions, text, batch_size=7, on_batch=lambda progress: seen.append(progress.lines)
    )

    assert report.added == 30
    assert seen == sorted(seen) and len(seen) >= 30 // 7 and seen[-1] == 31
    assert (await stored(sessions, "LS1 0AB"))["LS1 0AB"].latitude == 54.0
    assert await stored_count(sessions) == 30


async def test_districts_load_from_a_district_file(sessions: Sessions) -> None:
    # The shape of the Doogal "Postcode districts" file the shipped data came from.
    report = await run_import(
        sessions,
        "\ufeffPostcode,Latitude,Longitude,Easting,Country\n"
        "LS1,53.7974,-1.55308,429000,England\n"
        "cf10,51.4737,-3.1773,318000,Wales\n",
    )

    assert report.added == 2
    assert await stored(sessions, "LS1", "CF10") == {
        "LS1": Centroid("LS1", 53.7974, -1.55308, "England"),
        "CF10": Centroid("CF10", 51.4737, -3.1773, "Wales"),
    }


async def test_a_file_without_the_needed_columns_changes_nothing(sessions: Sessions) -> None:
    with pytest.raises(ImportFileError, match=r"no country \(country or ctry or ctry25cd\)"):
        await run_import(sessions, "postcode,latitude,longitude\nLS1 4AP,53.79,-1.54\n")
    with pytest.raises(ImportFileError, match="the file is empty"):
        await run_import(sessions, "")
    assert await stored_count(sessions) == 0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("pcd7,pcd8,pcds,doterm,ctry25cd,lat,long", (2, 5, 6, 4, 3)),  # ONSPD 2025 on
        ("pcd,pcd2,pcds,doterm,ctry,lat,long", (2, 5, 6, 4, 3)),  # older ONSPD and NSPL
        ("Postcode,In Use?,Latitude,Longitude,Country", (0, 2, 3, 4, None)),  # Doogal
        ("id,postcode,latitude,longitude,country", (1, 2, 3, 4, None)),
        ("OUTCODE,LAT,LON,COUNTRY", (0, 1, 2, 3, None)),
        ("postcode district,lat,lng,country code", (0, 1, 2, 3, None)),
        ("pcds,lat,long,ctry26cd", (0, 1, 2, 3, None)),
    ],
)
def test_the_common_header_names_are_recognised(
    header: str, expected: tuple[int, int, int, int, int | None]
) -> None:
    columns = find_columns(header.split(","))
    key, latitude, longitude, country, terminated = expected
    assert (columns.key, columns.latitude, columns.longitude) == (key, latitude, longitude)
    assert (columns.country, columns.terminated) == (country, terminated)


def test_a_missing_column_error_names_every_missing_column_on_one_line() -> None:
    with pytest.raises(ImportFileError) as raised:
        find_columns(["easting", "northing", "pc"])
    message = str(raised.value)
    assert "\n" not in message
    assert "no postcode (pcds or postcode or pcd or outcode)" in message
    assert "no latitude (latitude or lat)" in message
    assert "no longitude" in message and "no country" in message
    assert message.endswith("it is: easting,northing,pc")
