"""The version lifecycle: current, deprecated for N months after its successor, then gone.

Pure functions over release dates, so the gateway can evaluate them per request from an
in-memory snapshot without touching the database.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class VersionState(StrEnum):
    CURRENT = "current"
    DEPRECATED = "deprecated"
    DECOMMISSIONED = "decommissioned"
    UNRELEASED = "unreleased"


@dataclass(frozen=True, slots=True)
class VersionStatus:
    version: int
    state: VersionState
    released_at: datetime | None
    deprecated_at: datetime | None = None
    sunset_at: datetime | None = None
    successor: int | None = None


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def version_statuses(
    releases: Iterable[tuple[int, datetime]],
    declared: Iterable[int],
    now: datetime,
    deprecation_months: int,
) -> list[VersionStatus]:
    """Every declared or released version with its state at ``now``, oldest first.

    A version is current when it is the newest released one. The one before it is
    deprecated until ``deprecation_months`` after its successor's release. Anything
    older is decommissioned: at most two versions are ever live.
    """
    released = sorted((v, at) for v, at in releases if at <= now)
    statuses: dict[int, VersionStatus] = {}
    for index, (version, released_at) in enumerate(released):
        if index == len(released) - 1:
            statuses[version] = VersionStatus(version, VersionState.CURRENT, released_at)
            continue
        _successor, successor_released = released[index + 1]
        sunset = add_months(successor_released, deprecation_months)
        if index + 2 < len(released):
            # A newer release retires this one at once if its period has not run out.
            sunset = min(sunset, released[index + 2][1])
        state = VersionState.DEPRECATED if now < sunset else VersionState.DECOMMISSIONED
        statuses[version] = VersionStatus(
            version, state, released_at, successor_released, sunset, released[-1][0]
        )
    for version in declared:
        statuses.setdefault(version, VersionStatus(version, VersionState.UNRELEASED, None))
    return [statuses[v] for v in sorted(statuses)]
