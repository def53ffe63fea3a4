"""Display advert rules: who may filter by what, which adverts a search finds, which
advert a reference names. Rows out; ``shapes.py`` turns them into each version's JSON."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.repository import LegalEntityRepository
from apprenticeships.catalog.products import Environment, OwnerKind
from apprenticeships.errors import Forbidden, NotFound
from apprenticeships.gateway.context import SubscriptionContext
from apprenticeships.storage.models import LegalEntity, Organisation, Vacancy
from apprenticeships.vacancies.params import SearchParameters, total_pages
from apprenticeships.vacancies.repository import PageRow, VacancyRepository
from apprenticeships.vacancies.search import SearchQuery, SegmentedIndex, Sort
from apprenticeships.vacancies.vocabulary import AdvertStatus, DataSource

REFERENCE = re.compile(r"^(?:VAC)?(\d{1,18})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of a search: its items' rows in order (version 1: an advert with several
    addresses once per address), each item's distance (None without a search point) and
    the position among its advert's addresses of the item's own location (version 1 only,
    else None), and the counts."""

    rows: list[PageRow]
    distances: list[float | None]
    positions: list[int | None]
    total: int
    total_filtered: int
    total_pages: int


class VacancyService:
    """Reads only: built on the request's read session (see ``storage/engine.py``)."""

    def __init__(self, session: AsyncSession) -> None:
        self.vacancies = VacancyRepository(session)
        self.legal_entities = LegalEntityRepository(session)

    async def legal_entities_for(
        self, caller: SubscriptionContext
    ) -> list[tuple[LegalEntity, Organisation]]:
        """The legal entities the caller may act for, each with its employer account."""
        if caller.owner_kind is OwnerKind.DEVELOPER:
            raise Forbidden("Developer keys are not linked to any legal entity.")
        return await self.legal_entities.linked(caller.owner_kind, caller.owner_id)

    async def _query(
        self, caller: SubscriptionContext, params: SearchParameters, now: datetime
    ) -> SearchQuery | None:
        """The index query, or None when a filter names something that does not exist
        (such a search matches nothing)."""
        provider_id = employer_id = legal_entity_id = None
        if params.ukprn is not None:
            provider_id = await self.vacancies.organisation_id(
                OwnerKind.PROVIDER, str(params.ukprn)
            )
            if provider_id is None:
                return None
        if params.account_public_hashed_id is not None:
            employer_id = await self.vacancies.organisation_id(
                OwnerKind.EMPLOYER, params.account_public_hashed_id.upper()
            )
            if employer_id is None:
                return None
        if (
            params.legal_entity_public_hashed_id is not None
            and caller.owner_kind is not OwnerKind.DEVELOPER
        ):
            wanted = params.legal_entity_public_hashed_id.upper()
            linked = await self.legal_entities.linked(caller.owner_kind, caller.owner_id)
            match = next((e for e, _ in linked if e.public_hashed_id == wanted), None)
            if match is None:
                raise Forbidden(
                    "AccountLegalEntityPublicHashedId is not a legal entity linked to this key."
                )
            legal_entity_id = match.id
        if params.filter_by_subscription and caller.owner_kind is not OwnerKind.DEVELOPER:
            own = await self.vacancies.organisation_id(caller.owner_kind, caller.owner_id)
            if own is None:
                return None
            if caller.owner_kind is OwnerKind.PROVIDER:
                if provider_id is not None and provider_id != own:
                    return None
                provider_id = own
            else:
                if employer_id is not None and employer_id != own:
                    return None
                employer_id = own
        route_ids: tuple[int, ...] = ()
        if params.routes:
            route_ids = tuple(await self.vacancies.route_ids(params.routes))
            if not route_ids:
                return None
        return SearchQuery(
            page_number=params.page_number,
            page_size=params.page_size,
            sort=params.sort,
            latitude=params.latitude,
            longitude=params.longitude,
            distance_miles=params.distance_miles,
            posted_since=(
                now - timedelta(days=params.posted_in_last_days)
                if params.posted_in_last_days is not None
                else None
            ),
            lars_codes=params.lars_codes,
            route_ids=route_ids,
            provider_id=provider_id,
            employer_id=employer_id,
            legal_entity_id=legal_entity_id,
            national_only=params.national_only,
            exclude_national=params.exclude_national,
            employer_name=params.employer_name,
            per_location=params.per_location,
            sources=_matching_sources(params),
        )

    async def search(
        self,
        caller: SubscriptionContext,
        params: SearchParameters,
        index: SegmentedIndex,
        now: datetime,
    ) -> SearchPage:
        query = await self._query(caller, params, now)
        counted = _requested_sources(params)
        everything = SearchQuery(page_size=1, sources=counted, per_location=params.per_location)
        if query is None:
            return SearchPage([], [], [], index.search(everything, now).total, 0, 0)
        result = index.search(query, now)
        total = result.total
        if query.sources != counted:
            total = index.search(everything, now).total
        rows = {
            row.vacancy.reference: row
            for row in await self.vacancies.page(caller.environment, set(result.references))
        }
        ordered = [
            (rows[r], d, p)
            for r, d, p in zip(result.references, result.distances, result.positions, strict=True)
            if r in rows
        ]
        return SearchPage(
            [row for row, _, _ in ordered],
            [d for _, d, _ in ordered],
            [p for _, _, p in ordered],
            total,
            result.total_filtered,
            total_pages(result.total_filtered, params.page_size),
        )

    async def detail(self, caller: SubscriptionContext, reference: str, now: datetime) -> PageRow:
        """Any live advert, whatever its data source: the real service looks an advert up
        by reference without the AdditionalDataSources filter."""
        return await self.live_advert(caller.environment, reference, now)

    async def live_advert(self, environment: Environment, reference: str, now: datetime) -> PageRow:
        """The live advert with this reference (``VAC`` prefix or not) in the environment:
        what the Display advert API and the public advert page show. ``NotFound`` for an
        unknown, closed or not yet approved advert, and for a reference no advert can
        have (the real service's 404, compatibility.md D13)."""
        match = REFERENCE.match(reference.strip())
        if match is None:
            raise NotFound()
        rows = await self.vacancies.page(environment, [int(match.group(1))])
        if not rows or not is_live(rows[0].vacancy, now):
            raise NotFound()
        return rows[0]


def _requested_sources(params: SearchParameters) -> frozenset[DataSource]:
    """This service's own adverts and those the AdditionalDataSources header asks for:
    what ``total`` counts."""
    return frozenset((DataSource.RAA, *params.additional_sources))


def _matching_sources(params: SearchParameters) -> frozenset[DataSource]:
    """The sources a search's results come from. As in the real service, the expected
    start date sorts leave the additional sources out (their adverts had no start date
    there), while ``total`` still counts them."""
    if params.sort in (Sort.START_ASC, Sort.START_DESC):
        return frozenset({DataSource.RAA})
    return _requested_sources(params)


def is_live(vacancy: Vacancy, now: datetime) -> bool:
    today: date = now.astimezone(UTC).date()
    return vacancy.status == AdvertStatus.LIVE and vacancy.closing_date >= today
