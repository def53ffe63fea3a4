"""SQL for adverts and their addresses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from apprenticeships.catalog.products import Environment, OwnerKind
from apprenticeships.storage.models import (
    Counter,
    LegalEntity,
    Organisation,
    Route,
    Standard,
    Vacancy,
    VacancyAddress,
)
from apprenticeships.vacancies.vocabulary import AdvertStatus

REFERENCE_COUNTER = "vacancy_reference"


class VacancyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_ids(self, count: int) -> range:
        """Ids for ``count`` new adverts inserted together (seeding; single writer)."""
        highest = await self.session.scalar(select(func.coalesce(func.max(Vacancy.id), 0)))
        start = int(highest or 0) + 1
        return range(start, start + count)

    async def bulk_insert(
        self, vacancies: Sequence[dict[str, Any]], addresses: Sequence[dict[str, Any]]
    ) -> None:
        """Insert many adverts at once. Each dict holds column values (``id`` included);
        adverts without a ``reference`` get the next ones in order."""
        references = iter(
            await self.next_references(sum(1 for r in vacancies if not r.get("reference")))
        )
        rows = [{**row, "reference": row.get("reference") or next(references)} for row in vacancies]
        for start in range(0, len(rows), 2000):
            # render_nulls: every row sends the same columns, so one statement per batch
            # (otherwise rows are grouped by which of their values are None).
            await self.session.execute(
                insert(Vacancy).execution_options(render_nulls=True), rows[start : start + 2000]
            )
        for start in range(0, len(addresses), 5000):
            await self.session.execute(
                insert(VacancyAddress).execution_options(render_nulls=True),
                list(addresses[start : start + 5000]),
            )

    async def next_references(self, count: int = 1) -> range:
        """The next ``count`` advert references, shared by both environments. The counter's
        row stays locked until the transaction ends, so concurrent writers queue here; on
        SQLite this is the statement that takes the write lock."""
        if count == 0:
            return range(0)
        last = await self.session.scalar(
            update(Counter)
            .where(Counter.name == REFERENCE_COUNTER)
            .values(value=Counter.value + count)
            .returning(Counter.value)
        )
        if last is None:
            raise RuntimeError("the advert reference counter is missing; run `db upgrade`")
        return range(int(last) - count + 1, int(last) + 1)

    async def client_id_taken(self, client_id: str) -> bool:
        found = await self.session.scalar(
            select(Vacancy.id).where(Vacancy.client_id == client_id).limit(1)
        )
        return found is not None

    async def add(self, vacancy: Vacancy) -> Vacancy:
        self.session.add(vacancy)
        await self.session.flush()
        return vacancy

    async def by_source_references(
        self, source: str, source_references: Iterable[str]
    ) -> dict[str, Vacancy]:
        """Imported adverts of one data source by the feed's own ids, with their addresses."""
        wanted = sorted(set(source_references))
        found: dict[str, Vacancy] = {}
        for start in range(0, len(wanted), 500):
            result = await self.session.scalars(
                select(Vacancy)
                .options(selectinload(Vacancy.addresses))
                .where(
                    Vacancy.data_source == source,
                    Vacancy.source_reference.in_(wanted[start : start + 500]),
                )
            )
            found |= {str(vacancy.source_reference): vacancy for vacancy in result}
        return found

    async def flush(self) -> None:
        await self.session.flush()

    async def by_reference(self, environment: Environment, reference: int) -> Vacancy | None:
        return await self.session.scalar(
            select(Vacancy).where(
                Vacancy.environment == environment, Vacancy.reference == reference
            )
        )

    async def hold_in_status(self, vacancy_id: int, status: AdvertStatus) -> bool:
        """Take the advert's row for this transaction if it is still in ``status``. A
        review read the advert first; another may have changed it since. This write
        waits for any other transaction writing the row (PostgreSQL re-reads the row
        then) or the database (SQLite), so of two reviews racing only one finds the
        status it expects."""
        result = await self.session.execute(
            update(Vacancy)
            .where(Vacancy.id == vacancy_id, Vacancy.status == status)
            .values(updated_at=Vacancy.updated_at)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def with_status(
        self,
        environment: Environment,
        statuses: Iterable[AdvertStatus],
        limit: int = 500,
        employer_id: int | None = None,
    ) -> list[tuple[Vacancy, str, str]]:
        """Adverts in these states (of one employer, if given), oldest submission first,
        with the employer's and the provider's names."""
        employer = aliased(Organisation)
        provider = aliased(Organisation)
        query = (
            select(Vacancy, employer.name, provider.name)
            .join(employer, employer.id == Vacancy.employer_id)
            .join(provider, provider.id == Vacancy.provider_id)
            .where(Vacancy.environment == environment, Vacancy.status.in_(list(statuses)))
        )
        if employer_id is not None:
            query = query.where(Vacancy.employer_id == employer_id)
        result = await self.session.execute(
            query.order_by(Vacancy.submitted_at, Vacancy.id).limit(limit)
        )
        return [(vacancy, e, p) for vacancy, e, p in result.all()]

    async def with_parties(self, environment: Environment, reference: int) -> PartiesRow | None:
        """One advert with its addresses and the names of everyone it involves: the
        employer account, the legal entity, the training provider and the course."""
        employer = aliased(Organisation)
        provider = aliased(Organisation)
        result = await self.session.execute(
            select(
                Vacancy,
                employer.name,
                LegalEntity.name,
                provider.name,
                provider.public_id,
                Standard.title,
                Standard.level,
            )
            .options(selectinload(Vacancy.addresses))
            .join(employer, employer.id == Vacancy.employer_id)
            .join(LegalEntity, LegalEntity.id == Vacancy.legal_entity_id)
            .join(provider, provider.id == Vacancy.provider_id)
            .join(Standard, Standard.lars_code == Vacancy.lars_code)
            .where(Vacancy.environment == environment, Vacancy.reference == reference)
        )
        row = result.first()
        return PartiesRow(*row) if row is not None else None

    async def changed_since(self, environment: Environment, since: datetime) -> list[int]:
        """References of adverts changed at or after ``since``, whatever their state."""
        found = await self.session.scalars(
            select(Vacancy.reference).where(
                Vacancy.environment == environment, Vacancy.updated_at >= since
            )
        )
        return [int(reference) for reference in found]

    async def live_for_index(
        self,
        environment: Environment,
        today: date,
        chunk: int = 10_000,
        changed_since: datetime | None = None,
    ) -> AsyncIterator[Sequence[Any]]:
        """What the search index holds for each live advert (or only those changed at or
        after ``changed_since``), by ascending id, in chunks (streamed, so a million adverts
        are never all in memory as rows)."""
        changed = Vacancy.updated_at >= changed_since if changed_since is not None else true()
        result = await self.session.stream(
            select(
                Vacancy.id,
                Vacancy.reference,
                Vacancy.posted_at,
                Vacancy.start_date,
                Vacancy.closing_date,
                Vacancy.lars_code,
                Standard.route_id,
                Vacancy.provider_id,
                Vacancy.employer_id,
                Vacancy.legal_entity_id,
                Vacancy.is_national,
                Vacancy.employer_name,
                Vacancy.title,
                Vacancy.data_source,
            )
            .join(Standard, Standard.lars_code == Vacancy.lars_code)
            .where(
                Vacancy.environment == environment,
                Vacancy.status == AdvertStatus.LIVE,
                Vacancy.closing_date >= today,
                changed,
            )
            .order_by(Vacancy.id)
        )
        async for rows in result.partitions(chunk):
            yield rows

    async def addresses_for_index(
        self,
        environment: Environment,
        today: date,
        chunk: int = 20_000,
        changed_since: datetime | None = None,
    ) -> AsyncIterator[Sequence[Any]]:
        """(advert id, latitude, longitude, anonymous employer) of live adverts' addresses,
        each advert's in their order, in chunks."""
        changed = Vacancy.updated_at >= changed_since if changed_since is not None else true()
        result = await self.session.stream(
            select(
                VacancyAddress.vacancy_id,
                VacancyAddress.latitude,
                VacancyAddress.longitude,
                Vacancy.employer_name_option == "Anonymous",
            )
            .join(Vacancy, Vacancy.id == VacancyAddress.vacancy_id)
            .where(
                Vacancy.environment == environment,
                Vacancy.status == AdvertStatus.LIVE,
                Vacancy.closing_date >= today,
                Vacancy.is_national.is_(False),
                changed,
            )
            .order_by(VacancyAddress.vacancy_id, VacancyAddress.position)
        )
        async for rows in result.partitions(chunk):
            yield rows

    async def courses_for_index(self) -> list[tuple[int, str, int]]:
        """(LARS code, title, level) of every standard: the search's tie-breakers."""
        result = await self.session.execute(
            select(Standard.lars_code, Standard.title, Standard.level)
        )
        return [(int(code), title, int(level)) for code, title, level in result.all()]

    async def providers_for_index(self) -> list[tuple[int, str, str]]:
        """(id, name, UKPRN) of every training provider: the search's tie-breakers."""
        result = await self.session.execute(
            select(Organisation.id, Organisation.name, Organisation.public_id).where(
                Organisation.kind == OwnerKind.PROVIDER
            )
        )
        return [(int(i), name, ukprn) for i, name, ukprn in result.all()]

    async def page(self, environment: Environment, references: Iterable[int]) -> list[PageRow]:
        """Adverts with what their API shape needs: provider, course and route."""
        wanted = list(references)
        if not wanted:
            return []
        provider = aliased(Organisation)
        result = await self.session.execute(
            select(
                Vacancy,
                provider.name,
                provider.public_id,
                Standard.title,
                Standard.level,
                Standard.apprenticeship_type,
                Route.name,
            )
            .options(selectinload(Vacancy.addresses))
            .join(provider, provider.id == Vacancy.provider_id)
            .join(Standard, Standard.lars_code == Vacancy.lars_code)
            .join(Route, Route.id == Standard.route_id)
            .where(Vacancy.environment == environment, Vacancy.reference.in_(wanted))
        )
        return [PageRow(*row) for row in result.all()]

    async def organisation_id(self, kind: OwnerKind, public_id: str) -> int | None:
        found = await self.session.scalar(
            select(Organisation.id).where(
                Organisation.kind == kind, Organisation.public_id == public_id
            )
        )
        return int(found) if found is not None else None

    async def legal_entity_id(self, public_hashed_id: str) -> int | None:
        found = await self.session.scalar(
            select(LegalEntity.id).where(LegalEntity.public_hashed_id == public_hashed_id)
        )
        return int(found) if found is not None else None

    async def route_ids(self, names: Iterable[str]) -> list[int]:
        wanted = {name.casefold() for name in names}
        result = await self.session.execute(select(Route.id, Route.name))
        return [int(i) for i, name in result.all() if name.casefold() in wanted]


@dataclass(frozen=True, slots=True)
class PageRow:
    vacancy: Vacancy
    provider_name: str
    ukprn: str
    course_title: str
    course_level: int
    course_type: str
    route: str


@dataclass(frozen=True, slots=True)
class PartiesRow:
    vacancy: Vacancy
    employer_account: str
    legal_entity: str
    provider_name: str
    ukprn: str
    course_title: str
    course_level: int
