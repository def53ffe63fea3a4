"""Which class a response's status is counted under."""

from __future__ import annotations

import pytest

from apprenticeships.usage.vocabulary import StatusClass, status_class


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, StatusClass.SUCCESS),
        (201, StatusClass.SUCCESS),
        (299, StatusClass.SUCCESS),
        (300, StatusClass.REDIRECTION),
        (304, StatusClass.REDIRECTION),
        (399, StatusClass.REDIRECTION),
        (400, StatusClass.CLIENT_ERROR),
        (401, StatusClass.CLIENT_ERROR),
        (428, StatusClass.CLIENT_ERROR),
        (429, StatusClass.RATE_LIMITED),
        (430, StatusClass.CLIENT_ERROR),
        (499, StatusClass.CLIENT_ERROR),
        (500, StatusClass.SERVER_ERROR),
        (503, StatusClass.SERVER_ERROR),
        (599, StatusClass.SERVER_ERROR),
    ],
)
def test_each_status_falls_in_its_class_and_429_stands_apart(
    status: int, expected: StatusClass
) -> None:
    assert status_class(status) is expected


def test_stored_values_are_the_ones_the_table_allows() -> None:
    assert [c.value for c in StatusClass] == ["2xx", "3xx", "4xx", "429", "5xx"]
