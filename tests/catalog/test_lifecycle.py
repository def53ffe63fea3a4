from __future__ import annotations

from datetime import UTC, datetime

import pytest

from apprenticeships.catalog.lifecycle import VersionState, add_months, version_statuses

JAN = datetime(2026, 1, 31, 12, tzinfo=UTC)


def at(month: int, day: int = 1) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (JAN, 1, datetime(2026, 2, 28, 12, tzinfo=UTC)),
        (JAN, 3, datetime(2026, 4, 30, 12, tzinfo=UTC)),
        (datetime(2026, 11, 15, tzinfo=UTC), 3, datetime(2027, 2, 15, tzinfo=UTC)),
        (datetime(2027, 11, 30, tzinfo=UTC), 3, datetime(2028, 2, 29, tzinfo=UTC)),
    ],
)
def test_add_months_clamps_to_the_end_of_month(
    start: datetime, months: int, expected: datetime
) -> None:
    assert add_months(start, months) == expected


def test_previous_version_is_deprecated_for_three_months_then_decommissioned() -> None:
    releases = [(1, at(1)), (2, at(3))]
    during = version_statuses(releases, [1, 2], at(5, 31), 3)
    assert [(s.version, s.state) for s in during] == [
        (1, VersionState.DEPRECATED),
        (2, VersionState.CURRENT),
    ]
    assert during[0].deprecated_at == at(3)
    assert during[0].sunset_at == at(6)
    assert during[0].successor == 2
    after = version_statuses(releases, [1, 2], at(6), 3)
    assert [s.state for s in after] == [VersionState.DECOMMISSIONED, VersionState.CURRENT]


def test_only_two_versions_are_ever_live() -> None:
    releases = [(1, at(1)), (2, at(3)), (3, at(4))]
    statuses = version_statuses(releases, [1, 2, 3], at(4, 2), 3)
    assert [s.state for s in statuses] == [
        VersionState.DECOMMISSIONED,
        VersionState.DEPRECATED,
        VersionState.CURRENT,
    ]
    # Version 1 ended when version 3 came out, before its own three months were up.
    assert statuses[0].sunset_at == at(4)
    assert statuses[0].successor == 3


def test_declared_but_unreleased_and_future_versions_are_not_served() -> None:
    statuses = version_statuses([(1, at(1)), (2, at(9))], [1, 2, 3], at(5), 3)
    assert [(s.version, s.state) for s in statuses] == [
        (1, VersionState.CURRENT),
        (2, VersionState.UNRELEASED),
        (3, VersionState.UNRELEASED),
    ]
