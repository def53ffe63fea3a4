"""SQL for the hourly usage counts."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.storage.models import ApiKey, KeyUsageHour, Subscription
from apprenticeships.usage.vocabulary import StatusClass


@dataclass(frozen=True, slots=True)
class HourCount:
    """Requests made with a key in the hour starting at ``hour`` that got one class of
    answer."""

    key_id: str
    hour: datetime
    status_class: StatusClass
    requests: int


@dataclass(frozen=True, slots=True)
class KeyTotals:
    """A key's requests since some hour, all of them and those answered 429."""

    key_id: str
    requests: int
    rate_limited: int
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class KeyUse:
    """A key of an organisation, as its usage page names it, with its requests since
    some hour: all of them and those answered 429."""

    key_id: str
    name: str
    fragment: str
    product_id: str
    environment: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    requests: int
    rate_limited: int


class UsageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, counts: Sequence[HourCount]) -> None:
        """Add ``counts`` to the stored ones, making rows that are not there yet.

        The database does the adding (``INSERT ... ON CONFLICT DO UPDATE SET requests =
        requests + excluded.requests``), so processes adding to one row at once never
        overwrite each other. Rows go in sorted, so two such batches take their row locks
        in the same order and cannot deadlock.
        """
        if not counts:
            return
        rows = [
            {
                "key_id": c.key_id,
                "hour": c.hour,
                "status_class": c.status_class,
                "requests": c.requests,
            }
            for c in sorted(counts, key=lambda c: (c.key_id, c.hour, c.status_class))
        ]
        dialect = self.session.get_bind().dialect.name
        insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(KeyUsageHour)
        statement = statement.on_conflict_do_update(
            index_elements=[KeyUsageHour.key_id, KeyUsageHour.hour, KeyUsageHour.status_class],
            set_={"requests": KeyUsageHour.requests + statement.excluded.requests},
        )
        await self.session.execute(statement, rows)

    async def delete_before(self, hour: datetime) -> int:
        """Delete the counts of every hour that started before ``hour``; how many rows."""
        result = await self.session.execute(delete(KeyUsageHour).where(KeyUsageHour.hour < hour))
        return int(getattr(result, "rowcount", 0) or 0)

    async def key_totals(
        self,
        organisation_id: int,
        start: datetime,
        end: datetime,
        key_ids: Collection[str] | None = None,
    ) -> list[KeyTotals]:
        """Every key of the organisation (or those of ``key_ids`` that are its), with its
        requests in the hours from ``start`` up to but not including ``end``. One query:
        each key's counts are found through the primary key, whatever the table holds
        for other keys."""
        rate_limited = case(
            (KeyUsageHour.status_class == StatusClass.RATE_LIMITED, KeyUsageHour.requests),
            else_=0,
        )
        query = (
            select(
                ApiKey.id,
                func.coalesce(func.sum(KeyUsageHour.requests), 0),
                func.coalesce(func.sum(rate_limited), 0),
                ApiKey.last_used_at,
            )
            .join(Subscription, ApiKey.subscription_id == Subscription.id)
            .outerjoin(
                KeyUsageHour,
                and_(
                    KeyUsageHour.key_id == ApiKey.id,
                    KeyUsageHour.hour >= start,
                    KeyUsageHour.hour < end,
                ),
            )
            .where(Subscription.organisation_id == organisation_id)
            .group_by(ApiKey.id, ApiKey.last_used_at)
            .order_by(ApiKey.id)
        )
        if key_ids is not None:
            query = query.where(ApiKey.id.in_(sorted(set(key_ids))))
        result = await self.session.execute(query)
        return [
            KeyTotals(key_id, int(requests), int(limited), last_used)
            for key_id, requests, limited, last_used in result
        ]

    async def key_uses(
        self,
        organisation_id: int,
        start: datetime,
        end: datetime,
        key_ids: Collection[str] | None = None,
    ) -> list[KeyUse]:
        """Every key of the organisation (or those of ``key_ids`` that are its), named,
        with its requests in the hours from ``start`` up to but not including ``end``;
        in the order the keys were made. One query, as ``key_totals``."""
        rate_limited = case(
            (KeyUsageHour.status_class == StatusClass.RATE_LIMITED, KeyUsageHour.requests),
            else_=0,
        )
        query = (
            select(
                ApiKey.id,
                ApiKey.name,
                ApiKey.fragment,
                Subscription.product_id,
                Subscription.environment,
                ApiKey.created_at,
                ApiKey.expires_at,
                ApiKey.revoked_at,
                func.coalesce(func.sum(KeyUsageHour.requests), 0),
                func.coalesce(func.sum(rate_limited), 0),
            )
            .join(Subscription, ApiKey.subscription_id == Subscription.id)
            .outerjoin(
                KeyUsageHour,
                and_(
                    KeyUsageHour.key_id == ApiKey.id,
                    KeyUsageHour.hour >= start,
                    KeyUsageHour.hour < end,
                ),
            )
            .where(Subscription.organisation_id == organisation_id)
            .group_by(
                ApiKey.id,
                ApiKey.name,
                ApiKey.fragment,
                Subscription.product_id,
                Subscription.environment,
                ApiKey.created_at,
                ApiKey.expires_at,
                ApiKey.revoked_at,
            )
            .order_by(ApiKey.created_at, ApiKey.id)
        )
        if key_ids is not None:
            query = query.where(ApiKey.id.in_(sorted(set(key_ids))))
        result = await self.session.execute(query)
        return [
            KeyUse(
                key_id=row[0],
                name=row[1],
                fragment=row[2],
                product_id=row[3],
                environment=row[4],
                created_at=row[5],
                expires_at=row[6],
                revoked_at=row[7],
                requests=int(row[8]),
                rate_limited=int(row[9]),
            )
            for row in result.all()
        ]

    async def key_of_organisation(self, organisation_id: int, key_id: str) -> bool:
        """Whether the key exists and belongs to the organisation."""
        found = await self.session.scalar(
            select(ApiKey.id)
            .join(Subscription, ApiKey.subscription_id == Subscription.id)
            .where(ApiKey.id == key_id, Subscription.organisation_id == organisation_id)
        )
        return found is not None

    async def key_hours(self, key_id: str, start: datetime, end: datetime) -> list[HourCount]:
        """The key's counts in the hours from ``start`` up to but not including ``end``."""
        result = await self.session.execute(
            select(
                KeyUsageHour.key_id,
                KeyUsageHour.hour,
                KeyUsageHour.status_class,
                KeyUsageHour.requests,
            ).where(
                KeyUsageHour.key_id == key_id,
                KeyUsageHour.hour >= start,
                KeyUsageHour.hour < end,
            )
        )
        return [
            HourCount(key, hour, StatusClass(status_class), int(requests))
            for key, hour, status_class, requests in result
        ]

    async def organisation_hours(
        self, organisation_id: int, start: datetime, end: datetime
    ) -> list[tuple[datetime, StatusClass, int]]:
        """The organisation's counts, all its keys added up, per hour and status class,
        in the hours from ``start`` up to but not including ``end``."""
        result = await self.session.execute(
            select(
                KeyUsageHour.hour,
                KeyUsageHour.status_class,
                func.sum(KeyUsageHour.requests),
            )
            .join(ApiKey, ApiKey.id == KeyUsageHour.key_id)
            .join(Subscription, ApiKey.subscription_id == Subscription.id)
            .where(
                Subscription.organisation_id == organisation_id,
                KeyUsageHour.hour >= start,
                KeyUsageHour.hour < end,
            )
            .group_by(KeyUsageHour.hour, KeyUsageHour.status_class)
        )
        return [
            (hour, StatusClass(status_class), int(requests))
            for hour, status_class, requests in result
        ]
