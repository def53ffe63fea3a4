"""Display advert API shapes, versions 1 and 2. JSON is camelCase; null fields are left out."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class WageType(StrEnum):
    APPRENTICESHIP_MINIMUM = "ApprenticeshipMinimum"
    NATIONAL_MINIMUM = "NationalMinimum"
    CUSTOM = "Custom"
    COMPETITIVE_SALARY = "CompetitiveSalary"


class WageUnit(StrEnum):
    UNSPECIFIED = "Unspecified"
    WEEKLY = "Weekly"
    MONTHLY = "Monthly"
    ANNUALLY = "Annually"


class Wage(ApiModel):
    wage_type: WageType
    wage_amount: float | None = Field(default=None, description="Only for Custom wages.")
    wage_unit: WageUnit
    wage_additional_information: str | None = None
    working_week_description: str


class Course(ApiModel):
    lars_code: int
    title: str
    level: int
    route: str
    type: str = Field(description="Apprenticeship or FoundationApprenticeship.")


class Address(ApiModel):
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    address_line4: str | None = None
    postcode: str | None = None
    latitude: float | None = Field(default=None, description="Rounded to 5 decimal places.")
    longitude: float | None = None


class Location(ApiModel):
    lat: float
    lon: float


class Qualification(ApiModel):
    weighting: str = Field(description="Essential or Desired.")
    qualification_type: str
    subject: str | None = None
    grade: str | None = None


class VacancyItem(ApiModel):
    """An advert in a search result (both versions share these fields)."""

    title: str
    description: str = Field(description="The short description, at most 350 characters.")
    number_of_positions: int
    posted_date: datetime
    closing_date: datetime = Field(description="23:59:59 on the closing day.")
    start_date: datetime
    wage: Wage
    hours_per_week: float
    expected_duration: str = Field(examples=["18 months"])
    distance: float | None = Field(
        default=None,
        description="Miles from Lat and Lon, when both are sent, to the item's address "
        "(version 1) or the advert's nearest address (version 2); none for an advert with "
        "no location.",
    )
    employer_name: str
    employer_website_url: str | None = None
    employer_contact_name: str | None = None
    employer_contact_phone: str | None = None
    employer_contact_email: str | None = None
    course: Course
    apprenticeship_level: str
    provider_name: str
    ukprn: int
    is_disability_confident: bool
    vacancy_url: str
    vacancy_reference: str = Field(description="Digits only, without the VAC prefix.")
    is_national_vacancy: bool
    is_national_vacancy_details: str | None = Field(
        default=None,
        description="Why and where an advert recruiting nationally recruits; an empty string "
        "for any other advert.",
    )


class DetailFields(ApiModel):
    employer_description: str | None = None
    training_description: str | None = None
    additional_training_description: str | None = None
    outcome_description: str | None = None
    full_description: str | None = None
    skills: list[str] = Field(default_factory=list)
    qualifications: list[Qualification] = Field(default_factory=list)
    things_to_consider: str | None = None
    company_benefits_information: str | None = None


class VacancyItemV1(VacancyItem):
    address: Address = Field(
        description="In a search, the address this item stands for (an advert with several "
        "is listed once per address); otherwise the primary address. An empty object for "
        "an advert recruiting nationally."
    )
    other_addresses: list[Address] = Field(description="The advert's other addresses, if any.")
    location: Location = Field(
        description="The point of `address`; 0, 0 for an advert recruiting nationally."
    )


class VacancyItemV2(VacancyItem):
    addresses: list[Address] = Field(
        description="Primary address first; empty for an advert recruiting nationally."
    )
    application_url: str | None = None


class VacancyDetailV1(VacancyItemV1, DetailFields):
    location: Location | None = Field(  # type: ignore[assignment]
        default=None,
        description="The primary address's point (0, 0 for an advert recruiting nationally); "
        "not given for an anonymous employer.",
    )


class VacancyDetailV2(VacancyItemV2, DetailFields):
    pass


class SearchResponseV1(ApiModel):
    vacancies: list[VacancyItemV1]
    total: int = Field(
        description="Live items in all: an advert with several addresses counts once per address."
    )
    total_filtered: int = Field(description="Live items matching the search.")
    total_pages: int


class SearchResponseV2(ApiModel):
    vacancies: list[VacancyItemV2 | VacancyDetailV2]
    total: int
    total_filtered: int
    total_pages: int


class AccountLegalEntity(ApiModel):
    account_legal_entity_name: str
    account_legal_entity_public_hashed_id: str
    account_public_hashed_id: str
    account_name: str


class AccountLegalEntities(ApiModel):
    account_legal_entities: list[AccountLegalEntity]
