"""The search index against a plain Python reference implementation, on random data and
random queries (hypothesis)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from apprenticeships.vacancies.search import (
    EARTH_RADIUS_MILES,
    IndexRow,
    SearchIndex,
    SearchQuery,
    SearchResult,
    SegmentedIndex,
    Sort,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
TOWNS = [
    (53.7997, -1.5492),
    (52.4862, -1.8904),
    (51.5074, -0.1278),
    (53.4808, -2.2426),
    (50.3755, -4.1427),
]


def reference_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(min(a, 1.0)))


# Each row takes a dozen draws, so the strategies are built once, here: building one
# inside the loop cost more than drawing from it.
_COUNTS = st.integers(0, 60)
_COIN = st.booleans()
_REFERENCE = st.integers(0, 10_000)
_HOURS_AGO = st.integers(0, 24 * 40)
_STARTS_IN = st.integers(20, 200)
_CLOSES_IN = st.integers(-3, 30)
_LARS_CODES = st.sampled_from([2, 14, 196, 225])
_ROUTES = st.sampled_from([2, 5, 7])
_PROVIDERS = st.sampled_from([101, 102, 103])
_EMPLOYERS = st.sampled_from([201, 202])
_LEGAL_ENTITIES = st.sampled_from([301, 302, 303])
# Names and titles that tie, differ only in case or spaces, or sort apart by code point.
_EMPLOYER_NAMES = st.sampled_from(
    ["Acme Engineering", "ACME Foods", "acme foods", " Acme Foods ", "Brightway Care"]
)
_TITLES = st.sampled_from(["Apprentice Chef", "apprentice chef", "Business Administrator"])
_ADDRESSES = st.integers(1, 3)
_TOWNS = st.sampled_from(TOWNS)
_NEARBY = st.floats(-0.3, 0.3)
# Courses 14 and 225 tie on title and level, so the employer name decides between them;
# providers 101 and 102 tie on name, so the UKPRN does.
COURSES = {
    2: ("Software developer", 4),
    14: ("Chef", 2),
    196: ("Business administrator", 3),
    225: ("Chef", 2),
}
PROVIDERS = {
    101: ("Northfield College", "10000002"),
    102: ("Northfield College", "10000001"),
    103: ("Abbey Training", "10000003"),
}

Data = tuple[list[IndexRow], list[tuple[int, float, float]]]


@st.composite
def adverts(draw: st.DrawFn) -> Data:
    count = draw(_COUNTS)
    rows, points = [], []
    for number in range(count):
        national = draw(_COIN) and draw(_COIN) and draw(_COIN)
        rows.append(
            IndexRow(
                id=number + 1,
                reference=1_000_000_000 + draw(_REFERENCE) * 100 + number,
                posted_at=NOW - timedelta(hours=draw(_HOURS_AGO)),
                start_date=TODAY + timedelta(days=draw(_STARTS_IN)),
                closing_date=TODAY + timedelta(days=draw(_CLOSES_IN)),
                lars_code=draw(_LARS_CODES),
                route_id=draw(_ROUTES),
                provider_id=draw(_PROVIDERS),
                employer_id=draw(_EMPLOYERS),
                legal_entity_id=draw(_LEGAL_ENTITIES),
                is_national=national,
                employer_name=draw(_EMPLOYER_NAMES),
                title=draw(_TITLES),
            )
        )
        if not national:
            for _ in range(draw(_ADDRESSES)):
                lat, lon = draw(_TOWNS)
                points.append((number + 1, lat + draw(_NEARBY), lon + draw(_NEARBY)))
    return rows, points


def build(rows: list[IndexRow], points: list[tuple[int, float, float]]) -> SearchIndex:
    return SearchIndex.build(rows, points, TODAY, COURSES, PROVIDERS)


queries = st.builds(
    SearchQuery,
    page_number=st.integers(1, 4),
    page_size=st.integers(1, 15),
    sort=st.sampled_from(list(Sort)),
    latitude=st.none() | st.sampled_from([53.8, 52.5, 51.5]),
    longitude=st.just(-1.5),
    distance_miles=st.none() | st.integers(0, 120),
    posted_since=st.none() | st.integers(0, 30).map(lambda days: NOW - timedelta(days=days)),
    lars_codes=st.lists(st.sampled_from([2, 14, 196, 225, 999]), max_size=2).map(tuple),
    route_ids=st.lists(st.sampled_from([2, 5, 7]), max_size=2).map(tuple),
    provider_id=st.none() | st.sampled_from([101, 103]),
    employer_id=st.none() | st.sampled_from([201, 202]),
    legal_entity_id=st.none() | st.sampled_from([301, 302]),
    national_only=st.booleans(),
    exclude_national=st.booleans(),
    employer_name=st.none() | st.sampled_from(["acme foods", " ACME FOODS  ", "acme", "zzz"]),
    per_location=st.booleans(),
)


Item = tuple[IndexRow, int | None, float | None]


def reference_search(
    rows: list[IndexRow], points: list[tuple[int, float, float]], query: SearchQuery
) -> tuple[list[int], list[float | None], list[int | None], int, int]:
    """What the search must answer, the plain way: (references, distances, address
    positions, total, total filtered)."""
    live = [row for row in rows if row.closing_date >= TODAY]
    places: dict[int, list[tuple[float, float]]] = {}
    for advert_id, lat, lon in points:
        places.setdefault(advert_id, []).append((lat, lon))
    point = query.latitude is not None and query.longitude is not None
    found: list[Item] = []
    for row in live:
        if query.posted_since is not None and row.posted_at < query.posted_since:
            continue
        if query.lars_codes and row.lars_code not in query.lars_codes:
            continue
        if query.route_ids and row.route_id not in query.route_ids:
            continue
        if query.provider_id is not None and row.provider_id != query.provider_id:
            continue
        if query.employer_id is not None and row.employer_id != query.employer_id:
            continue
        if query.legal_entity_id is not None and row.legal_entity_id != query.legal_entity_id:
            continue
        if query.national_only and not row.is_national:
            continue
        if query.exclude_national and row.is_national:
            continue
        if (
            query.employer_name
            and query.employer_name.strip().casefold() != row.employer_name.strip().casefold()
        ):
            continue
        miles: list[float] = []
        if point:
            assert query.latitude is not None
            assert query.longitude is not None
            miles = [
                reference_miles(query.latitude, query.longitude, lat, lon)
                for lat, lon in places.get(row.id, [])
            ]
        items: list[tuple[int | None, float | None]]
        if query.per_location:
            items = [(i, miles[i] if point else None) for i in range(len(places.get(row.id, [])))]
            items = items or [(None, None)]
        else:
            items = [(None, min(miles) if miles else None)]
        for position, distance in items:
            if (
                point
                and query.distance_miles is not None
                and distance is not None
                and distance > query.distance_miles
            ):
                continue  # adverts with no location match any distance
            found.append((row, position, distance))

    def ties(item: Item) -> tuple[object, ...]:
        row, position, _ = item
        return (
            row.title,
            COURSES[row.lars_code],
            row.employer_name,
            PROVIDERS[row.provider_id],
            row.reference,
            -1 if position is None else position,
        )

    def primary(item: Item) -> float:
        row, _, distance = item
        if query.sort is Sort.AGE_DESC:  # oldest first
            return row.posted_at.timestamp()
        if query.sort is Sort.AGE_ASC:
            return -row.posted_at.timestamp()
        if query.sort is Sort.START_ASC:
            return row.start_date.toordinal()
        if query.sort is Sort.START_DESC:
            return -row.start_date.toordinal()
        if not point:
            return 0.0  # a distance sort without a point: the tie-breakers alone
        if distance is None:
            return math.inf  # no location: last in both directions
        return distance if query.sort is Sort.DISTANCE_ASC else -distance

    found.sort(key=lambda item: (primary(item), ties(item)))
    start = (query.page_number - 1) * query.page_size
    page = found[start : start + query.page_size]
    if query.per_location:
        total = sum(max(len(places.get(row.id, [])), 1) for row in live)
    else:
        total = len(live)
    return (
        [row.reference for row, _, _ in page],
        [d for _, _, d in page],
        [p for _, p, _ in page],
        total,
        len(found),
    )


@given(data=adverts(), query=queries)
def test_index_matches_the_reference_implementation(data: Data, query: SearchQuery) -> None:
    rows, points = data
    if len({row.reference for row in rows}) != len(rows):
        return  # references are unique in the database
    _assert_matches(build(rows, points).search(query, NOW), rows, points, query)


def _assert_matches(
    result: SearchResult,
    rows: list[IndexRow],
    points: list[tuple[int, float, float]],
    query: SearchQuery,
) -> None:
    references, distances, positions, total, total_filtered = reference_search(rows, points, query)
    assert (result.total, result.total_filtered) == (total, total_filtered)
    assert result.references == references
    assert result.positions == positions
    for got, expected in zip(result.distances, distances, strict=True):
        assert (got is None) == (expected is None)
        if got is not None and expected is not None:
            assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9)


@given(
    data=adverts(),
    changed=st.sets(st.integers(1, 60)),
    withdrawn=st.sets(st.integers(1, 60)),
    query=queries,
)
def test_a_base_index_with_a_delta_answers_as_one_index_of_every_live_advert(
    data: Data,
    changed: set[int],
    withdrawn: set[int],
    query: SearchQuery,
) -> None:
    """Adverts that changed after the base was built (``changed``: now in the delta, with
    a new posted date; ``withdrawn``: no longer live) are hidden from the base; the two
    together must answer exactly as one index built from scratch."""
    rows, points = data
    if len({row.reference for row in rows}) != len(rows):
        return
    base = build(rows, points)
    now_rows = {row.id: row for row in rows if row.id not in withdrawn}
    delta_rows = [
        now_rows[i]._replace(posted_at=NOW - timedelta(minutes=i))
        for i in sorted(changed)
        if i in now_rows
    ]
    delta_ids = {row.id for row in delta_rows}
    hidden = [row.reference for row in rows if row.id in changed or row.id in withdrawn]
    delta = build(delta_rows, [p for p in points if p[0] in delta_ids])
    combined = SegmentedIndex(base.hiding(hidden), delta)
    final = [
        row for row in rows if row.id not in withdrawn and row.id not in delta_ids
    ] + delta_rows
    _assert_matches(combined.search(query, NOW), final, points, query)


unfiltered_queries = st.builds(
    SearchQuery,
    page_number=st.integers(1, 8),
    page_size=st.integers(1, 40),
    sort=st.sampled_from(list(Sort)),
    per_location=st.booleans(),
)


@given(data=adverts(), query=unfiltered_queries, hidden=st.sets(st.integers(1, 60)))
def test_searches_without_filters_walk_the_precomputed_order_correctly(
    data: Data,
    query: SearchQuery,
    hidden: set[int],
) -> None:
    """The common search with no filter takes a shortcut through the sort order; it must
    answer as the reference does, with closed and hidden adverts skipped."""
    rows, points = data
    if len({row.reference for row in rows}) != len(rows):
        return
    index = build(rows, points)
    _assert_matches(index.search(query, NOW), rows, points, query)
    visible = [row for row in rows if row.id not in hidden]
    hiding = index.hiding(row.reference for row in rows if row.id in hidden)
    _assert_matches(SegmentedIndex(hiding).search(query, NOW), visible, points, query)


def test_closed_adverts_never_appear_even_before_the_index_is_rebuilt() -> None:
    rows = [
        IndexRow(
            1,
            1_000_000_001,
            NOW,
            TODAY + timedelta(days=30),
            TODAY,
            2,
            7,
            101,
            201,
            301,
            False,
            "Acme",
            "Apprentice",
        ),
        IndexRow(
            2,
            1_000_000_002,
            NOW,
            TODAY + timedelta(days=30),
            TODAY + timedelta(days=1),
            2,
            7,
            101,
            201,
            301,
            False,
            "Acme",
            "Apprentice",
        ),
    ]
    index = SearchIndex.build(rows, [], TODAY)
    # Posted together: the reference breaks the tie.
    assert index.search(SearchQuery(), NOW).references == [1_000_000_001, 1_000_000_002]
    tomorrow = NOW + timedelta(days=1)
    result = index.search(SearchQuery(), tomorrow)
    assert (result.references, result.total, result.total_filtered) == ([1_000_000_002], 1, 1)
