"""How the portal writes times for people: UK time, in GOV.UK's style
("3 June 2025 at 2:05pm")."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@cache
def _uk() -> tzinfo:
    try:
        return ZoneInfo("Europe/London")
    except ZoneInfoNotFoundError:  # a system without time zone data: say UTC instead
        return UTC


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def when(moment: datetime) -> str:
    """An aware ``moment`` as people in the UK read it; UTC when the system has no
    time zone data (then it says so). Not ``strftime``: its names follow the locale."""
    zone = _uk()
    local = moment.astimezone(zone)
    if (local.hour, local.minute) == (12, 0):
        clock = "midday"
    elif (local.hour, local.minute) == (0, 0):
        clock = "midnight"
    else:
        minutes = f":{local.minute:02d}" if local.minute else ""
        clock = f"{local.hour % 12 or 12}{minutes}{'am' if local.hour < 12 else 'pm'}"
    text = f"{local.day} {MONTHS[local.month - 1]} {local.year} at {clock}"
    return text + " UTC" if zone is UTC else text
