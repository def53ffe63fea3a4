"""Recruitment API shapes. The request models document the body in OpenAPI; the body
itself is read by ``validation.read_advert`` so that every problem is reported at once."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class ContractingParties(ApiModel):
    account_legal_entity_public_hashed_id: str = Field(
        description="The legal entity the advert is for: one of your employer account's "
        "(employer keys) or one that gave you permission to recruit (provider keys). "
        "See GET /accountlegalentities.",
        examples=["XEGE5X"],
    )
    ukprn: int | None = Field(
        default=None,
        ge=10_000_000,
        le=99_999_999,
        description="The training provider's UKPRN. Required with an employer key; a "
        "provider key always names the provider itself.",
        examples=[10000001],
    )


class CreateWage(ApiModel):
    wage_type: Literal[
        "FixedWage", "NationalMinimumWageForApprentices", "NationalMinimumWage", "CompetitiveSalary"
    ]
    fixed_wage_yearly_amount: Decimal | None = Field(
        default=None,
        gt=0,
        description="FixedWage only. Divided by 52 and by weeklyHours it must be at least "
        "the apprentice minimum hourly rate in force on the start date.",
    )
    wage_additional_information: str | None = Field(default=None, max_length=500)
    company_benefits_information: str | None = Field(
        default=None, max_length=500, description="HTML: p, br, ul and li only."
    )
    weekly_hours: Decimal = Field(ge=16, le=48)
    working_week_description: str = Field(max_length=250)
    duration: int = Field(
        ge=1,
        description="At least 8 months; below 30 hours a week at least "
        "ceil(30 / weeklyHours × 8) months.",
    )
    duration_unit: Literal["Month", "Year"]


class CreateAddress(ApiModel):
    address_line1: str = Field(max_length=100)
    address_line2: str | None = Field(default=None, max_length=100)
    address_line3: str | None = Field(default=None, max_length=100)
    address_line4: str | None = Field(default=None, max_length=100)
    postcode: str = Field(description="A UK postcode in England.", examples=["LS1 4AP"])


class SubmitterContactDetails(ApiModel):
    name: str = Field(max_length=100)
    email: str = Field(max_length=100, examples=["recruitment@example.com"])
    phone: str | None = Field(
        default=None,
        min_length=8,
        max_length=16,
        description="Digits, spaces, +, -, ( and ).",
        examples=["0113 496 0000"],
    )


class CreateQualification(ApiModel):
    qualification_type: Literal["GCSE", "A Level", "T Level", "BTEC", "Degree", "Other"]
    level: int | None = Field(default=None, ge=1, le=7, description="Required for BTEC.")
    subject: str = Field(max_length=50)
    grade: str = Field(max_length=30)
    weighting: Literal["Essential", "Desired"]
    other_qualification_name: str | None = Field(
        default=None, max_length=100, description="Required for Other."
    )


HTML = "HTML: p, br, ul and li only, balanced and correctly nested."


class CreateVacancyRequest(ApiModel):
    """A new advert. It is reviewed before it appears in the Display advert API."""

    title: str = Field(
        max_length=100, description='Must contain the word "apprentice" or "apprenticeship".'
    )
    number_of_positions: int = Field(ge=1)
    closing_date: datetime = Field(description="At least 7 days after today (UTC).")
    start_date: datetime = Field(description="After the closing date.")
    contracting_parties: ContractingParties
    wage: CreateWage
    address: CreateAddress | None = Field(
        default=None, description="Use one of address, multipleAddresses and recruitingNationally."
    )
    multiple_addresses: list[CreateAddress] | None = Field(
        default=None, min_length=2, max_length=10
    )
    recruiting_nationally: bool | None = None
    recruiting_nationally_details: str | None = Field(
        default=None, max_length=500, description=f"Required when recruiting nationally. {HTML}"
    )
    short_description: str = Field(min_length=50, max_length=350, description=HTML)
    description: str = Field(max_length=4000, description=HTML)
    outcome_description: str = Field(max_length=4000, description=HTML)
    training_description: str = Field(max_length=4000, description=HTML)
    additional_training_description: str | None = Field(
        default=None, max_length=4000, description=HTML
    )
    things_to_consider: str | None = Field(default=None, max_length=4000, description=HTML)
    standard_lars_code: int = Field(
        description="An active standard (GET /referencedata/courses); the start date must "
        "not be after its last date for starts."
    )
    employer_name_option: Literal["RegisteredName", "TradingName", "Anonymous"] | None = None
    alternative_employer_name: str | None = Field(
        default=None,
        max_length=100,
        description="The trading name (TradingName), or a short description of the "
        "employer (Anonymous).",
    )
    anonymous_reason: str | None = Field(default=None, max_length=200)
    employer_description: str = Field(max_length=4000, description=HTML)
    employer_website_url: str | None = Field(
        default=None, max_length=100, description="An absolute http or https URL."
    )
    disability_confident: Literal["No", "Yes"]
    submitter_contact_details: SubmitterContactDetails
    skills: list[str] | None = Field(
        default=None,
        description="At least one unless the standard is a foundation apprenticeship; "
        "each at most 30 characters. See GET /referencedata/skills.",
    )
    qualifications: list[CreateQualification] | None = None
    application_method: Literal["ThroughFindAnApprenticeship", "ThroughExternalApplicationSite"]
    application_url: str | None = Field(
        default=None,
        max_length=2000,
        description="ThroughExternalApplicationSite only, and then required.",
    )
    application_instructions: str | None = Field(default=None, max_length=500)
    additional_question1: str | None = Field(
        default=None, max_length=250, description='ThroughFindAnApprenticeship only; contains "?".'
    )
    additional_question2: str | None = Field(default=None, max_length=250)


class CreateVacancyResponse(ApiModel):
    vacancy_reference: str = Field(examples=["1000012345"])


class Qualifications(ApiModel):
    qualifications: list[str]


class CandidateSkills(ApiModel):
    candidate_skills: list[str]
