"""The in-memory search index behind ``GET /vacancies/vacancy``.

Each process keeps the search fields of every live advert in NumPy arrays, built from the
database and rebuilt when adverts change (a cache event) or a day ends. A search picks
its candidates from the most selective structure it can use, filters them with vectorised
comparisons, counts them, and sorts only what the requested page needs:

- a LARS code, provider, employer or legal entity filter starts from a per-value list;
- a distance filter starts from a grid of address points (cells of 0.1° latitude by
  0.15° longitude, about 11 km by 10 km in England), so only nearby points are measured;
- otherwise every live advert is a candidate.

Distances are great-circle miles to the nearest of an advert's addresses. Points are
kept as unit vectors, so a distance test is a few multiplications (the straight-line
chord grows with the great-circle distance); the arc is computed only for the page.
Sorting uses ranks precomputed per sort order (ties broken by reference ascending), so
paging is stable. Only references come out; the page's adverts are then read from the
database by reference.

Each advert's data source (this service, NHS Jobs, Civil Service Jobs) is a column too:
a search for some sources only swaps the day's mask of live adverts for one that also
leaves the other sources out, worked out once per day and set of sources.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
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
# Each data source's number in the index's source column.
SOURCE_CODES = {source: code for code, source in enumerate(DataSource)}


class Sort(StrEnum):
    AGE_DESC = "AgeDesc"
    AGE_ASC = "AgeAsc"
    DISTANCE_ASC = "DistanceAsc"
    DISTANCE_DESC = "DistanceDesc"
    START_ASC = "ExpectedStartDateAsc"
    START_DESC = "ExpectedStartDateDesc"


@dataclass(frozen=True, slots=True)
class SearchQuery:
    page_number: int = 1
    page_size: int = 10
    sort: Sort = Sort.AGE_DESC
    latitude: float | None = None
    longitude: float | None = None
    distance_miles: int | None = None
    posted_since: datetime | None = None
    lars_codes: tuple[int, ...] = ()
    route_ids: tuple[int, ...] = ()
    provider_id: int | None = None
    employer_id: int | None = None
    legal_entity_id: int | None = None
    national_only: bool = False
    exclude_national: bool = False
    # Advert employer names containing this text, case-insensitively.
    employer_name: str | None = None
    # Only adverts from these sources match or count in ``total`` (compatibility.md D16).
    sources: frozenset[DataSource] = frozenset({DataSource.RAA})


@dataclass(frozen=True, slots=True)
class SearchResult:
    references: list[int]
    # Miles to the nearest address, for each reference, when a point was given.
    distances: list[float | None]
    total: int
    total_filtered: int


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
        "national",
        "source",
    )

    def __init__(self) -> None:
        self.columns: dict[str, array[int]] = {name: array("q") for name in self._INTS}
        self.posted: array[float] = array("d")
        self.names: dict[str, int] = {}
        self.point_ids: array[int] = array("q")
        self.latitudes: array[float] = array("d")
        self.longitudes: array[float] = array("d")

    def add_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows in the order of ``IndexRow``'s fields."""
        c = self.columns
        names = self.names
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
            c["name_ids"].append(names.setdefault(row[11].casefold(), len(names)))
            c["source"].append(SOURCE_CODES[row[12]])

    def add_points(self, points: Iterable[tuple[int, float, float]]) -> None:
        for advert_id, latitude, longitude in points:
            self.point_ids.append(advert_id)
            self.latitudes.append(latitude)
            self.longitudes.append(longitude)


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
    national: npt.NDArray[np.bool_]
    # Each advert's data source (SOURCE_CODES), and the sources present as bits.
    source: npt.NDArray[np.int8]
    source_bits: int
    name_ids: IntArray
    names: list[str]
    ranks: dict[Sort, IntArray]
    # Row numbers in each sort's order (the inverse of ``ranks``).
    orders: dict[Sort, IntArray]
    lists: dict[str, dict[int, IntArray]]
    # Address points as unit vectors, ordered by grid cell (cell_keys, ascending).
    point_x: FloatArray
    point_y: FloatArray
    point_z: FloatArray
    point_advert: IntArray
    point_shared: npt.NDArray[np.bool_]  # the point's advert has other points too
    cell_keys: IntArray
    # Each advert's points, in advert order: where they start in point_order, how many.
    point_order: IntArray
    point_start: IntArray
    point_count: IntArray
    alive: npt.NDArray[np.bool_] = field(default_factory=lambda: np.ones(0, dtype=bool))
    # Which adverts are live on a given day, and how many: the same for every search that
    # day, so worked out once (a million-element pass costs more than the search itself).
    _live_on: tuple[int, npt.NDArray[np.bool_], int] | None = None
    # The same for a set of data sources that leaves some of the index's adverts out,
    # by the set's bits; emptied when the day changes.
    _live_from: dict[int, tuple[npt.NDArray[np.bool_], int]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, rows: Sequence[IndexRow], points: Sequence[tuple[int, float, float]], today: date
    ) -> SearchIndex:
        builder = ColumnBuilder()
        builder.add_rows(sorted(rows, key=lambda row: row[0]))  # by id
        builder.add_points(points)
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
        source = column("source").astype(np.int8)
        orders = {
            # lexsort sorts by the last key first; the reference breaks ties.
            Sort.AGE_DESC: np.lexsort((references, -posted)),
            Sort.AGE_ASC: np.lexsort((references, posted)),
            Sort.START_ASC: np.lexsort((references, start)),
            Sort.START_DESC: np.lexsort((references, -start)),
        }
        ranks = {sort: _ranks(order) for sort, order in orders.items()}
        columns = {name: column(name) for name in ("lars", "provider", "employer", "legal_entity")}
        lists: dict[str, dict[int, IntArray]] = {}
        by_age = orders[Sort.AGE_DESC]
        for name, values in columns.items():
            ordered = values[by_age]
            groups: dict[int, IntArray] = {}
            if count:
                keys = np.argsort(ordered, kind="stable")
                sorted_values = ordered[keys]
                edges = np.flatnonzero(np.diff(sorted_values)) + 1
                for chunk in np.split(keys, edges):
                    groups[int(ordered[chunk[0]])] = by_age[chunk]
            lists[name] = groups

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
        by_advert = np.argsort(point_advert, kind="stable")
        point_start = np.concatenate(([0], np.cumsum(point_count)[:-1])).astype(np.int64)
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
            names=list(builder.names),
            ranks=ranks,
            orders=orders,
            lists=lists,
            point_x=x,
            point_y=y,
            point_z=z,
            point_advert=point_advert,
            point_shared=point_count[point_advert] > 1,
            cell_keys=keys[order],
            point_order=by_advert,
            point_start=point_start if count else np.zeros(0, np.int64),
            point_count=point_count,
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

    def _near(self, query: SearchQuery) -> tuple[IntArray, FloatArray]:
        """Adverts with an address within the query's distance, and the squared chord to
        the nearest one."""
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
        adverts_found, chords_found = [], []
        for row in range(lat_low, lat_high + 1):
            begin = int(np.searchsorted(self.cell_keys, _cell_key(row, lon_low), "left"))
            end = int(np.searchsorted(self.cell_keys, _cell_key(row, lon_high), "right"))
            if begin >= end:
                continue
            chords = self._chords(query, slice(begin, end))
            within = np.flatnonzero(chords <= limit) + begin
            adverts_found.append(within)
            chords_found.append(chords[within - begin])
        if not adverts_found:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        points = np.concatenate(adverts_found)
        chords = np.concatenate(chords_found)
        shared = self.point_shared[points]
        single_adverts = self.point_advert[points[~shared]]
        adverts, nearest = self._nearest_per_advert(
            self.point_advert[points[shared]], chords[shared]
        )
        return np.concatenate((single_adverts, adverts)), np.concatenate((chords[~shared], nearest))

    @staticmethod
    def _nearest_per_advert(adverts: IntArray, values: FloatArray) -> tuple[IntArray, FloatArray]:
        order = np.lexsort((values, adverts))
        adverts, values = adverts[order], values[order]
        first = np.ones(len(adverts), dtype=bool)
        first[1:] = adverts[1:] != adverts[:-1]
        return adverts[first], values[first]

    def _distances(self, query: SearchQuery, candidates: IntArray) -> FloatArray:
        """Squared chords from the query point to each candidate's nearest address (inf
        for adverts without one)."""
        result = np.full(len(candidates), np.inf)
        counts = self.point_count[candidates]
        single = np.flatnonzero(counts == 1)
        if len(single):
            points = self.point_order[self.point_start[candidates[single]]]
            result[single] = self._chords(query, points)
        for position in np.flatnonzero(counts > 1).tolist():
            advert = candidates[position]
            start = self.point_start[advert]
            points = self.point_order[start : start + self.point_count[advert]]
            result[position] = float(self._chords(query, points).min())
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

    def _live(
        self, today: int, sources: frozenset[DataSource]
    ) -> tuple[npt.NDArray[np.bool_], int]:
        """Which adverts are live on the day and come from one of the sources, and how
        many: worked out once per day and set of sources."""
        cached = self._live_on
        if cached is None or cached[0] != today:
            live = self.alive & (self.closing >= today)
            cached = self._live_on = (today, live, int(np.count_nonzero(live)))
            self._live_from.clear()
        bits = sum(1 << SOURCE_CODES[source] for source in sources)
        if not self.source_bits & ~bits:
            return cached[1], cached[2]  # every advert here is from a wanted source
        found = self._live_from.get(bits)
        if found is None:
            codes = [SOURCE_CODES[source] for source in sources]
            live = cached[1] & np.isin(self.source, codes)
            found = self._live_from[bits] = (live, int(np.count_nonzero(live)))
        return found

    def search(self, query: SearchQuery, now: datetime) -> SearchResult:
        offset = (query.page_number - 1) * query.page_size
        top = self.top(query, now, offset + query.page_size)
        return SearchResult(
            references=top.references[offset:],
            distances=top.distances[offset:],
            total=top.total,
            total_filtered=top.total_filtered,
        )

    def hiding(self, references: Iterable[int]) -> SearchIndex:
        """This index without the adverts with these references (they changed since it
        was built); shares every array but the alive mask."""
        hidden = np.isin(self.references, np.fromiter(references, dtype=np.int64))
        return replace(self, alive=self.alive & ~hidden, _live_on=None, _live_from={})

    def top(self, query: SearchQuery, now: datetime, needed: int) -> Ranked:
        """The first ``needed`` matches in the query's order, with their sort keys, so
        that the tops of several indexes can be merged into one order."""
        live, total = self._live(_days(now.astimezone(UTC).date()), query.sources)
        point = query.latitude is not None and query.longitude is not None
        if not point and _unfiltered(query):
            return self._top_of_all(query, live, total, needed)
        distances: FloatArray | None = None
        candidates = self._start(query)
        if candidates is None and point and query.distance_miles is not None:
            candidates, distances = self._near(query)
        elif candidates is None:
            candidates = np.flatnonzero(live)

        keep = live[candidates]
        if query.posted_since is not None:
            keep &= self.posted[candidates] >= query.posted_since.timestamp()
        if query.lars_codes:
            keep &= np.isin(self.lars[candidates], query.lars_codes)
        if query.route_ids:
            keep &= np.isin(self.route[candidates], query.route_ids)
        for values, wanted in (
            (self.provider, query.provider_id),
            (self.employer, query.employer_id),
            (self.legal_entity, query.legal_entity_id),
        ):
            if wanted is not None:
                keep &= values[candidates] == wanted
        if query.national_only:
            keep &= self.national[candidates]
        if query.exclude_national:
            keep &= ~self.national[candidates]
        if query.employer_name:
            needle = query.employer_name.casefold()
            matching = [i for i, name in enumerate(self.names) if needle in name]
            keep &= np.isin(self.name_ids[candidates], matching)
        candidates = candidates[keep]
        if distances is not None:
            distances = distances[keep]
        elif point:
            distances = self._distances(query, candidates)
            if query.distance_miles is not None:
                near = distances <= _chord_squared(query.distance_miles)
                candidates, distances = candidates[near], distances[near]

        page, keys = self._first(query, candidates, distances, needed)
        shown = [math.inf] * len(page)
        if distances is not None and page:
            shown = [float(m) for m in _miles(distances[page])]
        references = [int(self.references[candidates[i]]) for i in page]
        return Ranked(
            keys=[(key, reference) for key, reference in zip(keys, references, strict=True)],
            references=references,
            distances=[None if math.isinf(d) else d for d in shown],
            total=total,
            total_filtered=len(candidates),
        )

    def _top_of_all(
        self, query: SearchQuery, live: npt.NDArray[np.bool_], total: int, needed: int
    ) -> Ranked:
        """The most common search, every live advert in one order: walked from the
        precomputed order, so only the first few adverts are touched."""
        sort = query.sort if query.sort in self.orders else Sort.AGE_DESC
        order = self.orders[sort]
        rows: list[int] = []
        start, step = 0, max(2 * needed, 64)
        while len(rows) < needed and start < len(order):
            chunk = order[start : start + step]
            rows.extend(chunk[live[chunk]].tolist())
            start += step
            step *= 4
        rows = rows[:needed]
        references = self.references[rows].tolist()
        keys = self._sort_keys(sort, rows)
        return Ranked(
            keys=list(zip(keys, references, strict=True)),
            references=references,
            distances=[None] * len(rows),
            total=total,
            total_filtered=total,
        )

    def _first(
        self,
        query: SearchQuery,
        candidates: IntArray,
        distances: FloatArray | None,
        needed: int,
    ) -> tuple[list[int], list[float]]:
        """Positions in ``candidates`` of the first ``needed`` matches in order, and each
        one's sort key (ties are broken by the reference)."""
        needed = min(needed, len(candidates))
        if needed <= 0:
            return [], []
        by_distance = (
            query.sort in (Sort.DISTANCE_ASC, Sort.DISTANCE_DESC) and distances is not None
        )
        if by_distance:
            assert distances is not None
            if query.sort is Sort.DISTANCE_ASC:
                # Adverts without a location (national) come last.
                key = distances
            else:
                key = np.where(np.isinf(distances), np.inf, -distances)  # national last
            if needed < len(candidates):
                cutoff = np.partition(key, needed - 1)[needed - 1]
                chosen = np.flatnonzero(key <= cutoff)  # ties at the cutoff stay in
            else:
                chosen = np.arange(len(candidates))
            # Only the chosen few need their references, to break ties.
            ordered = chosen[np.lexsort((self.references[candidates[chosen]], key[chosen]))]
            ordered = ordered[:needed]
            return ordered.tolist(), key[ordered].tolist()
        sort = query.sort if query.sort in self.ranks else Sort.AGE_DESC
        ranks = self.ranks[sort][candidates]
        if needed < len(candidates):
            chosen = np.argpartition(ranks, needed - 1)[:needed]
        else:
            chosen = np.arange(len(candidates))
        ordered = chosen[np.argsort(ranks[chosen])]
        return ordered.tolist(), self._sort_keys(sort, candidates[ordered])

    def _sort_keys(self, sort: Sort, rows: IntArray | list[int]) -> list[float]:
        """Each row's key in a non-distance sort, ascending (the reference breaks ties)."""
        column = self.posted if sort in (Sort.AGE_DESC, Sort.AGE_ASC) else self.start
        sign = -1.0 if sort in (Sort.AGE_DESC, Sort.START_DESC) else 1.0
        return [sign * float(v) for v in column[rows].tolist()]


