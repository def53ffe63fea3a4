"""What the portal shows of a key's or an organisation's usage, read from the hourly
counts.

Time is in whole UTC hours. "The last 24 hours" is the current hour (so far) and the 23
before it; the chart's 7 days are the current hour and the 167 before it, oldest first,
every hour present (zero when nothing was counted). Counts reach the database in the
gateway's batches, a few seconds after the requests.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.acting import Acting, authorise
from apprenticeships.accounts.repository import MembershipRepository
from apprenticeships.errors import NotFound
from apprenticeships.usage.repository import KeyUse, UsageRepository
from apprenticeships.usage.vocabulary import StatusClass

HOUR = timedelta(hours=1)
SUMMARY_HOURS = 24
CHART_HOURS = 7 * 24
# Said when a person may no longer act for the organisation they ask about.
MEMBERS_ONLY = "You cannot see this organisation's usage"
# How long hourly counts are kept; older ones are deleted (``gateway/usage.py`` prunes).
RETENTION = timedelta(days=90)


def hour_start(moment: datetime) -> datetime:
    """The start of the UTC hour an aware ``moment`` falls in, as stored."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def retention_cutoff(now: datetime) -> datetime:
    """Counts of hours that started before this are older than the retention period."""
    return hour_start(now) - RETENTION


@dataclass(frozen=True, slots=True)
class StatusMix:
    """Requests by the class of their answer."""

    success: int = 0  # 2xx
    redirection: int = 0  # 3xx
    client_error: int = 0  # 4xx other than 429
    rate_limited: int = 0  # 429
    server_error: int = 0  # 5xx

    @classmethod
    def of(cls, counts: Mapping[StatusClass, int]) -> StatusMix:
        return cls(
            success=counts.get(StatusClass.SUCCESS, 0),
            redirection=counts.get(StatusClass.REDIRECTION, 0),
            client_error=counts.get(StatusClass.CLIENT_ERROR, 0),
            rate_limited=counts.get(StatusClass.RATE_LIMITED, 0),
            server_error=counts.get(StatusClass.SERVER_ERROR, 0),
        )

    @property
    def requests(self) -> int:
        return (
            self.success
            + self.redirection
            + self.client_error
            + self.rate_limited
            + self.server_error
        )

    def count(self, status_class: StatusClass) -> int:
        return {
            StatusClass.SUCCESS: self.success,
            StatusClass.REDIRECTION: self.redirection,
            StatusClass.CLIENT_ERROR: self.client_error,
            StatusClass.RATE_LIMITED: self.rate_limited,
            StatusClass.SERVER_ERROR: self.server_error,
        }[status_class]


@dataclass(frozen=True, slots=True)
class HourUsage:
    """One hour of a chart: it starts at ``hour`` (UTC)."""

    hour: datetime
    mix: StatusMix

    @property
    def requests(self) -> int:
        return self.mix.requests

    @property
    def rate_limited(self) -> int:
        return self.mix.rate_limited


@dataclass(frozen=True, slots=True)
class UsageChart:
    """Requests per hour, oldest hour first, the last one the current hour; ``mix`` adds
    up every hour."""

    hours: tuple[HourUsage, ...]
    mix: StatusMix

    @property
    def start(self) -> datetime:
        """When the first hour starts."""
        return self.hours[0].hour

    @property
    def end(self) -> datetime:
        """When the last hour (the current one) ends."""
        return self.hours[-1].hour + HOUR

    @property
    def requests(self) -> int:
        return self.mix.requests

    @property
    def rate_limited(self) -> int:
        return self.mix.rate_limited


@dataclass(frozen=True, slots=True)
class KeySummary:
    """What a key's row on the API list shows of its use: requests and 429s in the last
    24 hours, and when it was last used (``None``: never)."""

    key_id: str
    requests: int
    rate_limited: int
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class OrganisationUsage:
    """An organisation's usage page: all its keys' requests per hour over the last 7
    days, and each key that worked in that time or works now, with its own totals."""

    chart: UsageChart
    keys: tuple[KeyUse, ...]


@dataclass(frozen=True, slots=True)
class KeyUsage:
    """One key's usage page: its requests per hour over the last 7 days."""

    key: KeyUse
    chart: UsageChart


