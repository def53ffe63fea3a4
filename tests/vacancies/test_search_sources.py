"""The search index's data source column (compatibility.md D16): searching some sources is
the same as searching an index of only their adverts, and the per-day masks behind it
follow the day, hidden adverts and the delta."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from apprenticeships.vacancies.search import (
    IndexRow,
    SearchIndex,
    SearchQuery,
    SegmentedIndex,
    Sort,
)
from apprenticeships.vacancies.vocabulary import DataSource

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
TOWNS = [(53.7997, -1.5492), (51.5074, -0.1278), (53.959, -1.0815)]
Points = list[tuple[int, float, float]]


def row(number: int, source: DataSource, closes_in: int = 10, **fields: object) -> IndexRow:
    values: dict[str, object] = {
        "id": number,
        "reference": 1_000_000_000 + number,
        "posted_at": NOW - timedelta(hours=number),
        "start_date": TODAY + timedelta(days=30 + number % 7),
        "closing_date": TODAY + timedelta(days=closes_in),
        "lars_code": 2,
        "route_id": 7,
        "provider_id": 101,
        "employer_id": 201,
        "legal_entity_id": 301,
        "is_national": False,
        "employer_name": "Acme",
        "title": "Apprentice",
        "data_source": source,
    }
    values.update(fields)
    return IndexRow(**values)  # type: ignore[arg-type]


@st.composite
def adverts(draw: st.DrawFn) -> tuple[list[IndexRow], Points]:
    rows: list[IndexRow] = []
    points: Points = []
    for number in range(1, draw(st.integers(0, 40)) + 1):
        national = draw(st.integers(0, 9)) == 0
        rows.append(
            row(
                number,
                draw(st.sampled_from(list(DataSource))),
                closes_in=draw(st.integers(-2, 20)),
                lars_code=draw(st.sampled_from([2, 103, 196])),
                provider_id=draw(st.sampled_from([101, 102])),
                is_national=national,
            )
        )
        if not national:
            lat, lon = draw(st.sampled_from(TOWNS))
            points.append((number, lat + draw(st.floats(-0.2, 0.2)), lon))
    return rows, points


queries = st.builds(
    SearchQuery,
    page_number=st.integers(1, 3),
    page_size=st.integers(1, 12),
    sort=st.sampled_from(list(Sort)),
    latitude=st.none() | st.just(53.8),
    longitude=st.just(-1.5),
    distance_miles=st.none() | st.integers(0, 150),
    lars_codes=st.lists(st.sampled_from([2, 103, 196]), max_size=2).map(tuple),
    provider_id=st.none() | st.just(102),
    per_location=st.booleans(),
)
source_sets = st.sets(st.sampled_from(list(DataSource)), min_size=1).map(frozenset)


@given(data=adverts(), query=queries, sources=source_sets)
def test_D16_searching_some_sources_is_searching_only_their_adverts(
    data: tuple[list[IndexRow], Points], query: SearchQuery, sources: frozenset[DataSource]
) -> None:
    rows, points = data
    kept = [r for r in rows if r.data_source in sources]
    kept_ids = {r.id for r in kept}
    whole = SearchIndex.build(rows, points, TODAY)
    only = SearchIndex.build(kept, [p for p in points if p[0] in kept_ids], TODAY)
    expected = only.search(replace(query, sources=frozenset(DataSource)), NOW)
    assert whole.search(replace(query, sources=sources), NOW) == expected
    # Asked again (the mask is kept), the answer is the same.
    assert whole.search(replace(query, sources=sources), NOW) == expected


def test_D16_only_raa_adverts_by_default() -> None:
    index = SearchIndex.build(
        [row(1, DataSource.RAA), row(2, DataSource.NHS), row(3, DataSource.CSJ)], [], TODAY
    )
    found = index.search(SearchQuery(), NOW)
    assert (found.references, found.total, found.total_filtered) == ([1_000_000_001], 1, 1)
    every = index.search(SearchQuery(sources=frozenset(DataSource)), NOW)
    assert every.references == [1_000_000_003, 1_000_000_002, 1_000_000_001]  # oldest first
    assert every.total == 3


def test_D16_source_masks_follow_the_day_hidden_adverts_and_the_delta() -> None:
    sources = frozenset({DataSource.RAA, DataSource.NHS})
    rows = [
        row(1, DataSource.RAA, closes_in=1),
        row(2, DataSource.NHS, closes_in=1),
        row(3, DataSource.NHS, closes_in=5),
        row(4, DataSource.CSJ, closes_in=5),
    ]
    index = SearchIndex.build(rows, [], TODAY)
    assert index.search(SearchQuery(sources=sources), NOW).total == 3
    # Two days on, the adverts closing tomorrow have gone from the mask too.
    later = index.search(SearchQuery(sources=sources), NOW + timedelta(days=2))
    assert (later.references, later.total) == ([1_000_000_003], 1)
    assert index.search(SearchQuery(sources=sources), NOW).total == 3
    # An advert hidden from the base (it changed) leaves the mask of the new index only.
    hidden = index.hiding([1_000_000_003])
    assert hidden.search(SearchQuery(sources=sources), NOW).total == 2
    assert index.search(SearchQuery(sources=sources), NOW).total == 3
    # The changed advert, now a Civil Service Jobs one, in the delta.
    delta = SearchIndex.build([row(3, DataSource.CSJ, closes_in=5)], [], TODAY)
    both = SegmentedIndex(hidden, delta)
    assert both.search(SearchQuery(sources=sources), NOW).total == 2
    every = both.search(SearchQuery(sources=frozenset(DataSource)), NOW)
    assert (every.total, every.total_filtered) == (4, 4)
    assert sorted(every.references) == [1_000_000_001 + n for n in range(4)]
