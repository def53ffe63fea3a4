"""Search parameters of ``GET /vacancies/vacancy``, read the way the real API reads them.

Names are matched case-insensitively (``PageNumber`` and ``pageNumber`` alike), arrays
repeat the name, a single-valued parameter given twice takes its first value (as ASP.NET
binds it, compatibility.md D11), unknown names are ignored, and every bad value is
reported at once, under the parameter's documented name, with ASP.NET's wording.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from apprenticeships.vacancies.search import Sort
from apprenticeships.vacancies.vocabulary import DataSource

INT32_MAX = 2**31 - 1
MAX_ROUTES = 2


@dataclass
class SearchParameters:
    """What the caller asked for, before names are turned into ids."""

    page_number: int = 1
    page_size: int = 10
    sort: Sort = Sort.AGE_DESC
    latitude: float | None = None
    longitude: float | None = None
    distance_miles: int | None = None
    posted_in_last_days: int | None = None
    lars_codes: tuple[int, ...] = ()
    routes: tuple[str, ...] = ()
    ukprn: int | None = None
    account_public_hashed_id: str | None = None
    legal_entity_public_hashed_id: str | None = None
    filter_by_subscription: bool = False
    national_only: bool = False
    exclude_national: bool = False
    employer_name: str | None = None
    include_details: bool = False
    # Version 1 lists an advert with several addresses once per address (D1).
    per_location: bool = False
    # From the AdditionalDataSources request header: NHS Jobs, Civil Service Jobs.
    additional_sources: tuple[DataSource, ...] = ()


SCALARS = [
    "PageNumber",
    "PageSize",
    "Sort",
    "Lat",
    "Lon",
    "DistanceInMiles",
    "PostedInLastNumberOfDays",
    "Ukprn",
    "AccountPublicHashedId",
    "AccountLegalEntityPublicHashedId",
    "FilterBySubscription",
]
SCALARS_V1 = [*SCALARS, "NationWideOnly"]
SCALARS_V2 = [*SCALARS, "ExcludeRecruitingNationally", "EmployerName", "IncludeDetails"]
ARRAYS = ("StandardLarsCode", "Routes")
SOURCES_HEADER = "AdditionalDataSources"
# What the header may name: the real API's AdditionalDataSource enum, by name in any case
# or by number (0 and 1), as ASP.NET reads an enum.
ADDITIONAL_SOURCES = (DataSource.NHS, DataSource.CSJ)


@dataclass
class _Reader:
    values: dict[str, list[str]]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def text(self, name: str) -> str | None:
        found = self.values.get(name)
        return found[0] if found else None

    def integer(self, name: str, low: int = -INT32_MAX - 1) -> int | None:
        raw = self.text(name)
        if raw is None:
            return None
        value = _int32(raw)
        if value is None:
            self.error(name, f"The value '{_shown(raw)}' is not valid for {name}.")
            return None
        if value < low:
            self.error(name, f"{name} must be {low} or more.")
            return None
        return value

    def decimal(self, name: str, bound: float) -> float | None:
        raw = self.text(name)
        if raw is None:
            return None
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.error(name, f"The value '{_shown(raw)}' is not valid for {name}.")
            return None
        if not -bound <= value <= bound:
            self.error(name, f"{name} must be between {-bound:g} and {bound:g}.")
            return None
        return float(value)

    def boolean(self, name: str) -> bool:
        raw = self.text(name)
        if raw is None:
            return False
        lowered = raw.strip().lower()
        if lowered not in ("true", "false"):
            self.error(name, f"The value '{_shown(raw)}' is not valid for {name}.")
            return False
        return lowered == "true"


def _int32(raw: str) -> int | None:
    text = raw.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > 10:
        return None
    value = int(text)
    return value if -INT32_MAX - 1 <= value <= INT32_MAX else None


def _shown(raw: str) -> str:
    """A value quoted back in an error: printable and short."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in raw[:40])
    return cleaned + ("..." if len(raw) > 40 else "")