class UsageService:
    """Reads only: hand it a read session (never committed) and a clock.

    ``organisation_usage`` and ``key_usage`` are for people acting for an organisation:
    they check on every call that the person may still act for it (any role may see its
    usage), so nothing a session kept is trusted."""

    def __init__(self, session: AsyncSession, clock: Callable[[], datetime]) -> None:
        self._repository = UsageRepository(session)
        self._memberships = MembershipRepository(session)
        self._clock = clock

    async def _organisation_of(self, acting: Acting) -> int:
        _, organisation = await authorise(self._memberships, acting, lambda _: True, MEMBERS_ONLY)
        return organisation.id

    async def organisation_usage(self, acting: Acting) -> OrganisationUsage:
        """The acting person's organisation's last 7 days (``Forbidden`` when they may no
        longer act for it). Keys that no longer work are listed only if they were used
        in that time."""
        organisation_id = await self._organisation_of(acting)
        start, end = self._window(CHART_HOURS)
        hours = await self._repository.organisation_hours(organisation_id, start, end)
        now = self._clock()
        keys = [
            key
            for key in await self._repository.key_uses(organisation_id, start, end)
            if key.requests or _works(key, now)
        ]
        return OrganisationUsage(_chart(start, hours), tuple(keys))

    async def key_usage(self, acting: Acting, key_id: str) -> KeyUsage:
        """One of the organisation's keys over the last 7 days: ``NotFound`` for any
        other key, whoever's it is, as for one that never existed."""
        organisation_id = await self._organisation_of(acting)
        start, end = self._window(CHART_HOURS)
        found = await self._repository.key_uses(organisation_id, start, end, [key_id])
        if not found:
            raise NotFound("There is no such key.")
        counts = await self._repository.key_hours(key_id, start, end)
        chart = _chart(start, ((c.hour, c.status_class, c.requests) for c in counts))
        return KeyUsage(found[0], chart)

    def _window(self, hours: int) -> tuple[datetime, datetime]:
        """The last ``hours`` hours, the current one included: [start, end)."""
        end = hour_start(self._clock()) + HOUR
        return end - hours * HOUR, end

    async def key_summaries(
        self, organisation_id: int, key_ids: Collection[str] | None = None
    ) -> dict[str, KeySummary]:
        """Every key of the organisation (or those of ``key_ids`` that are its; others
        are left out) by key id, in one query."""
        start, end = self._window(SUMMARY_HOURS)
        totals = await self._repository.key_totals(organisation_id, start, end, key_ids)
        return {
            t.key_id: KeySummary(t.key_id, t.requests, t.rate_limited, t.last_used_at)
            for t in totals
        }

    async def key_chart(self, organisation_id: int, key_id: str) -> UsageChart:
        """The key's requests per hour over the last 7 days. ``NotFound`` when the
        organisation has no such key."""
        if not await self._repository.key_of_organisation(organisation_id, key_id):
            raise NotFound("There is no such key.")
        start, end = self._window(CHART_HOURS)
        counts = await self._repository.key_hours(key_id, start, end)
        return _chart(start, ((c.hour, c.status_class, c.requests) for c in counts))

    async def organisation_chart(self, organisation_id: int) -> UsageChart:
        """All the organisation's keys' requests per hour over the last 7 days."""
        start, end = self._window(CHART_HOURS)
        return _chart(start, await self._repository.organisation_hours(organisation_id, start, end))


def _works(key: KeyUse, now: datetime) -> bool:
    return key.revoked_at is None and (key.expires_at is None or key.expires_at > now)


def _chart(start: datetime, counts: Iterable[tuple[datetime, StatusClass, int]]) -> UsageChart:
    by_hour: dict[datetime, dict[StatusClass, int]] = {}
    for hour, status_class, requests in counts:
        classes = by_hour.setdefault(hour, {})
        classes[status_class] = classes.get(status_class, 0) + requests
    hours = tuple(
        HourUsage(hour, StatusMix.of(by_hour.get(hour, {})))
        for hour in (start + index * HOUR for index in range(CHART_HOURS))
    )
    total: dict[StatusClass, int] = {}
    for classes in by_hour.values():
        for status_class, requests in classes.items():
            total[status_class] = total.get(status_class, 0) + requests
    return UsageChart(hours, StatusMix.of(total))