@dataclass(frozen=True, slots=True)
class Ranked:
    """The first matches of one index in a query's order: each one's (sort key,
    reference), reference and distance, and the index's counts."""

    keys: list[tuple[float, int]]
    references: list[int]
    distances: list[float | None]
    total: int
    total_filtered: int


class SegmentedIndex:
    """A large base index built now and then, with the adverts that changed since it was
    built hidden from it and held in a small delta index instead: searches see both as
    one. An approval then costs a delta rebuild (milliseconds), not a full one."""

    def __init__(self, base: SearchIndex, delta: SearchIndex | None = None) -> None:
        self.base = base
        self.delta = delta

    def __len__(self) -> int:
        return len(self.base) + (len(self.delta) if self.delta is not None else 0)

    def search(self, query: SearchQuery, now: datetime) -> SearchResult:
        if self.delta is None or not len(self.delta):
            return self.base.search(query, now)
        offset = (query.page_number - 1) * query.page_size
        needed = offset + query.page_size
        parts = [self.base.top(query, now, needed), self.delta.top(query, now, needed)]
        merged = sorted(
            (
                (key, reference, distance)
                for part in parts
                for key, reference, distance in zip(
                    part.keys, part.references, part.distances, strict=True
                )
            ),
            key=lambda item: item[0],
        )[offset:needed]
        return SearchResult(
            references=[reference for _, reference, _ in merged],
            distances=[distance for _, _, distance in merged],
            total=sum(part.total for part in parts),
            total_filtered=sum(part.total_filtered for part in parts),
        )
