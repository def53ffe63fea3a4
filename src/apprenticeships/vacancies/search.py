"""The in-memory search index behind ``GET /vacancies/vacancy``.

Each process keeps the search fields of every live advert in NumPy arrays, built from the
database and rebuilt when adverts change (a cache event) or a day ends. A search picks
its candidates from the most selective structure it can use, filters them with vectorised
comparisons, counts them, and sorts only what the requested page needs:

- a LARS code, provider, employer or legal entity filter starts from a per-value list;
- a distance filter starts from a grid of address points (cells of 0.1° latitude by
  0.15° longitude, about 11 km by 10 km in England), so only nearby points are measured,
  plus the adverts with no location (national ones), which match any distance;
- otherwise every live advert is a candidate.

What a search lists is an item. In version 2 an item is an advert, and its distance is to
the nearest of its addresses. In version 1 (``SearchQuery.per_location``) an advert with
several addresses is one item per address, each with its own distance, filtered and sorted
on its own (compatibility.md D1); an advert with no address is one item either way.

Distances are great-circle miles. Points are kept as unit vectors, so a distance test is a
few multiplications (the straight-line chord grows with the great-circle distance); the
arc is computed only for the page. An anonymous employer's addresses are indexed at the
approximate location the advert publishes, never the exact one (D9): the caller of
``ColumnBuilder.add_points`` passes them so.

Sorting uses ranks precomputed per sort order. Ties break as the real service breaks them
(D14): title, course title, employer name, provider name, UKPRN, reference, all ascending
(strings by code point, as Azure AI Search sorts them by default), then, in version 1, an
advert's address order; so paging is stable. Only references come out; the page's adverts
are then read from the database by reference.

Each advert's data source (this service, NHS Jobs, Civil Service Jobs) is a column too:
a search for some sources only swaps the day's mask of live adverts for one that also
leaves the other sources out, worked out once per day and set of sources.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from apprenticeships.vacancies.vocabulary import DataSource

EARTH_RADIUS_MILES = 3958.7613
CELL_LAT = 0.1
CELL_LON = 0.15

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
# Each data source's number in the index's source column.
SOURCE_CODES = {source: code for code, source in enumerate(DataSource)}

_NO_COURSE = ("", 0)
_NO_PROVIDER = ("", "")


class Sort(StrEnum):
    # The age of an advert grows as it gets older: AgeDesc lists the oldest first, as the
    # real service does (compatibility.md D3).
    AGE_DESC = "AgeDesc"
    AGE_ASC = "AgeAsc"
    DISTANCE_ASC = "DistanceAsc"
    DISTANCE_DESC = "DistanceDesc"
    START_ASC = "ExpectedStartDateAsc"
    START_DESC = "ExpectedStartDateDesc"


DISTANCE_SORTS = (Sort.DISTANCE_ASC, Sort.DISTANCE_DESC)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    page_number: int = 1
    page_size: int = 10
    # A distance sort without a point orders by the tie-breakers alone.
    sort: Sort = Sort.AGE_DESC
    latitude: float | None = None
    longitude: float | None = None
    # Only with a point. Adverts with no location (national) match any distance (D4).
    distance_miles: int | None = None
    posted_since: datetime | None = None
    lars_codes: tuple[int, ...] = ()
    route_ids: tuple[int, ...] = ()
    provider_id: int | None = None
    employer_id: int | None = None
    legal_entity_id: int | None = None
    national_only: bool = False
    exclude_national: bool = False
    # The whole employer name as the advert shows it, ignoring case and surrounding spaces.
    employer_name: str | None = None
    # Version 1: one item per address of an advert (compatibility.md D1).
    per_location: bool = False
    # Only adverts from these sources match or count in ``total`` (compatibility.md D16).
    sources: frozenset[DataSource] = frozenset({DataSource.RAA})


@dataclass(frozen=True, slots=True)
class SearchResult:
    references: list[int]
    # Miles to the item's location (version 1) or the advert's nearest address (version
    # 2), for each item, when a point was given; None for an item with no location.
    distances: list[float | None]
    total: int
    total_filtered: int
    # Version 1: the position among the advert's addresses of each item's location; None
    # for an advert with no address, and always in version 2.
    positions: list[int | None]


class IndexRow(NamedTuple):
    """One live advert as the index needs it (see VacancyRepository.live_for_index)."""

    id: int
    reference: int
    posted_at: datetime
    start_date: date
    closing_date: date
    lars_code: int
    route_id: int
    provider_id: int
    employer_id: int
    legal_entity_id: int
    is_national: bool
    employer_name: str
    title: str
    data_source: str = DataSource.RAA


def unit_vectors(
    latitudes: FloatArray, longitudes: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    lat, lon = np.radians(latitudes), np.radians(longitudes)
    return np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)


def _chord_squared(miles: float) -> float:
    """The squared straight-line distance (unit sphere) for a great-circle distance."""
    angle = min(miles / EARTH_RADIUS_MILES, math.pi)
    return (2 * math.sin(angle / 2)) ** 2


def _miles(chord_squared: FloatArray) -> FloatArray:
    """Great-circle miles for squared chords; inf (no address) stays inf."""
    finite = np.isfinite(chord_squared)
    arcs = 2 * np.arcsin(np.minimum(np.sqrt(np.where(finite, chord_squared, 0.0)) / 2, 1.0))
    return np.where(finite, EARTH_RADIUS_MILES * arcs, np.inf)


def _cell_key(cell_lat: IntArray | int, cell_lon: IntArray | int) -> IntArray | int:
    return (cell_lat + 2000) * 100_000 + (cell_lon + 5000)


def name_key(name: str) -> str:
    """What the EmployerName filter compares: the whole name, in any case, without
    surrounding spaces (compatibility.md D5)."""
    return name.strip().casefold()


def _unfiltered(query: SearchQuery) -> bool:
    return not (
        query.posted_since is not None
        or query.lars_codes
        or query.route_ids
        or query.provider_id is not None
        or query.employer_id is not None
        or query.legal_entity_id is not None
        or query.national_only
        or query.exclude_national
        or query.employer_name
        or query.distance_miles is not None
    )


def _ranks(order: IntArray) -> IntArray:
    ranks = np.empty_like(order)
    ranks[order] = np.arange(len(order))
    return ranks


def _dense_ranks(keys: Sequence[Any]) -> IntArray:
    """Each key's rank among the distinct keys, ascending; equal keys share a rank, so the
    next tie-breaker decides between them."""
    ranks = np.zeros(len(keys), dtype=np.int64)
    rank, previous = -1, None
    for position in sorted(range(len(keys)), key=keys.__getitem__):
        if rank < 0 or keys[position] != previous:
            rank, previous = rank + 1, keys[position]
        ranks[position] = rank
    return ranks


def _ranks_by(values: IntArray, keys: Callable[[int], Any]) -> IntArray:
    """The rank of each value's key, for an integer column whose distinct values are few
    (courses, providers): the keys are looked up once per distinct value."""
    distinct, inverse = np.unique(values, return_inverse=True)
    return _dense_ranks([keys(int(v)) for v in distinct.tolist()])[inverse.reshape(-1)]


def _days(value: date) -> int:
    return value.toordinal()


class ColumnBuilder:
    """Gathers the index's columns chunk by chunk in compact typed buffers, so building
    an index of a million adverts never holds a million Python row objects."""

    _INTS = (
        "ids",
        "references",
        "start",
        "closing",
        "lars",
        "route",
        "provider",
        "employer",
        "legal_entity",
        "name_ids",
        "title_ids",
        "national",
        "source",
    )

    def __init__(self) -> None:
        self.columns: dict[str, array[int]] = {name: array("q") for name in self._INTS}
        self.posted: array[float] = array("d")
        # Distinct employer names and titles, each numbered in order of first sight.
        self.names: dict[str, int] = {}
        self.titles: dict[str, int] = {}
        self.point_ids: array[int] = array("q")
        self.latitudes: array[float] = array("d")
        self.longitudes: array[float] = array("d")
        # Tie-breakers kept per course and per provider: (title, level), (name, UKPRN).
        self.courses: dict[int, tuple[str, int]] = {}
        self.providers: dict[int, tuple[str, str]] = {}

    def add_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows in the order of ``IndexRow``'s fields."""
        c = self.columns
        names, titles = self.names, self.titles
        for row in rows:
            c["ids"].append(row[0])
            c["references"].append(row[1])
            self.posted.append(row[2].timestamp())
            c["start"].append(row[3].toordinal())
            c["closing"].append(row[4].toordinal())
            c["lars"].append(row[5])
            c["route"].append(row[6])
            c["provider"].append(row[7])
            c["employer"].append(row[8])
            c["legal_entity"].append(row[9])
            c["national"].append(1 if row[10] else 0)
            c["name_ids"].append(names.setdefault(row[11], len(names)))
            c["title_ids"].append(titles.setdefault(row[12], len(titles)))
            c["source"].append(SOURCE_CODES[row[13]])

    def add_points(self, points: Iterable[tuple[int, float, float]]) -> None:
        """(advert id, latitude, longitude), each advert's addresses in their order (the
        first is the primary address): version 1 items name them by that position."""
        for advert_id, latitude, longitude in points:
            self.point_ids.append(advert_id)
            self.latitudes.append(latitude)
            self.longitudes.append(longitude)

    def add_courses(self, courses: Iterable[tuple[int, str, int]]) -> None:
        """(LARS code, title, level) of the courses adverts may name."""
        for lars_code, title, level in courses:
            self.courses[lars_code] = (title, level)

    def add_providers(self, providers: Iterable[tuple[int, str, str]]) -> None:
        """(provider id, name, UKPRN) of the providers adverts may name."""
        for provider_id, name, ukprn in providers:
            self.providers[provider_id] = (name, ukprn)


