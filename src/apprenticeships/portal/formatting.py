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


def when(moment: datetime) -> str:
    """An aware ``moment`` as people in the UK read it; UTC when the system has no
    time zone data (then it says so)."""
    zone = _uk()
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    clock = f"{hour}{local:%p}".lower() if local.minute == 0 else f"{hour}:{local:%M%p}".lower()
    if hour == 12 and local.minute == 0:
        clock = "midday" if local.hour == 12 else "midnight"
    text = f"{local.day} {local:%B %Y} at {clock}"
    return text + " UTC" if zone is UTC else text
