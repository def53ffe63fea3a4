"""The usage chart's geometry: round scales, bars to scale and stacked in order, a mark at
each midnight, and hour labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apprenticeships.portal.charts import (
    PLOT_HEIGHT,
    PLOT_TOP,
    SLOT,
    chart_view,
    day_label,
    hour_label,
    nice_step,
)
from apprenticeships.usage.service import CHART_HOURS, HourUsage, StatusMix, UsageChart
from apprenticeships.usage.vocabulary import StatusClass

START = datetime(2026, 3, 3, 15, tzinfo=UTC)  # a Tuesday, 3pm


def chart(counts: dict[int, StatusMix], start: datetime = START) -> UsageChart:
    hours = tuple(
        HourUsage(start + timedelta(hours=i), counts.get(i, StatusMix()))
        for i in range(CHART_HOURS)
    )
    return UsageChart(hours, StatusMix())


@pytest.mark.parametrize(
    ("largest", "step"),
    [(0, 1), (3, 1), (4, 1), (5, 2), (9, 5), (10, 5), (19, 5), (41, 20), (150, 50), (999, 500)],
)
def test_steps_are_round_and_cover_the_busiest_hour_in_about_four(largest: int, step: int) -> None:
    found = nice_step(largest)
    assert found == step
    assert str(found).strip("0") in ("1", "2", "5")


def test_bars_are_to_scale_and_stack_successes_first() -> None:
    view = chart_view(
        chart({0: StatusMix(success=30, rate_limited=10), 5: StatusMix(server_error=7)})
    )
    assert view.scale == 40
    assert [t.value for t in view.ticks] == [0, 10, 20, 30, 40]
    assert view.ticks[0].y == PLOT_TOP + PLOT_HEIGHT and view.ticks[-1].y == PLOT_TOP
    first, second, third = view.bars
    assert (first.status_class, first.requests) == (StatusClass.SUCCESS, 30)
    assert first.height == PLOT_HEIGHT * 30 / 40
    assert first.y + first.height == view.baseline
    assert (second.status_class, second.requests) == (StatusClass.RATE_LIMITED, 10)
    assert second.y + second.height == first.y == PLOT_TOP + PLOT_HEIGHT / 4
    assert second.y == PLOT_TOP  # the busiest hour reaches the top of the scale
    assert third.x - first.x == 5 * SLOT
    assert third.height == pytest.approx(PLOT_HEIGHT * 7 / 40, abs=0.01)
    assert (view.busiest, view.busiest_requests) == (START, 40)


def test_midnights_are_marked_with_their_day() -> None:
    view = chart_view(chart({}))
    # From Tuesday 3pm: Wednesday to Monday start inside the 168 hours.
    assert [d.label for d in view.days] == [
        "Wed 4 Mar", "Thu 5 Mar", "Fri 6 Mar", "Sat 7 Mar", "Sun 8 Mar", "Mon 9 Mar", "Tue 10 Mar",
    ]  # fmt: skip
    assert view.days[0].x == view.plot_left + 9 * SLOT
    assert all(d.labelled for d in view.days)
    # A day that starts in the chart's last hours has its line but no label.
    late = chart_view(chart({}, start=START + timedelta(hours=11)))  # from 2am
    assert [(d.label, d.labelled) for d in late.days][-1] == ("Wed 11 Mar", False)
    assert view.bars == () and view.busiest is None and view.scale == 1


@pytest.mark.parametrize(
    ("hour", "label"),
    [(0, "Tue 3 Mar, midnight to 1am"), (11, "Tue 3 Mar, 11am to midday"),
     (12, "Tue 3 Mar, midday to 1pm"), (23, "Tue 3 Mar, 11pm to midnight")],
)  # fmt: skip
def test_hours_are_named_in_words(hour: int, label: str) -> None:
    assert hour_label(datetime(2026, 3, 3, hour, tzinfo=UTC)) == label
    assert day_label(datetime(2026, 3, 3, hour, tzinfo=UTC)) == "Tue 3 Mar"
