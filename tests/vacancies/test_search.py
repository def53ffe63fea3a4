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
_EMPLOYER_NAMES = st.sampled_from(
    ["Acme Engineering", "ACME Foods", "Brightway Care", "A leading retailer"]
)
_ADDRESSES = st.integers(1, 3)
_TOWNS = st.sampled_from(TOWNS)
_NEARBY = st.floats(-0.3, 0.3)


@st.composite
def adverts(draw: st.DrawFn) -> tuple[list[IndexRow], list[tuple[int, float, float]]]:
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
            )
        )
        if not national:
            for _ in range(draw(_ADDRESSES)):
                lat, lon = draw(_TOWNS)
                points.append((number + 1, lat + draw(_NEARBY), lon + draw(_NEARBY)))
    return rows, points


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
    employer_name=st.none() | st.sampled_from(["acme", "CARE", "zzz"]),
)


def reference_search(
    rows: list[IndexRow], points: list[tuple[int, float, float]], query: SearchQuery
) -> tuple[list[int], list[float | None], int, int]:
    live = [row for row in rows if row.closing_date >= TODAY]
    point = query.latitude is not None and query.longitude is not None
    found = []
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
            and query.employer_name.casefold() not in row.employer_name.casefold()
        ):
            continue
        distance = None
        if point:
            assert query.latitude is not None
            assert query.longitude is not None
            miles = [
                reference_miles(query.latitude, query.longitude, lat, lon)
                for v, lat, lon in points
                if v == row.id
            ]
            distance = min(miles) if miles else None
            if query.distance_miles is not None and (
                distance is None or distance > query.distance_miles
            ):
                continue
        found.append((row, distance))
    sort = query.sort
    if sort in (Sort.DISTANCE_ASC, Sort.DISTANCE_DESC) and not point:
        sort = Sort.AGE_DESC
    keys = {
        Sort.AGE_DESC: lambda item: (-item[0].posted_at.timestamp(), item[0].reference),
        Sort.AGE_ASC: lambda item: (item[0].posted_at.timestamp(), item[0].reference),
        Sort.START_ASC: lambda item: (item[0].start_date, item[0].reference),
        Sort.START_DESC: lambda item: (-item[0].start_date.toordinal(), item[0].reference),
        Sort.DISTANCE_ASC: lambda item: (
            math.inf if item[1] is None else item[1],
            item[0].reference,
        ),
        Sort.DISTANCE_DESC: lambda item: (1.0 if item[1] is None else -item[1], item[0].reference),
    }
    found.sort(key=keys[sort])
    start = (query.page_number - 1) * query.page_size
    page = found[start : start + query.page_size]
    return [row.reference for row, _ in page], [d for _, d in page], len(live), len(found)


@given(data=adverts(), query=queries)
def test_index_matches_the_reference_implementation(
    data: tuple[list[IndexRow], list[tuple[int, float, float]]], query: SearchQuery
) -> None:
    rows, points = data
    if len({row.reference for row in rows}) != len(rows):
        return  # references are unique in the database
    _assert_matches(SearchIndex.build(rows, points, TODAY).search(query, NOW), rows, points, query)


def _assert_matches(
    result: SearchResult,
    rows: list[IndexRow],
    points: list[tuple[int, float, float]],
    query: SearchQuery,
) -> None:
    references, distances, total, total_filtered = reference_search(rows, points, query)
    assert (result.total, result.total_filtered) == (total, total_filtered)
    assert result.references == references
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
    data: tuple[list[IndexRow], list[tuple[int, float, float]]],
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
    base = SearchIndex.build(rows, points, TODAY)
    now_rows = {row.id: row for row in rows if row.id not in withdrawn}
    delta_rows = [
        now_rows[i]._replace(posted_at=NOW - timedelta(minutes=i))
        for i in sorted(changed)
        if i in now_rows
    ]
    delta_ids = {row.id for row in delta_rows}
    hidden = [row.reference for row in rows if row.id in changed or row.id in withdrawn]
    delta = SearchIndex.build(delta_rows, [p for p in points if p[0] in delta_ids], TODAY)
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
)


@given(data=adverts(), query=unfiltered_queries, hidden=st.sets(st.integers(1, 60)))
def test_searches_without_filters_walk_the_precomputed_order_correctly(
    data: tuple[list[IndexRow], list[tuple[int, float, float]]],
    query: SearchQuery,
    hidden: set[int],
) -> None:
    """The common search with no filter takes a shortcut through the sort order; it must
    answer as the reference does, with closed and hidden adverts skipped."""
    rows, points = data
    if len({row.reference for row in rows}) != len(rows):
        return
    index = SearchIndex.build(rows, points, TODAY)
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
        ),
    ]
    index = SearchIndex.build(rows, [], TODAY)
    # Posted together: the reference breaks the tie.
    assert index.search(SearchQuery(), NOW).references == [1_000_000_001, 1_000_000_002]
    tomorrow = NOW + timedelta(days=1)
    result = index.search(SearchQuery(), tomorrow)
    assert (result.references, result.total, result.total_filtered) == ([1_000_000_002], 1, 1)
