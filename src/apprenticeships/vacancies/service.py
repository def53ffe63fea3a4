"""Display advert rules: who may filter by what, and how adverts look in each version."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.repository import LegalEntityRepository
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.gateway.context import SubscriptionContext
from apprenticeships.problems import BadRequest, Forbidden, NotFound
from apprenticeships.storage.models import Vacancy, VacancyAddress
from apprenticeships.vacancies import schemas
from apprenticeships.vacancies.params import SearchParameters, total_pages
from apprenticeships.vacancies.repository import PageRow, VacancyRepository
from apprenticeships.vacancies.search import SearchQuery, SegmentedIndex
from apprenticeships.vacancies.vocabulary import AdvertStatus

REFERENCE = re.compile(r"^(?:VAC)?(\d{1,18})$", re.IGNORECASE)
LEVELS = {2: "Intermediate", 3: "Advanced", 4: "Higher", 5: "Higher", 6: "Degree", 7: "Degree"}
WAGE_TYPES = {
    "ApprenticeshipMinimum": schemas.WageType.APPRENTICESHIP_MINIMUM,
    "NationalMinimum": schemas.WageType.NATIONAL_MINIMUM,
    "Custom": schemas.WageType.CUSTOM,
    "CompetitiveSalary": schemas.WageType.COMPETITIVE_SALARY,
}
ItemV1 = schemas.VacancyItemV1 | schemas.VacancyDetailV1
ItemV2 = schemas.VacancyItemV2 | schemas.VacancyDetailV2


class VacancyService:
    def __init__(self, session: AsyncSession, public_url: str) -> None:
        self.vacancies = VacancyRepository(session)
        self.legal_entities = LegalEntityRepository(session)
        self.public_url = public_url

    async def legal_entities_for(self, caller: SubscriptionContext) -> schemas.AccountLegalEntities:
        if caller.owner_kind is OwnerKind.DEVELOPER:
            raise Forbidden("Developer keys are not linked to any legal entity.")
        linked = await self.legal_entities.linked(caller.owner_kind, caller.owner_id)
        return schemas.AccountLegalEntities(
            account_legal_entities=[
                schemas.AccountLegalEntity(
                    account_legal_entity_name=entity.name,
                    account_legal_entity_public_hashed_id=entity.public_hashed_id,
                    account_public_hashed_id=account.public_id,
                    account_name=account.name,
                )
                for entity, account in linked
            ]
        )

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
        )

    async def search(
        self,
        caller: SubscriptionContext,
        params: SearchParameters,
        index: SegmentedIndex,
        now: datetime,
    ) -> tuple[list[PageRow], list[float | None], int, int, int]:
        """The page's rows in order, their distances, total, totalFiltered, totalPages."""
        query = await self._query(caller, params, now)
        if query is None:
            total = index.search(SearchQuery(page_size=1), now).total
            return [], [], total, 0, 0
        result = index.search(query, now)
        rows = {
            row.vacancy.reference: row
            for row in await self.vacancies.page(caller.environment, result.references)
        }
        ordered = [
            (rows[r], d)
            for r, d in zip(result.references, result.distances, strict=True)
            if r in rows
        ]
        return (
            [row for row, _ in ordered],
            [d for _, d in ordered],
            result.total,
            result.total_filtered,
            total_pages(result.total_filtered, params.page_size),
        )

    async def detail(self, caller: SubscriptionContext, reference: str, now: datetime) -> PageRow:
        match = REFERENCE.match(reference.strip())
        if match is None:
            raise BadRequest(errors={"vacancyReference": ["The vacancy reference is not valid."]})
        rows = await self.vacancies.page(caller.environment, [int(match.group(1))])
        if not rows or not is_live(rows[0].vacancy, now):
            raise NotFound()
        return rows[0]

    # -- shapes ----------------------------------------------------------------------------

    def item_v1(self, row: PageRow, distance: float | None, details: bool) -> ItemV1:
        vacancy = row.vacancy
        addresses = [_address(a, vacancy) for a in vacancy.addresses]
        primary = vacancy.addresses[0] if vacancy.addresses else None
        fields = self._common(row, distance)
        fields["address"] = addresses[0] if addresses else None
        fields["other_addresses"] = addresses[1:] or None
        fields["location"] = (
            schemas.Location(lat=addresses[0].latitude or 0.0, lon=addresses[0].longitude or 0.0)
            if primary is not None
            else None
        )
        if details:
            return schemas.VacancyDetailV1(**fields, **self._details(vacancy))
        return schemas.VacancyItemV1(**fields)

    def item_v2(self, row: PageRow, distance: float | None, details: bool) -> ItemV2:
        vacancy = row.vacancy
        fields = self._common(row, distance)
        fields["addresses"] = [_address(a, vacancy) for a in vacancy.addresses] or None
        fields["application_url"] = (
            vacancy.application_url
            if vacancy.application_method == "ThroughExternalApplicationSite"
            else fields["vacancy_url"]
        )
        if details:
            return schemas.VacancyDetailV2(**fields, **self._details(vacancy))
        return schemas.VacancyItemV2(**fields)

    def _common(self, row: PageRow, distance: float | None) -> dict[str, object]:
        vacancy = row.vacancy
        anonymous = vacancy.employer_name_option == "Anonymous"
        unit = "month" if vacancy.duration_unit == "Month" else "year"
        return {
            "title": vacancy.title,
            "description": vacancy.short_description,
            "number_of_positions": vacancy.number_of_positions,
            "posted_date": vacancy.posted_at,
            "closing_date": datetime.combine(vacancy.closing_date, time(23, 59, 59), UTC),
            "start_date": datetime.combine(vacancy.start_date, time(), UTC),
            "wage": schemas.Wage(
                wage_type=WAGE_TYPES[vacancy.wage_type],
                wage_amount=(
                    float(vacancy.wage_amount)
                    if vacancy.wage_type == "Custom" and vacancy.wage_amount is not None
                    else None
                ),
                wage_unit=schemas.WageUnit(vacancy.wage_unit),
                wage_additional_information=vacancy.wage_additional_information,
                working_week_description=vacancy.working_week_description,
            ),
            "hours_per_week": float(vacancy.hours_per_week),
            "expected_duration": f"{vacancy.duration} {unit}{'s' if vacancy.duration != 1 else ''}",
            "distance": round(distance, 2) if distance is not None else None,
            "employer_name": vacancy.employer_name,
            "employer_website_url": None if anonymous else vacancy.employer_website_url,
            "employer_contact_name": None if anonymous else vacancy.employer_contact_name,
            "employer_contact_phone": None if anonymous else vacancy.employer_contact_phone,
            "employer_contact_email": None if anonymous else vacancy.employer_contact_email,
            "course": schemas.Course(
                lars_code=vacancy.lars_code,
                title=f"{row.course_title} (level {row.course_level})",
                level=row.course_level,
                route=row.route,
                type=row.course_type,
            ),
            "apprenticeship_level": LEVELS.get(row.course_level, "Higher"),
            "provider_name": row.provider_name,
            "ukprn": int(row.ukprn),
            "is_disability_confident": vacancy.is_disability_confident,
            "vacancy_url": f"{self.public_url}/apprenticeship/VAC{vacancy.reference}",
            "vacancy_reference": str(vacancy.reference),
            "is_national_vacancy": vacancy.is_national,
            "is_national_vacancy_details": vacancy.national_details
            if vacancy.is_national
            else None,
        }

    @staticmethod
    def _details(vacancy: Vacancy) -> dict[str, object]:
        return {
            "employer_description": vacancy.employer_description,
            "training_description": vacancy.training_description,
            "additional_training_description": vacancy.additional_training_description,
            "outcome_description": vacancy.outcome_description,
            "full_description": vacancy.description,
            "skills": list(vacancy.skills or []),
            "qualifications": [
                schemas.Qualification(
                    weighting=q.get("weighting", "Desired"),
                    qualification_type=q.get("qualificationType", ""),
                    subject=q.get("subject"),
                    grade=q.get("grade"),
                )
                for q in vacancy.qualifications or []
            ],
            "things_to_consider": vacancy.things_to_consider,
            "company_benefits_information": vacancy.company_benefits_information,
        }


def is_live(vacancy: Vacancy, now: datetime) -> bool:
    today: date = now.astimezone(UTC).date()
    return vacancy.status == AdvertStatus.LIVE and vacancy.closing_date >= today


def _address(address: VacancyAddress, vacancy: Vacancy) -> schemas.Address:
    if vacancy.employer_name_option == "Anonymous":
        # Anonymous employers: the town and postcode district, roughly placed.
        lines = [
            line for line in (address.line1, address.line2, address.line3, address.line4) if line
        ]
        return schemas.Address(
            address_line4=lines[-1] if len(lines) > 1 else None,
            postcode=address.postcode.split()[0],
            latitude=round(address.latitude, 2),
            longitude=round(address.longitude, 2),
        )
    return schemas.Address(
        address_line1=address.line1,
        address_line2=address.line2,
        address_line3=address.line3,
        address_line4=address.line4,
        postcode=address.postcode,
        latitude=round(address.latitude, 5),
        longitude=round(address.longitude, 5),
    )
