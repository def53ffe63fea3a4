"""How adverts and legal entities look in the Display advert API, version by version:
the services' rows in, the response schemas out. Endpoints call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time

from apprenticeships.storage.models import LegalEntity, Organisation, Vacancy, VacancyAddress
from apprenticeships.vacancies import schemas
from apprenticeships.vacancies.repository import PageRow

LEVELS = {2: "Intermediate", 3: "Advanced", 4: "Higher", 5: "Higher", 6: "Degree", 7: "Degree"}
WAGE_TYPES = {
    "ApprenticeshipMinimum": schemas.WageType.APPRENTICESHIP_MINIMUM,
    "NationalMinimum": schemas.WageType.NATIONAL_MINIMUM,
    "Custom": schemas.WageType.CUSTOM,
    "CompetitiveSalary": schemas.WageType.COMPETITIVE_SALARY,
}
ItemV1 = schemas.VacancyItemV1 | schemas.VacancyDetailV1
ItemV2 = schemas.VacancyItemV2 | schemas.VacancyDetailV2


def advert_url(public_url: str, reference: int) -> str:
    """The advert's public page (compatibility.md D10: the real service's address shape,
    under this platform's public URL); adverts applied to through the service are
    applied to from there too."""
    return f"{public_url}/apprenticeship/reference/{reference}"


def legal_entities(
    linked: Iterable[tuple[LegalEntity, Organisation]],
) -> schemas.AccountLegalEntities:
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


def item_v1(
    row: PageRow,
    distance: float | None,
    details: bool,
    public_url: str,
    location: int | None = None,
) -> ItemV1:
    """As the real version 1 (compatibility.md D7, D8): ``address``, ``otherAddresses``
    and ``location`` are always there, empty or 0, 0 for an advert recruiting nationally;
    the detail of an anonymous employer's advert has no ``location``. In a search,
    ``location`` is the position among the advert's addresses of the one this item stands
    for (an advert with several is listed once per address, D1): that address is the
    item's ``address`` and ``location``, the others its ``otherAddresses``."""
    vacancy = row.vacancy
    addresses = [_address(a, vacancy) for a in vacancy.addresses]
    if location and location < len(addresses):
        addresses.insert(0, addresses.pop(location))
    primary = addresses[0] if addresses else schemas.Address()
    fields = _common(row, distance, public_url)
    fields["address"] = primary
    fields["other_addresses"] = addresses[1:]
    fields["location"] = schemas.Location(lat=primary.latitude or 0.0, lon=primary.longitude or 0.0)
    if details:
        if vacancy.employer_name_option == "Anonymous":
            fields["location"] = None
        return schemas.VacancyDetailV1(**fields, **_details(vacancy))
    return schemas.VacancyItemV1(**fields)


def item_v2(row: PageRow, distance: float | None, details: bool, public_url: str) -> ItemV2:
    vacancy = row.vacancy
    fields = _common(row, distance, public_url)
    fields["addresses"] = [_address(a, vacancy) for a in vacancy.addresses]
    fields["application_url"] = (
        vacancy.application_url
        if vacancy.application_method == "ThroughExternalApplicationSite"
        else fields["vacancy_url"]
    )
    if details:
        return schemas.VacancyDetailV2(**fields, **_details(vacancy))
    return schemas.VacancyItemV2(**fields)


def _common(row: PageRow, distance: float | None, public_url: str) -> dict[str, object]:
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
        "vacancy_url": advert_url(public_url, vacancy.reference),
        "vacancy_reference": str(vacancy.reference),
        "is_national_vacancy": vacancy.is_national,
        # The real service sends "" for an advert not recruiting nationally (D7).
        "is_national_vacancy_details": vacancy.national_details if vacancy.is_national else "",
    }


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


def approximate_location(latitude: float, longitude: float) -> tuple[float, float]:
    """Where an anonymous employer's address is published: rounded to 2 decimal places
    (at most about 660 m off in England). The search index holds only this point for such adverts, so no
    distance, filter or sort reveals the exact one (compatibility.md D9)."""
    return round(latitude, 2), round(longitude, 2)


def _address(address: VacancyAddress, vacancy: Vacancy) -> schemas.Address:
    if vacancy.employer_name_option == "Anonymous":
        # Anonymous employers: the town and postcode district, roughly placed.
        lines = [
            line for line in (address.line1, address.line2, address.line3, address.line4) if line
        ]
        latitude, longitude = approximate_location(address.latitude, address.longitude)
        return schemas.Address(
            address_line4=lines[-1] if len(lines) > 1 else None,
            postcode=address.postcode.split()[0],
            latitude=latitude,
            longitude=longitude,
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
