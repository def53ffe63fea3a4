"""The usage chart's geometry: requests per hour over 7 days as stacked bars, one per
hour, coloured by the class of the answers, drawn server-side as SVG (no JavaScript).

This module only computes where everything goes; ``templates/_usage.html`` writes the
SVG. Heights are to scale: a bar's height is its requests over the top of the axis
times the plot's height, and a bar's parts stack in ``STACK_ORDER``, so each part's
height is its class's share. The same figures go in a table beside the chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from apprenticeships.usage.service import UsageChart
from apprenticeships.usage.vocabulary import StatusClass

# Bottom to top: what worked at the bottom, then what did not.
STACK_ORDER = (
    StatusClass.SUCCESS,
    StatusClass.REDIRECTION,
    StatusClass.CLIENT_ERROR,
    StatusClass.RATE_LIMITED,
    StatusClass.SERVER_ERROR,
)
LABELS = {
    StatusClass.SUCCESS: "Successful (2xx)",
    StatusClass.REDIRECTION: "Redirected (3xx)",
    StatusClass.CLIENT_ERROR: "Client errors (4xx other than 429)",
    StatusClass.RATE_LIMITED: "Rate limited (429)",
    StatusClass.SERVER_ERROR: "Server errors (5xx)",
}

# The drawing, in SVG user units (the SVG scales to the page's width).
SLOT = 5.0  # each hour's width
BAR = 4.0  # a bar's width within its slot
PLOT_LEFT = 56.0  # room for the axis's figures
PLOT_TOP = 12.0
PLOT_HEIGHT = 200.0
BOTTOM = 34.0  # room for the days under the axis
RIGHT = 12.0
TARGET_TICKS = 4
# About the width of the longest day label ("Wed 30 Sep") at the axis's font size.
DAY_LABEL_WIDTH = 64.0
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Bar:
    """One class's part of one hour's bar."""

    hour: datetime
    status_class: StatusClass
    requests: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Tick:
    """A figure on the vertical axis, with its grid line at ``y``."""

    value: int
    y: float


@dataclass(frozen=True, slots=True)
class DayMark:
    """The start of a day (midnight UTC) on the horizontal axis; its label is left out
    when it would run off the chart's end (in the day's first hours)."""

    x: float
    label: str
    labelled: bool = True


@dataclass(frozen=True, slots=True)
class ChartView:
    width: float
    height: float
    plot_left: float
    plot_top: float
    plot_width: float
    plot_height: float
    # The top of the vertical axis: a round number at or above the busiest hour.
    scale: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    days: tuple[DayMark, ...]
    busiest: datetime | None
    busiest_requests: int

    @property
    def baseline(self) -> float:
        return self.plot_top + self.plot_height

    @property
    def plot_right(self) -> float:
        return self.plot_left + self.plot_width


def nice_step(largest: int, ticks: int = TARGET_TICKS) -> int:
    """A round step (1, 2 or 5 times a power of ten) that covers ``largest`` in about
    ``ticks`` steps."""
    if largest <= ticks:
        return 1
    rough = largest / ticks
    power = 10 ** math.floor(math.log10(rough))
    for multiple in (1, 2, 5, 10):
        if multiple * power >= rough:
            return int(multiple * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def chart_view(chart: UsageChart) -> ChartView:
    largest = max((hour.requests for hour in chart.hours), default=0)
    step = nice_step(largest)
    scale = max(step, step * math.ceil(largest / step))
    plot_width = SLOT * len(chart.hours)
    baseline = PLOT_TOP + PLOT_HEIGHT

    def level(requests: int) -> float:
        return round(baseline - requests / scale * PLOT_HEIGHT, 2)

    bars: list[Bar] = []
    days: list[DayMark] = []
    for index, hour in enumerate(chart.hours):
        slot_x = PLOT_LEFT + index * SLOT
        if hour.hour.astimezone(UTC).hour == 0:
            fits = slot_x + DAY_LABEL_WIDTH <= PLOT_LEFT + plot_width + RIGHT
            days.append(DayMark(slot_x, day_label(hour.hour), fits))
        below = 0
        for status_class in STACK_ORDER:
            requests = hour.mix.count(status_class)
            if not requests:
                continue
            top, bottom = level(below + requests), level(below)
            bars.append(
                Bar(hour.hour, status_class, requests, slot_x + (SLOT - BAR) / 2, top, BAR,
                    round(bottom - top, 2))
            )  # fmt: skip
            below += requests
    ticks = tuple(Tick(value, level(value)) for value in range(0, scale + 1, step))
    busiest = max(chart.hours, key=lambda h: h.requests) if largest else None
    return ChartView(
        width=PLOT_LEFT + plot_width + RIGHT,
        height=PLOT_TOP + PLOT_HEIGHT + BOTTOM,
        plot_left=PLOT_LEFT,
        plot_top=PLOT_TOP,
        plot_width=plot_width,
        plot_height=PLOT_HEIGHT,
        scale=scale,
        bars=tuple(bars),
        ticks=ticks,
        days=tuple(days),
        busiest=busiest.hour if busiest is not None else None,
        busiest_requests=largest,
    )


def day_label(moment: datetime) -> str:
    """``Tue 10 Mar``; not ``strftime``, whose names follow the locale."""
    moment = moment.astimezone(UTC)
    return f"{WEEKDAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]}"


def hour_label(moment: datetime) -> str:
    """An hour as the table and the description name it: ``Tue 10 Mar, 2pm to 3pm``."""
    moment = moment.astimezone(UTC)
    return f"{day_label(moment)}, {_clock(moment.hour)} to {_clock((moment.hour + 1) % 24)}"


def _clock(hour: int) -> str:
    if hour == 0:
        return "midnight"
    if hour == 12:
        return "midday"
    return f"{hour % 12}{'am' if hour < 12 else 'pm'}"
