"""Recruitment API shapes and vocabularies. The request models document the body in
OpenAPI; the body itself is read by ``validation.read_advert`` so that every problem is
reported at once. Both take their limits from ``limits``.

The vocabularies are the real service's enums (das-apim-endpoints ``VacanciesManage``
``CreateVacancyRequest``): a client may send a value's name, in any case, or its number
in the real enum (compatibility.md R4); ``*_NUMBERS`` are those numbers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic.alias_generators import to_camel

from apprenticeships.recruitment import limits
from apprenticeships.referencedata.lists import QualificationType


class WageType(StrEnum):
    FIXED_WAGE = "FixedWage"
    NATIONAL_MINIMUM_WAGE_FOR_APPRENTICES = "NationalMinimumWageForApprentices"
    NATIONAL_MINIMUM_WAGE = "NationalMinimumWage"
    COMPETITIVE_SALARY = "CompetitiveSalary"


class DurationUnit(StrEnum):
    MONTH = "Month"
    YEAR = "Year"


class EmployerNameOption(StrEnum):
    REGISTERED_NAME = "RegisteredName"
    TRADING_NAME = "TradingName"
    ANONYMOUS = "Anonymous"


class DisabilityConfident(StrEnum):
    NO = "No"
    YES = "Yes"


class Weighting(StrEnum):
    ESSENTIAL = "Essential"
    DESIRED = "Desired"


class ApplicationMethod(StrEnum):
    THROUGH_FIND_AN_APPRENTICESHIP = "ThroughFindAnApprenticeship"
    THROUGH_EXTERNAL_APPLICATION_SITE = "ThroughExternalApplicationSite"


E = TypeVar("E", bound=Enum)


def _numbered(values: type[E]) -> dict[int, E]:
    """The real enum's numbering: its members are numbered 0, 1, ... in this order."""
    return dict(enumerate(values))


WAGE_TYPE_NUMBERS = _numbered(WageType)
DURATION_UNIT_NUMBERS = _numbered(DurationUnit)
EMPLOYER_NAME_OPTION_NUMBERS = _numbered(EmployerNameOption)
DISABILITY_CONFIDENT_NUMBERS = _numbered(DisabilityConfident)
WEIGHTING_NUMBERS = _numbered(Weighting)
APPLICATION_METHOD_NUMBERS = _numbered(ApplicationMethod)


def _name_or_number(numbers: dict[int, Any]) -> WithJsonSchema:
    """The published schema of an enum property: a name or its number."""
    listed = ", ".join(f"{value.value} ({number})" for number, value in numbers.items())
    return WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "enum": [value.value for value in numbers.values()]},
                {"type": "integer", "enum": list(numbers)},
            ],
            "description": f"A name (in any case) or its number: {listed}.",
        }
    )


WageTypeValue = Annotated[WageType, _name_or_number(WAGE_TYPE_NUMBERS)]
DurationUnitValue = Annotated[DurationUnit, _name_or_number(DURATION_UNIT_NUMBERS)]
EmployerNameOptionValue = Annotated[
    EmployerNameOption, _name_or_number(EMPLOYER_NAME_OPTION_NUMBERS)
]
DisabilityConfidentValue = Annotated[
    DisabilityConfident, _name_or_number(DISABILITY_CONFIDENT_NUMBERS)
]
WeightingValue = Annotated[Weighting, _name_or_number(WEIGHTING_NUMBERS)]
ApplicationMethodValue = Annotated[ApplicationMethod, _name_or_number(APPLICATION_METHOD_NUMBERS)]


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
        ge=limits.MIN_UKPRN,
        le=limits.MAX_UKPRN,
        description="The training provider's UKPRN. Required with an employer key; a "
        "provider key always names the provider itself.",
        examples=[10000001],
    )


class CreateWage(ApiModel):
    wage_type: WageTypeValue
    fixed_wage_yearly_amount: Decimal | None = Field(
        default=None,
        gt=0,
        description="FixedWage only. Divided by 52 and by weeklyHours it must be at least "
        "the apprentice minimum hourly rate in force on the start date.",
    )
    wage_additional_information: str | None = Field(
        default=None, max_length=limits.MAX_WAGE_INFORMATION_LENGTH
    )
    company_benefits_information: str | None = Field(
        default=None,
        max_length=limits.MAX_COMPANY_BENEFITS_LENGTH,
        description="HTML: p, br, ul and li only.",
    )
    weekly_hours: Decimal = Field(ge=limits.MIN_WEEKLY_HOURS, le=limits.MAX_WEEKLY_HOURS)
    working_week_description: str = Field(max_length=limits.MAX_WORKING_WEEK_LENGTH)
    duration: int = Field(
        ge=limits.MIN_DURATION,
        description=f"At least {limits.MIN_DURATION_MONTHS} months; below "
        f"{limits.FULL_TIME_HOURS} hours a week at least ceil({limits.FULL_TIME_HOURS} / "
        f"weeklyHours × {limits.MIN_DURATION_MONTHS}) months.",
    )
    duration_unit: DurationUnitValue


class CreateAddress(ApiModel):
    address_line1: str = Field(max_length=limits.MAX_ADDRESS_LINE_LENGTH)
    address_line2: str | None = Field(default=None, max_length=limits.MAX_ADDRESS_LINE_LENGTH)
    address_line3: str | None = Field(default=None, max_length=limits.MAX_ADDRESS_LINE_LENGTH)
    address_line4: str | None = Field(default=None, max_length=limits.MAX_ADDRESS_LINE_LENGTH)
    postcode: str = Field(description="A UK postcode in England.", examples=["LS1 4AP"])