def parse(
    items: Iterable[tuple[str, str]], version: int
) -> tuple[SearchParameters, dict[str, list[str]]]:
    """The parameters, and the errors keyed by parameter name (empty when all is well)."""
    known = {
        name.lower(): name for name in (*(SCALARS_V1 if version == 1 else SCALARS_V2), *ARRAYS)
    }
    values: dict[str, list[str]] = {}
    for key, value in items:
        name = known.get(key.lower())
        if name is not None:
            values.setdefault(name, []).append(value)
    read = _Reader(values)
    params = SearchParameters()

    page_number = read.integer("PageNumber")
    params.page_number = max(1, page_number) if page_number is not None else 1
    page_size = read.integer("PageSize")
    if page_size is not None:
        if 1 <= page_size <= 1000:
            params.page_size = page_size
        else:
            read.error("PageSize", "PageSize must be between 1 and 1000.")
    sort = read.text("Sort")
    if sort is not None:
        match = _sort(sort)
        if match is None:
            read.error("Sort", f"The value '{_shown(sort)}' is not valid for Sort.")
        else:
            params.sort = match
    params.latitude = read.decimal("Lat", 90)
    params.longitude = read.decimal("Lon", 180)
    if params.latitude is None or params.longitude is None:
        # A point needs both; one alone is ignored, as the real service ignores it (D12).
        params.latitude = params.longitude = None
    distance = read.integer("DistanceInMiles", low=0)
    # Without a point there is nothing to measure from: ignored too (D12).
    params.distance_miles = distance if params.latitude is not None else None
    params.posted_in_last_days = read.integer("PostedInLastNumberOfDays", low=0)
    codes = []
    for raw in values.get("StandardLarsCode", []):
        code = _int32(raw)
        if code is None:
            read.error(
                "StandardLarsCode", f"The value '{_shown(raw)}' is not valid for StandardLarsCode."
            )
        else:
            codes.append(code)
    params.lars_codes = tuple(codes)
    routes = tuple(r.strip() for r in values.get("Routes", []) if r.strip())
    if len(routes) > MAX_ROUTES:
        read.error("Routes", "Exceeded maximum of 2 routes to be filtered by")
    params.routes = routes
    params.ukprn = read.integer("Ukprn")
    params.account_public_hashed_id = _clean(read.text("AccountPublicHashedId"))
    params.legal_entity_public_hashed_id = _clean(read.text("AccountLegalEntityPublicHashedId"))
    params.filter_by_subscription = read.boolean("FilterBySubscription")
    if version == 1:
        params.national_only = read.boolean("NationWideOnly")
    else:
        params.exclude_national = read.boolean("ExcludeRecruitingNationally")
        params.employer_name = _clean(read.text("EmployerName"))
        # Pages of more than 100 come in the summary shape, without an error (D6).
        params.include_details = read.boolean("IncludeDetails") and params.page_size <= 100
    params.per_location = version == 1
    return params, read.errors


def additional_sources(
    lines: Iterable[str],
) -> tuple[tuple[DataSource, ...], dict[str, list[str]]]:
    """The ``AdditionalDataSources`` header read as ASP.NET reads a list header: each
    line split at commas, blanks and surrounding quotes dropped, and each value an
    additional source by name in any case (``Nhs``, ``csj``) or by number (0, 1). Unknown
    values are errors under the header's name."""
    found: list[DataSource] = []
    errors: dict[str, list[str]] = {}
    for line in lines:
        for part in line.split(","):
            value = part.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1].strip()
            if not value:
                continue
            source = _additional_source(value)
            if source is None:
                errors.setdefault(SOURCES_HEADER, []).append(
                    f"The value '{_shown(value)}' is not valid for {SOURCES_HEADER}."
                )
            elif source not in found:
                found.append(source)
    return tuple(found), errors


def _additional_source(value: str) -> DataSource | None:
    number = _int32(value)
    if number is not None:
        return ADDITIONAL_SOURCES[number] if 0 <= number < len(ADDITIONAL_SOURCES) else None
    lowered = value.lower()
    return next((s for s in ADDITIONAL_SOURCES if s.value.lower() == lowered), None)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def total_pages(total_filtered: int, page_size: int) -> int:
    return math.ceil(total_filtered / page_size) if total_filtered else 0


# The real VacancySort enum's numbering: ASP.NET binds an enum from its name in any case
# or from its number.
SORT_NUMBERS: tuple[Sort, ...] = (
    Sort.AGE_DESC,
    Sort.AGE_ASC,
    Sort.DISTANCE_DESC,
    Sort.DISTANCE_ASC,
    Sort.START_DESC,
    Sort.START_ASC,
)


def _sort(raw: str) -> Sort | None:
    text = raw.strip()
    if text.isascii() and text.isdigit() and int(text) < len(SORT_NUMBERS):
        return SORT_NUMBERS[int(text)]
    return next((s for s in Sort if s.value.lower() == text.lower()), None)
