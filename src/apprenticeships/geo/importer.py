"""Load postcode centroids from an official open postcode file (``geo import``).

Any CSV whose header names a postcode, latitude, longitude and country column will do;
the names of the ONS Postcode Directory (ONSPD) and National Statistics Postcode Lookup
(NSPL) are recognised, older (``pcd``, ``ctry``) and newer (``pcd7``, ``ctry25cd``) alike,
as are plain ones (``postcode``, ``latitude``, ``longitude``, ``country``). A value in the
postcode column may be a full postcode or a district ("LS1"). Countries are names or ONS
country codes (``E92000001`` and so on).

The file is read as a stream and written in batches, so a full ONSPD (about 2.7 million
lines, 1.8 million of them live postcodes) loads in bounded memory. Lines that cannot be
used are skipped and reported with their line numbers; postcodes the file marks as
terminated (``doterm``) are left out and counted. A file without the needed columns
changes nothing. Importing the same file again writes nothing.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.errors import OperationError
from apprenticeships.geo.postcodes import normalise, normalise_outcode
from apprenticeships.geo.repository import Centroid, GeoRepository

BATCH_SIZE = 1_000
# Skipped lines listed one by one; beyond this only counted (a full ONSPD has tens of
# thousands of postcodes without a location).
MAX_LISTED = 50

# Header names, most specific first; matched after lower-casing and turning spaces and
# dashes into underscores.
KEY_COLUMNS = (
    "pcds",
    "postcode",
    "pcd",
    "pcd2",
    "pcd7",
    "pcd8",
    "outcode",
    "postcode_district",
    "outward_code",
)
LATITUDE_COLUMNS = ("latitude", "lat")
LONGITUDE_COLUMNS = ("longitude", "long", "lon", "lng")
COUNTRY_COLUMNS = ("country", "ctry", "country_code")
# ONSPD and NSPL name their geography columns after the year of the boundaries: ctry25cd.
_COUNTRY_WITH_YEAR = re.compile(r"ctry\d\dcd")
TERMINATED_COLUMNS = ("doterm",)

COUNTRIES = {
    "E92000001": "England",
    "W92000004": "Wales",
    "S92000003": "Scotland",
    "N92000002": "Northern Ireland",
    "L93000001": "Channel Islands",
    "M83000003": "Isle of Man",
}
_COUNTRY_BY_VALUE = {code.casefold(): name for code, name in COUNTRIES.items()} | {
    name.casefold(): name for name in COUNTRIES.values()
}

# The UK and the Crown dependencies with a margin: Jersey's south coast is at 49.17°N,
# Shetland's north at 60.86°N, Fermanagh's west at 8.18°W and Lowestoft at 1.76°E.
MIN_LATITUDE, MAX_LATITUDE = 49.0, 61.0
MIN_LONGITUDE, MAX_LONGITUDE = -9.0, 2.0
# ONSPD and NSPL give postcodes without a grid reference a latitude of 99.999999.
_NO_LOCATION_LATITUDE = 99.0

INVALID_POSTCODE = "not a UK postcode"
NO_COORDINATES = "no coordinates"
BAD_COORDINATES = "coordinates not numbers"
OUTSIDE_UK = "coordinates outside the UK"
UNKNOWN_COUNTRY = "unknown country"


class ImportFileError(OperationError):
    pass


@dataclass(frozen=True, slots=True)
class SkippedLine:
    line: int
    reason: str
    value: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}: {self.value!r}"


@dataclass
class ImportReport:
    lines: int = 0  # data lines read, blank ones aside
    written: int = 0  # rows inserted or changed
    added: int = 0
    terminated: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    listed: list[SkippedLine] = field(default_factory=list)

    @property
    def updated(self) -> int:
        return self.written - self.added

    @property
    def unchanged(self) -> int:
        # Lines whose values were stored already (a line repeating an earlier key counts too).
        return self.lines - self.written - self.terminated - self.skipped.total()

    def skip(self, line: int, reason: str, value: str) -> None:
        self.skipped[reason] += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append(SkippedLine(line, reason, value[:40]))

    def summary(self) -> str:
        text = (
            f"Postcode centroids: {self.lines:,} lines read; {self.added:,} added, "
            f"{self.updated:,} updated, {self.unchanged:,} unchanged"
        )
        if self.terminated:
            text += f"; {self.terminated:,} terminated postcodes left out"
        if self.skipped:
            reasons = ", ".join(f"{n:,} {why}" for why, n in sorted(self.skipped.items()))
            text += f"; {self.skipped.total():,} lines skipped ({reasons})"
        return text + "."


@dataclass(frozen=True, slots=True)
class Columns:
    key: int
    latitude: int
    longitude: int
    country: int
    terminated: int | None


def find_columns(header: Sequence[str]) -> Columns:
    """Where the needed columns are; ``ImportFileError`` names what is missing."""
    names = [
        re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").strip().lower()) for name in header
    ]

    def find(candidates: Sequence[str], pattern: re.Pattern[str] | None = None) -> int | None:
        for candidate in candidates:
            if candidate in names:
                return names.index(candidate)
        if pattern is not None:
            return next((i for i, name in enumerate(names) if pattern.fullmatch(name)), None)
        return None

    key = find(KEY_COLUMNS)
    latitude = find(LATITUDE_COLUMNS)
    longitude = find(LONGITUDE_COLUMNS)
    country = find(COUNTRY_COLUMNS, _COUNTRY_WITH_YEAR)
    missing = [
        f"{what} ({' or '.join(candidates)})"
        for what, found, candidates in (
            ("postcode", key, KEY_COLUMNS[:3] + ("outcode",)),
            ("latitude", latitude, LATITUDE_COLUMNS),
            ("longitude", longitude, LONGITUDE_COLUMNS),
            ("country", country, ("country", "ctry", "ctry25cd")),
        )
        if found is None
    ]
    if missing or key is None or latitude is None or longitude is None or country is None:
        shown = ",".join(header)
        shown = shown if len(shown) <= 120 else shown[:117] + "..."
        raise ImportFileError(
            f"the file's header has no {', no '.join(missing)} column; it is: {shown}"
        )
    return Columns(key, latitude, longitude, country, find(TERMINATED_COLUMNS))


def _cell(row: Sequence[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def parse_line(row: Sequence[str], columns: Columns) -> Centroid | tuple[str, str]:
    """The centroid a line gives, or why it gives none and the value at fault."""
    raw_key = _cell(row, columns.key)
    key = normalise(raw_key) or normalise_outcode(raw_key)
    if key is None:
        return INVALID_POSTCODE, raw_key
    raw_latitude, raw_longitude = _cell(row, columns.latitude), _cell(row, columns.longitude)
    coordinates = f"{raw_latitude},{raw_longitude}"
    if not raw_latitude or not raw_longitude:
        return NO_COORDINATES, f"{key} {coordinates}"
    try:
        latitude, longitude = float(raw_latitude), float(raw_longitude)
    except ValueError:
        return BAD_COORDINATES, f"{key} {coordinates}"
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return BAD_COORDINATES, f"{key} {coordinates}"
    if latitude >= _NO_LOCATION_LATITUDE:
        return NO_COORDINATES, f"{key} {coordinates}"
    if not (
        MIN_LATITUDE <= latitude <= MAX_LATITUDE and MIN_LONGITUDE <= longitude <= MAX_LONGITUDE
    ):
        return OUTSIDE_UK, f"{key} {coordinates}"
    raw_country = _cell(row, columns.country)
    country = _COUNTRY_BY_VALUE.get(raw_country.casefold())
    if country is None:
        return UNKNOWN_COUNTRY, f"{key} {raw_country}"
    return Centroid(key, latitude, longitude, country)


async def import_centroids(
    session: AsyncSession,
    lines: Iterable[str],
    *,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Upsert the centroids in a CSV (given as lines of text) and say what happened.

    Within the caller's transaction: nothing is committed here, so a failure part-way
    leaves the table as it was.
    """
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise ImportFileError(f"the header is not valid CSV: {error}") from None
    if header is None:
        raise ImportFileError("the file is empty")
    columns = find_columns(header)
    repository = GeoRepository(session)
    before = await repository.count()
    report = ImportReport()
    batch: dict[str, Centroid] = {}
    while True:
        starts_at = reader.line_num + 1
        try:
            row = next(reader, None)
        except csv.Error as error:
            raise ImportFileError(f"line {starts_at} is not valid CSV: {error}") from None
        if row is None:
            break
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        report.lines += 1
        if columns.terminated is not None and _cell(row, columns.terminated):
            report.terminated += 1
            continue
        parsed = parse_line(row, columns)
        if not isinstance(parsed, Centroid):
            report.skip(starts_at, *parsed)
            continue
        batch[parsed.key] = parsed  # a key repeated in the file: the last line wins
        if len(batch) >= batch_size:
            report.written += await repository.upsert(list(batch.values()))
            batch.clear()
            if on_batch is not None:
                on_batch(report)
    report.written += await repository.upsert(list(batch.values()))
    report.added = await repository.count() - before
    if on_batch is not None:
        on_batch(report)
    return report