@dataclass
class SearchIndex:
    built_for: date
    references: IntArray
    posted: FloatArray
    start: IntArray
    closing: IntArray
    lars: IntArray
    route: IntArray
    provider: IntArray
    employer: IntArray
    legal_entity: IntArray
    national: BoolArray
    # Each advert's data source (SOURCE_CODES), and the sources present as bits.
    source: npt.NDArray[np.int8]
    source_bits: int
    name_ids: IntArray
    names: list[str]
    # Ids of the names that the EmployerName filter takes for each name key.
    name_lookup: dict[str, list[int]]
    title_ids: IntArray
    titles: list[str]
    courses: dict[int, tuple[str, int]]
    providers: dict[int, tuple[str, str]]
    # Each advert's rank in the tie-breakers' order, and that order (row numbers).
    tie_rank: IntArray
    tie_order: IntArray
    ranks: dict[Sort, IntArray]
    # Row numbers in each sort's order (the inverse of ``ranks``).
    orders: dict[Sort, IntArray]
    lists: dict[str, dict[int, IntArray]]
    # Address points as unit vectors, ordered by grid cell (cell_keys, ascending).
    point_x: FloatArray
    point_y: FloatArray
    point_z: FloatArray
    point_advert: IntArray
    point_shared: BoolArray  # the point's advert has other points too
    point_position: IntArray  # the point's position among its advert's addresses
    cell_keys: IntArray
    # Each advert's points, in advert order: where they start in point_order, how many.
    point_order: IntArray
    point_start: IntArray
    point_count: IntArray
    # Adverts with no address (national): they match any distance filter.
    unlocated: IntArray
    # The most addresses any advert has.
    most_addresses: int
    alive: BoolArray = field(default_factory=lambda: np.ones(0, dtype=bool))
    # Which adverts are live on a given day, how many, and how many version 1 items they
    # make: the same for every search that day, so worked out once (a million-element pass
    # costs more than the search itself).
    _live_on: tuple[int, BoolArray, int, int] | None = None
    # The same for a set of data sources that leaves some of the index's adverts out,
    # by the set's bits; emptied when the day changes.
    _live_from: dict[int, tuple[BoolArray, int, int]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        rows: Sequence[IndexRow],
        points: Sequence[tuple[int, float, float]],
        today: date,
        courses: Mapping[int, tuple[str, int]] | None = None,
        providers: Mapping[int, tuple[str, str]] | None = None,
    ) -> SearchIndex:
        builder = ColumnBuilder()
        builder.add_rows(sorted(rows, key=lambda row: row[0]))  # by id
        builder.add_points(points)
        builder.add_courses((code, *course) for code, course in (courses or {}).items())
        builder.add_providers((key, *provider) for key, provider in (providers or {}).items())
        return cls.from_columns(builder, today)

    @classmethod
    def from_columns(cls, builder: ColumnBuilder, today: date) -> SearchIndex:
        """The index over gathered columns (rows in ascending id order)."""

        def column(name: str) -> IntArray:
            return np.frombuffer(builder.columns[name], dtype=np.int64).copy()

        ids = column("ids")
        count = len(ids)
        references = column("references")
        posted = np.frombuffer(builder.posted, dtype=np.float64).copy()
        start = column("start")
        name_ids = column("name_ids")
        title_ids = column("title_ids")
        source = column("source").astype(np.int8)
        names, titles = list(builder.names), list(builder.titles)
        courses, providers = dict(builder.courses), dict(builder.providers)
        columns = {name: column(name) for name in ("lars", "provider", "employer", "legal_entity")}

        # The tie-breakers' order (D14). Ranks of neighbouring keys are paired into one
        # integer each (three sort keys instead of five: a third of the time), and np.lexsort
        # sorts by the last key first.
        course_rank = _ranks_by(columns["lars"], lambda code: courses.get(code, _NO_COURSE))
        provider_rank = _ranks_by(columns["provider"], lambda p: providers.get(p, _NO_PROVIDER))
        tie_order = np.lexsort(
            (
                references,
                _dense_ranks(names)[name_ids] * (int(provider_rank.max(initial=0)) + 1)
                + provider_rank,
                _dense_ranks(titles)[title_ids] * (int(course_rank.max(initial=0)) + 1)
                + course_rank,
            )
        ).astype(np.int64)
        tie_rank = _ranks(tie_order)

        def ordered_by(key: FloatArray | IntArray) -> IntArray:
            # A stable sort of the tie order keeps ties in it (faster than np.lexsort).
            return tie_order[np.argsort(key[tie_order], kind="stable")]

        orders = {
            Sort.AGE_DESC: ordered_by(posted),  # oldest first
            Sort.AGE_ASC: ordered_by(-posted),  # newest first
            Sort.START_ASC: ordered_by(start),
            Sort.START_DESC: ordered_by(-start),
        }
        ranks = {sort: _ranks(order) for sort, order in orders.items()}
        # Each list holds its rows in ascending order, so a search's filters read the
        # columns front to back (several times faster than in a scattered order).
        lists: dict[str, dict[int, IntArray]] = {}
        for name, values in columns.items():
            groups: dict[int, IntArray] = {}
            if count:
                keys = np.argsort(values, kind="stable")
                edges = np.flatnonzero(np.diff(values[keys])) + 1
                for chunk in np.split(keys, edges):
                    groups[int(values[chunk[0]])] = chunk
            lists[name] = groups
        name_lookup: dict[str, list[int]] = {}
        for number, name in enumerate(names):
            name_lookup.setdefault(name_key(name), []).append(number)

        point_ids = np.frombuffer(builder.point_ids, dtype=np.int64)
        positions = np.searchsorted(ids, point_ids)
        known = (
            (positions < count) & (ids[np.minimum(positions, max(count - 1, 0))] == point_ids)
            if count
            else np.zeros(len(point_ids), bool)
        )
        point_advert = positions[known]
        latitudes = np.frombuffer(builder.latitudes, dtype=np.float64)[known]
        longitudes = np.frombuffer(builder.longitudes, dtype=np.float64)[known]
        keys = np.asarray(
            _cell_key(
                np.floor(latitudes / CELL_LAT).astype(np.int64),
                np.floor(longitudes / CELL_LON).astype(np.int64),
            ),
            dtype=np.int64,
        )
        order = np.argsort(keys, kind="stable")
        x, y, z = unit_vectors(latitudes[order], longitudes[order])
        point_advert = point_advert[order]
        point_count = np.bincount(point_advert, minlength=count).astype(np.int64)
        # Each advert's points in the order they were given (their address order).
        by_advert = np.lexsort((order, point_advert)).astype(np.int64)
        point_start = np.concatenate(([0], np.cumsum(point_count)[:-1])).astype(np.int64)
        point_position = np.empty(len(by_advert), dtype=np.int64)
        point_position[by_advert] = np.arange(len(by_advert)) - point_start[point_advert[by_advert]]
        return cls(
            built_for=today,
            references=references,
            posted=posted,
            start=start,
            closing=column("closing"),
            lars=columns["lars"],
            route=column("route"),
            provider=columns["provider"],
            employer=columns["employer"],
            legal_entity=columns["legal_entity"],
            national=column("national").astype(bool),
            source=source,
            source_bits=sum(1 << int(code) for code in np.unique(source)),
            name_ids=name_ids,
            names=names,
            name_lookup=name_lookup,
            title_ids=title_ids,
            titles=titles,
            courses=courses,
            providers=providers,
            tie_rank=tie_rank,
            tie_order=tie_order,
            ranks=ranks,
            orders=orders,
            lists=lists,
            point_x=x,
            point_y=y,
            point_z=z,
            point_advert=point_advert,
            point_shared=point_count[point_advert] > 1,
            point_position=point_position,
            cell_keys=keys[order],
            point_order=by_advert,
            point_start=point_start if count else np.zeros(0, np.int64),
            point_count=point_count,
            unlocated=np.flatnonzero(point_count == 0).astype(np.int64),
            most_addresses=int(point_count.max(initial=0)),
            alive=np.ones(count, dtype=bool),
        )

    def __len__(self) -> int:
        return len(self.references)

    def _chords(self, query: SearchQuery, points: IntArray | slice) -> FloatArray:
        assert query.latitude is not None and query.longitude is not None
        lat, lon = math.radians(query.latitude), math.radians(query.longitude)
        dx = self.point_x[points] - math.cos(lat) * math.cos(lon)
        dy = self.point_y[points] - math.cos(lat) * math.sin(lon)
        dz = self.point_z[points] - math.sin(lat)
        return dx * dx + dy * dy + dz * dz

    def _points_near(self, query: SearchQuery) -> tuple[IntArray, FloatArray]:
        """Address points within the query's distance, and their squared chords."""
        assert query.latitude is not None and query.longitude is not None
        assert query.distance_miles is not None
        limit = _chord_squared(query.distance_miles)
        radius_degrees = query.distance_miles / 69.0 + 0.01  # a degree of latitude ≈ 69 miles
        lon_scale = max(
            math.cos(math.radians(min(abs(query.latitude) + radius_degrees, 89.9))), 1e-6
        )
        lat_low = math.floor((query.latitude - radius_degrees) / CELL_LAT)
        lat_high = math.floor((query.latitude + radius_degrees) / CELL_LAT)
        lon_low = math.floor((query.longitude - radius_degrees / lon_scale) / CELL_LON)
        lon_high = math.floor((query.longitude + radius_degrees / lon_scale) / CELL_LON)
        # Within one row of cells the points are contiguous, so a row is one slice.
        points_found, chords_found = [], []
        for row in range(lat_low, lat_high + 1):
            begin = int(np.searchsorted(self.cell_keys, _cell_key(row, lon_low), "left"))
            end = int(np.searchsorted(self.cell_keys, _cell_key(row, lon_high), "right"))
            if begin >= end:
                continue
            chords = self._chords(query, slice(begin, end))
            within = np.flatnonzero(chords <= limit)
            points_found.append(within + begin)
            chords_found.append(chords[within])
        if not points_found:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        return np.concatenate(points_found), np.concatenate(chords_found)

    def _nearest_of_points(
        self, points: IntArray, chords: FloatArray
    ) -> tuple[IntArray, FloatArray]:
        """The adverts these points belong to, each once, with its nearest point's chord."""
        shared = self.point_shared[points]
        single_adverts = self.point_advert[points[~shared]]
        adverts, values = self.point_advert[points[shared]], chords[shared]
        order = np.lexsort((values, adverts))
        adverts, values = adverts[order], values[order]
        first = np.ones(len(adverts), dtype=bool)
        first[1:] = adverts[1:] != adverts[:-1]
        return (
            np.concatenate((single_adverts, adverts[first])),
            np.concatenate((chords[~shared], values[first])),
        )

    def _expand(self, adverts: IntArray) -> tuple[IntArray, IntArray]:
        """Version 1 items of these adverts, in advert order: each item's index into
        ``adverts`` and its point (-1 for an advert with no address); an advert's items
        follow its address order."""
        counts = self.point_count[adverts]
        sizes = np.maximum(counts, 1)
        owner = np.repeat(np.arange(len(adverts), dtype=np.int64), sizes)
        offset = np.arange(len(owner), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        located = counts[owner] > 0
        points = np.full(len(owner), -1, dtype=np.int64)
        if located.any():
            slots = self.point_start[adverts[owner[located]]] + offset[located]
            points[located] = self.point_order[slots]
        return owner, points

    def _items(self, adverts: IntArray) -> tuple[IntArray, IntArray]:
        """As ``_expand``, in no particular order: adverts with one address or none, the
        most, take no repeating."""
        counts = self.point_count[adverts]
        simple = np.flatnonzero(counts <= 1)
        points = np.full(len(simple), -1, dtype=np.int64)
        located = counts[simple] == 1
        points[located] = self.point_order[self.point_start[adverts[simple[located]]]]
        if len(simple) == len(adverts):
            return simple, points
        several = np.flatnonzero(counts > 1)
        owner, spread = self._expand(adverts[several])
        return np.concatenate((simple, several[owner])), np.concatenate((points, spread))

    def _item_chords(self, query: SearchQuery, points: IntArray) -> FloatArray:
        """Squared chords from the query point to these points (inf for -1, no point)."""
        result = np.full(len(points), np.inf)
        located = points >= 0
        result[located] = self._chords(query, points[located])
        return result

    def _nearest_chords(self, query: SearchQuery, adverts: IntArray) -> FloatArray:
        """Squared chords from the query point to each advert's nearest address (inf for
        adverts without one)."""
        result = np.full(len(adverts), np.inf)
        counts = self.point_count[adverts]
        single = np.flatnonzero(counts == 1)
        if len(single):
            points = self.point_order[self.point_start[adverts[single]]]
            result[single] = self._chords(query, points)
        several = np.flatnonzero(counts > 1)
        if len(several):
            _, points = self._expand(adverts[several])
            chords = self._chords(query, points)
            sizes = counts[several]
            result[several] = np.minimum.reduceat(chords, np.cumsum(sizes) - sizes)
        return result

    def _start(self, query: SearchQuery) -> IntArray | None:
        """The smallest per-value list that the query's filters allow, if any."""
        options: list[IntArray] = []
        if query.lars_codes:
            lists = self.lists["lars"]
            parts = [lists[code] for code in set(query.lars_codes) if code in lists]
            options.append(np.concatenate(parts) if parts else np.empty(0, np.int64))
        for name, value in (
            ("provider", query.provider_id),
            ("employer", query.employer_id),
            ("legal_entity", query.legal_entity_id),
        ):
            if value is not None:
                options.append(self.lists[name].get(value, np.empty(0, np.int64)))
        return min(options, key=len) if options else None

    def _live(self, today: int, sources: frozenset[DataSource]) -> tuple[BoolArray, int, int]:
        """Which adverts are live on the day and come from one of the sources, how many,
        and how many version 1 items they make: worked out once per day and set of
        sources."""
        cached = self._live_on
        if cached is None or cached[0] != today:
            live = self.alive & (self.closing >= today)
            cached = self._live_on = (today, live, *self._counts(live))
            self._live_from.clear()
        bits = sum(1 << SOURCE_CODES[source] for source in sources)
        if not self.source_bits & ~bits:
            # Every advert here is from a wanted source.
            return cached[1], cached[2], cached[3]
        found = self._live_from.get(bits)
        if found is None:
            codes = [SOURCE_CODES[source] for source in sources]
            live = cached[1] & np.isin(self.source, codes)
            found = self._live_from[bits] = (live, *self._counts(live))
        return found

    def _counts(self, live: BoolArray) -> tuple[int, int]:
        """How many adverts are live, and how many version 1 items they make."""
        return int(np.count_nonzero(live)), int(np.maximum(self.point_count, 1)[live].sum())

    def _matching(self, query: SearchQuery, rows: IntArray, live: BoolArray) -> BoolArray:
        """Which of these adverts are live and pass every filter but the distance."""
        keep = live[rows]
        if query.posted_since is not None:
            keep &= self.posted[rows] >= query.posted_since.timestamp()
        if query.lars_codes:
            keep &= np.isin(self.lars[rows], query.lars_codes)
        if query.route_ids:
            keep &= np.isin(self.route[rows], query.route_ids)
        for values, wanted in (
            (self.provider, query.provider_id),
            (self.employer, query.employer_id),
            (self.legal_entity, query.legal_entity_id),
        ):
            if wanted is not None:
                keep &= values[rows] == wanted
        if query.national_only:
            keep &= self.national[rows]
        if query.exclude_national:
            keep &= ~self.national[rows]
        if query.employer_name:
            named = self.name_lookup.get(name_key(query.employer_name), [])
            keep &= np.isin(self.name_ids[rows], named)
        return keep

    def search(self, query: SearchQuery, now: datetime) -> SearchResult:
        offset = (query.page_number - 1) * query.page_size
        return self.top(query, now, offset + query.page_size).result(offset)

    def hiding(self, references: Iterable[int]) -> SearchIndex:
        """This index without the adverts with these references (they changed since it
        was built); shares every array but the alive mask."""
        hidden = np.isin(self.references, np.fromiter(references, dtype=np.int64))
        return replace(self, alive=self.alive & ~hidden, _live_on=None, _live_from={})

    def top(self, query: SearchQuery, now: datetime, needed: int) -> Ranked:
        """The first ``needed`` matching items in the query's order, with their sort keys,
        so that the tops of several indexes can be merged into one order."""
        today = _days(now.astimezone(UTC).date())
        live, adverts_total, items_total = self._live(today, query.sources)
        total = items_total if query.per_location else adverts_total
        point = query.latitude is not None and query.longitude is not None
        if not point and _unfiltered(query):
            return self._top_of_all(query, live, total, needed)

        chords: FloatArray | None = None
        candidates = self._start(query)
        if candidates is None and point and query.distance_miles is not None:
            points, chords = self._points_near(query)
            if query.per_location:
                rows = self.point_advert[points]
            else:
                rows, chords = self._nearest_of_points(points, chords)
                points = np.full(len(rows), -1, dtype=np.int64)
            # Adverts with no location match any distance (D4).
            rows = np.concatenate((rows, self.unlocated))
            points = np.concatenate((points, np.full(len(self.unlocated), -1, np.int64)))
            chords = np.concatenate((chords, np.full(len(self.unlocated), np.inf)))
            keep = self._matching(query, rows, live)
            rows, points, chords = rows[keep], points[keep], chords[keep]
        else:
            if candidates is None:
                candidates = np.flatnonzero(live)
            rows = candidates[self._matching(query, candidates, live)]
            if query.per_location:
                owner, points = self._items(rows)
                rows = rows[owner]
            else:
                points = np.full(len(rows), -1, dtype=np.int64)
            if point:
                chords = (
                    self._item_chords(query, points)
                    if query.per_location
                    else self._nearest_chords(query, rows)
                )
                if query.distance_miles is not None:
                    near = (chords <= _chord_squared(query.distance_miles)) | np.isinf(chords)
                    rows, points, chords = rows[near], points[near], chords[near]

        page, primary = self._first(query, rows, points, chords, needed)
        return Ranked(
            references=self.references[rows[page]],
            primary=primary,
            ties=self.tie_rank[rows[page]],
            addresses=self._addresses(points[page]),
            miles=_miles(chords[page]) if chords is not None else None,
            total=total,
            total_filtered=len(rows),
        )

    def _addresses(self, points: IntArray) -> IntArray:
        """Each point's position among its advert's addresses; -1 for -1 (no point)."""
        if not len(self.point_position):
            return np.full(len(points), -1, dtype=np.int64)
        return np.where(points >= 0, self.point_position[np.maximum(points, 0)], -1)

    def _top_of_all(self, query: SearchQuery, live: BoolArray, total: int, needed: int) -> Ranked:
        """The most common search, every live advert in one order: walked from the
        precomputed order, so only the first few adverts are touched."""
        order = self.orders.get(query.sort, self.tie_order)
        chunks: list[IntArray] = []
        found, start, step = 0, 0, max(2 * needed, 64)
        while found < needed and start < len(order):
            chunk = order[start : start + step]
            chunk = chunk[live[chunk]]
            chunks.append(chunk)
            found += (
                int(np.maximum(self.point_count[chunk], 1).sum())
                if query.per_location
                else len(chunk)
            )
            start += step
            step *= 4
        rows = np.concatenate(chunks) if chunks else np.empty(0, np.int64)
        if query.per_location:
            owner, points = self._expand(rows)
            rows = rows[owner]
        else:
            points = np.full(len(rows), -1, dtype=np.int64)
        rows, points = rows[:needed], points[:needed]
        return Ranked(
            references=self.references[rows],
            primary=self._sort_keys(query.sort, rows),
            ties=self.tie_rank[rows],
            addresses=self._addresses(points),
            miles=None,
            total=total,
            total_filtered=total,
        )

    def _first(
        self,
        query: SearchQuery,
        rows: IntArray,
        points: IntArray,
        chords: FloatArray | None,
        needed: int,
    ) -> tuple[IntArray, FloatArray]:
        """Positions in ``rows`` of the first ``needed`` items in the query's order, and
        each one's primary sort key (the tie-breakers decide between equal ones)."""
        needed = min(needed, len(rows))
        if needed <= 0:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        if query.sort in DISTANCE_SORTS and chords is not None:
            if query.sort is Sort.DISTANCE_ASC:
                key = chords  # items with no location (inf) come last
            else:
                key = np.where(np.isinf(chords), np.inf, -chords)  # and last here too
            if needed < len(rows):
                cutoff = np.partition(key, needed - 1)[needed - 1]
                chosen = np.flatnonzero(key <= cutoff)  # ties at the cutoff stay in
            else:
                chosen = np.arange(len(rows))
            # An advert's items (version 1) follow its address order after the tie-breakers.
            ordered = chosen[
                np.lexsort(
                    (
                        self._addresses(points[chosen]),
                        self.tie_rank[rows[chosen]],
                        key[chosen],
                    )
                )
            ][:needed]
            return ordered, key[ordered]
        ranks = self.ranks.get(query.sort, self.tie_rank)[rows]
        if not query.per_location:  # one item per advert: the ranks are all different
            if needed < len(rows):
                chosen = np.argpartition(ranks, needed - 1)[:needed]
            else:
                chosen = np.arange(len(rows))
            ordered = chosen[np.argsort(ranks[chosen])]
            return ordered, self._sort_keys(query.sort, rows[ordered])
        # An advert's items share its rank and follow its address order.
        if needed < len(rows):
            cutoff = np.partition(ranks, needed - 1)[needed - 1]
            chosen = np.flatnonzero(ranks <= cutoff)
        else:
            chosen = np.arange(len(rows))
        ordered = chosen[np.lexsort((self._addresses(points[chosen]), ranks[chosen]))][:needed]
        return ordered, self._sort_keys(query.sort, rows[ordered])

    def _sort_keys(self, sort: Sort, rows: IntArray) -> FloatArray:
        """Each row's primary key in a non-distance sort, ascending (0 when only the
        tie-breakers order: a distance sort without a point)."""
        if sort is Sort.AGE_DESC:
            return self.posted[rows]
        if sort is Sort.AGE_ASC:
            return -self.posted[rows]
        if sort is Sort.START_ASC:
            return self.start[rows].astype(np.float64)
        if sort is Sort.START_DESC:
            return -self.start[rows].astype(np.float64)
        return np.zeros(len(rows))

    def _tie_key(self, row: int) -> TieKey:
        """The values the tie-breakers compare, in their order (D14)."""
        return (
            self.titles[self.title_ids[row]],
            self.courses.get(int(self.lars[row]), _NO_COURSE),
            self.names[self.name_ids[row]],
            self.providers.get(int(self.provider[row]), _NO_PROVIDER),
            int(self.references[row]),
        )

    def ties_beside(self, other: SearchIndex) -> IntArray:
        """Tie values for another index's tie ranks that order its adverts among this
        index's as one tie order would, when this index's rank k becomes k * (n + 1) + n
        (n adverts in the other): the other's adverts that sort just before rank k become
        k * (n + 1) + 0, 1, ... in their own order. Binary searches over this index's
        order, so meant for a small other (a delta)."""
        n = len(other)
        theirs = np.empty(n, dtype=np.int64)
        order = self.tie_order

        def key(rank: int) -> TieKey:
            return self._tie_key(int(order[rank]))

        low, previous, within = 0, -1, 0
        for rank, row in enumerate(other.tie_order.tolist()):
            place = bisect_left(range(len(self)), other._tie_key(row), lo=low, key=key)
            within = within + 1 if place == previous else 0
            theirs[rank] = place * (n + 1) + within
            low = previous = place
        return theirs


TieKey = tuple[str, tuple[str, int], str, tuple[str, str], int]


@dataclass(frozen=True, slots=True)
class Ranked:
    """The first items of one index in a query's order, and the index's counts. Each
    item's reference, primary sort key, tie rank and address position (-1: none) are
    what merging the tops of several indexes needs; miles are None without a point, inf
    for an item with no location."""

    references: IntArray
    primary: FloatArray
    ties: IntArray
    addresses: IntArray
    miles: FloatArray | None
    total: int
    total_filtered: int

    def result(self, offset: int, order: IntArray | None = None) -> SearchResult:
        """The items from ``offset`` on (of ``order``, if given, positions of items)."""
        chosen = order[offset:] if order is not None else slice(offset, None)
        return SearchResult(
            references=self.references[chosen].tolist(),
            distances=(
                [None if math.isinf(m) else m for m in self.miles[chosen].tolist()]
                if self.miles is not None
                else [None] * len(self.references[chosen])
            ),
            total=self.total,
            total_filtered=self.total_filtered,
            positions=[None if a < 0 else a for a in self.addresses[chosen].tolist()],
        )


class SegmentedIndex:
    """A large base index built now and then, with the adverts that changed since it was
    built hidden from it and held in a small delta index instead: searches see both as
    one. An approval then costs a delta rebuild (milliseconds), not a full one."""

    def __init__(self, base: SearchIndex, delta: SearchIndex | None = None) -> None:
        self.base = base
        self.delta = delta
        if delta is not None and len(delta):
            self._delta_ties = base.ties_beside(delta)

    def __len__(self) -> int:
        return len(self.base) + (len(self.delta) if self.delta is not None else 0)

    def search(self, query: SearchQuery, now: datetime) -> SearchResult:
        if self.delta is None or not len(self.delta):
            return self.base.search(query, now)
        offset = (query.page_number - 1) * query.page_size
        needed = offset + query.page_size
        base, delta = self.base.top(query, now, needed), self.delta.top(query, now, needed)
        n = len(self.delta)

        def joined(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return np.concatenate((a, b))

        both = Ranked(
            references=joined(base.references, delta.references),
            primary=joined(base.primary, delta.primary),
            ties=joined(base.ties * (n + 1) + n, self._delta_ties[delta.ties]),
            addresses=joined(base.addresses, delta.addresses),
            miles=(
                joined(base.miles, delta.miles)
                if base.miles is not None and delta.miles is not None
                else None
            ),
            total=base.total + delta.total,
            total_filtered=base.total_filtered + delta.total_filtered,
        )
        order = np.lexsort((both.addresses, both.ties, both.primary))[:needed]
        return both.result(offset, order)