class SubmitterContactDetails(ApiModel):
    name: str = Field(max_length=limits.MAX_CONTACT_NAME_LENGTH)
    email: str = Field(max_length=limits.MAX_EMAIL_LENGTH, examples=["recruitment@example.com"])
    phone: str | None = Field(
        default=None,
        min_length=limits.MIN_PHONE_LENGTH,
        max_length=limits.MAX_PHONE_LENGTH,
        description="Digits, spaces, +, -, ( and ).",
        examples=["0113 496 0000"],
    )


class CreateQualification(ApiModel):
    qualification_type: QualificationType
    level: int | None = Field(
        default=None,
        ge=limits.MIN_QUALIFICATION_LEVEL,
        le=limits.MAX_QUALIFICATION_LEVEL,
        description="Required for BTEC.",
    )
    subject: str = Field(max_length=limits.MAX_SUBJECT_LENGTH)
    grade: str = Field(max_length=limits.MAX_GRADE_LENGTH)
    weighting: WeightingValue | None = Field(default=None, description="Essential when left out.")
    other_qualification_name: str | None = Field(
        default=None,
        max_length=limits.MAX_QUALIFICATION_NAME_LENGTH,
        description="Required for Other.",
    )


HTML = "HTML: p, br, ul and li only, balanced and correctly nested."
Skill = Annotated[str, Field(max_length=limits.MAX_SKILL_LENGTH)]


class CreateVacancyRequest(ApiModel):
    """A new advert. It is reviewed before it appears in the Display advert API."""

    title: str = Field(
        max_length=limits.MAX_TITLE_LENGTH,
        description='Must contain the word "apprentice" or "apprenticeship".',
    )
    number_of_positions: int = Field(ge=limits.MIN_POSITIONS)
    closing_date: datetime = Field(
        description=f"At least {limits.MIN_CLOSING_DAYS} days after today (UTC)."
    )
    start_date: datetime = Field(description="After the closing date.")
    contracting_parties: ContractingParties
    wage: CreateWage
    address: CreateAddress | None = Field(
        default=None, description="Use one of address, multipleAddresses and recruitingNationally."
    )
    multiple_addresses: list[CreateAddress] | None = Field(
        default=None, min_length=limits.MIN_ADDRESSES, max_length=limits.MAX_ADDRESSES
    )
    recruiting_nationally: bool | None = None
    recruiting_nationally_details: str | None = Field(
        default=None,
        max_length=limits.MAX_NATIONAL_DETAILS_LENGTH,
        description=f"Required when recruiting nationally. {HTML}",
    )
    short_description: str = Field(
        min_length=limits.MIN_SHORT_DESCRIPTION_LENGTH,
        max_length=limits.MAX_SHORT_DESCRIPTION_LENGTH,
        description=HTML,
    )
    description: str = Field(max_length=limits.MAX_DESCRIPTION_LENGTH, description=HTML)
    outcome_description: str = Field(max_length=limits.MAX_DESCRIPTION_LENGTH, description=HTML)
    training_description: str = Field(max_length=limits.MAX_DESCRIPTION_LENGTH, description=HTML)
    additional_training_description: str | None = Field(
        default=None, max_length=limits.MAX_DESCRIPTION_LENGTH, description=HTML
    )
    things_to_consider: str | None = Field(
        default=None, max_length=limits.MAX_DESCRIPTION_LENGTH, description=HTML
    )
    standard_lars_code: str = Field(
        description="The LARS code of an active standard (GET /referencedata/courses), as a "
        "string; a JSON number is accepted too. The start date must not be after its last "
        "date for starts.",
        examples=["119"],
    )
    employer_name_option: EmployerNameOptionValue | None = Field(
        default=None, description="RegisteredName when left out."
    )
    alternative_employer_name: str | None = Field(
        default=None,
        max_length=limits.MAX_EMPLOYER_NAME_LENGTH,
        description="The trading name (TradingName), or a short description of the "
        "employer (Anonymous).",
    )
    anonymous_reason: str | None = Field(
        default=None, max_length=limits.MAX_ANONYMOUS_REASON_LENGTH
    )
    employer_description: str = Field(max_length=limits.MAX_DESCRIPTION_LENGTH, description=HTML)
    employer_website_url: str | None = Field(
        default=None,
        max_length=limits.MAX_WEBSITE_LENGTH,
        description="An absolute http or https URL.",
    )
    disability_confident: DisabilityConfidentValue
    submitter_contact_details: SubmitterContactDetails
    skills: list[Skill] | None = Field(
        default=None,
        description="At least one unless the standard is a foundation apprenticeship; "
        f"each at most {limits.MAX_SKILL_LENGTH} characters. See GET /referencedata/skills.",
    )
    qualifications: list[CreateQualification] | None = None
    application_method: ApplicationMethodValue
    application_url: str | None = Field(
        default=None,
        max_length=limits.MAX_APPLICATION_URL_LENGTH,
        description="ThroughExternalApplicationSite only, and then required.",
    )
    application_instructions: str | None = Field(
        default=None, max_length=limits.MAX_APPLICATION_INSTRUCTIONS_LENGTH
    )
    additional_question1: str | None = Field(
        default=None,
        max_length=limits.MAX_QUESTION_LENGTH,
        description="ThroughFindAnApprenticeship only. A question: it starts with a letter or "
        'digit and ends with one followed by "?" (a sentence ending in "." or "?" may follow).',
    )
    additional_question2: str | None = Field(
        default=None,
        max_length=limits.MAX_QUESTION_LENGTH,
        description="As additionalQuestion1.",
    )


class CreateVacancyResponse(ApiModel):
    vacancy_reference: str = Field(examples=["1000012345"])


class Qualifications(ApiModel):
    qualifications: list[str]


class CandidateSkills(ApiModel):
    candidate_skills: list[str]
