"""Times as the portal writes them: UK time, GOV.UK's style."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from apprenticeships.portal.formatting import when


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2025, 1, 15, 14, 5, tzinfo=UTC), "15 January 2025 at 2:05pm"),
        # British Summer Time: an hour ahead of UTC.
        (datetime(2025, 6, 3, 13, 0, tzinfo=UTC), "3 June 2025 at 2pm"),
        (datetime(2025, 6, 3, 11, 0, tzinfo=UTC), "3 June 2025 at midday"),
        (datetime(2025, 12, 31, 0, 0, tzinfo=UTC), "31 December 2025 at midnight"),
        (datetime(2025, 12, 31, 0, 30, tzinfo=UTC), "31 December 2025 at 12:30am"),
        (datetime(2025, 12, 31, 12, 30, tzinfo=UTC), "31 December 2025 at 12:30pm"),
        (datetime(2025, 3, 30, 0, 59, tzinfo=UTC), "30 March 2025 at 12:59am"),
        (datetime(2025, 3, 30, 1, 0, tzinfo=UTC), "30 March 2025 at 2am"),
    ],
)
def test_times_are_written_in_uk_time_in_govuk_style(moment: datetime, text: str) -> None:
    assert when(moment) == text
