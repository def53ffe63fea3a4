"""What the Recruitment API says about each broken rule, in the real service's words.

The real service checks a new advert in stages and answers with the first stage that
finds a problem (compatibility.md R1, R2):

1. ASP.NET reads the body (System.Text.Json) and checks the data annotations of the
   outer API's ``CreateVacancyRequest`` (das-apim-endpoints ``src/VacanciesManage``):
   ``[Required]``, ``[MaxLength]``, ``[MinLength]``, ``[RegularExpression]``,
   ``[AllowedValues]``, in .NET's own words, keyed by the C# property path.
2. The outer API's HTML rule (``CreateVacancyRequestValidator``, ``HtmlValidatorService``).
3. The outer API's own checks: the training provider, the legal entity, the course's last
   start date, postcodes in England.
4. The Recruit API's rules (das-recruit-api ``src/Recruit.Api/Validators/VacancyEntity``),
   keyed by the paths of its own model and renamed for the client by the outer API
   (``ProgrammeId`` -> ``standardLarsCode``, ``EmployerName`` -> ``alternativeEmployerName``,
   ``EmployerLocationInformation`` -> ``recruitingNationallyDetails``).
5. The Recruit API's check that the advert's id is new.

We answer every problem at once, each in the words of the stage that would have reported
it. Where the real service has no words for a rule of ours (a rule it lacks, or a value
it answers with a 500), the sentence is ours, in the same style.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from apprenticeships.recruitment import limits

# -- the request as a whole -----------------------------------------------------------------

ALREADY_SUBMITTED = "Unable to create Vacancy. Vacancy already submitted"
UKPRN_NOT_VALID = "Training Provider UKPRN not valid"
LEGAL_ENTITY_NOT_LINKED = (
    "The account legal entity is not linked to this key's employer account or has not "
    "given this training provider permission to recruit."
)
ID_INVALID = "The vacancy id must be a GUID, for example 3fa85f64-5717-4562-b3fc-2c963f66afa6."
# ASP.NET's words for an empty body (and ours for a JSON null, which it answers with a 500).
BODY_EMPTY = "A non-empty request body is required."
BODY_NOT_JSON = "The request body must be a JSON object."


# -- stage 1: reading the body and the data annotations (.NET's own words) ------------------


def not_converted(dotnet_type: str, path: str, line: int, position: int) -> str:
    """System.Text.Json's words for a value it cannot read as the property's type."""
    return (
        f"The JSON value could not be converted to {dotnet_type}. "
        f"Path: {path} | LineNumber: {line} | BytePositionInLine: {position}."
    )


def required(property_name: str) -> str:
    """``[Required]``: absent, null, empty or only white space."""
    return f"The {property_name} field is required."


def max_length(property_name: str, limit: int) -> str:
    """``[MaxLength]``, for a string or a list."""
    return f"The field {property_name} must be a string or array type with a maximum length of '{limit}'."


def min_length(property_name: str, limit: int) -> str:
    """``[MinLength]``, for a string or a list."""
    return f"The field {property_name} must be a string or array type with a minimum length of '{limit}'."


def not_allowed_value(property_name: str) -> str:
    """``[AllowedValues]``."""
    return (
        f"The {property_name} field does not equal any of the values specified in "
        "AllowedValuesAttribute."
    )


# ``[RegularExpression]`` on additionalQuestion1 and 2.
QUESTION_MARK_REQUIRED = "Must include '?'"


# -- stage 3: the outer API's checks --------------------------------------------------------

POSTCODE_NOT_IN_ENGLAND = "Postcode must be in England"


def standard_closed_for_starts(last: date) -> str:
    return (
        f"Start date must be on or before {last.day} {last:%B %Y} as this is the last day for "
        "new starters for the training course you have selected. If you don't want to change "
        "the start date, you can change the training course"
    )


# -- stage 4: the Recruit API's rules -------------------------------------------------------

TITLE_INVALID = "Title contains some invalid characters"
TITLE_NEEDS_APPRENTICE = "Enter a title which includes the word 'apprentice' or 'apprenticeship'"

POSITIONS_REQUIRED = "Enter the number of positions for this apprenticeship"

CLOSING_DATE_REQUIRED = "Enter an application closing date"
CLOSING_DATE_TOO_SOON = (
    f"Closing date should be at least {limits.MIN_CLOSING_DAYS} days in the future."
)
START_DATE_REQUIRED = "Enter when you expect the apprenticeship to start"
START_DATE_BEFORE_CLOSING = (
    "Start date cannot be before the closing date. We advise using a date more than 14 days "
    "from now."
)
# Under "": a rule across the two dates.
START_DATE_NOT_AFTER_CLOSING = "The possible start date should be after the closing date"

WAGE_TYPE_REQUIRED = "Select how much the apprentice will be paid"
WEEKLY_HOURS_REQUIRED = (
    "Enter how many hours the apprenticeship will work each week, including training"
)
WEEKLY_HOURS_TOO_FEW = f"The total hours a week must be at least {limits.MIN_WEEKLY_HOURS}"
WEEKLY_HOURS_TOO_MANY = f"The total hours a week must not be more than {limits.MAX_WEEKLY_HOURS}"
WORKING_WEEK_INVALID = "Working week details contains some invalid characters"
DURATION_REQUIRED = "Enter how long the whole apprenticeship is, including work and training"
DURATION_TOO_SHORT = f"Expected duration must be at least {limits.MIN_DURATION_MONTHS} months"
WAGE_INFORMATION_INVALID = "Information about pay contains some invalid characters"

NATIONAL_DETAILS_REQUIRED = "Add more information about where the apprentice will work"
POSTCODE_INVALID = "'Postcode' is not in a valid format"

SHORT_DESCRIPTION_TOO_SHORT = (
    "Summary of the apprenticeship must be at least "
    f"{limits.MIN_SHORT_DESCRIPTION_LENGTH} characters"
)
EMPLOYER_DESCRIPTION_TOO_LONG = (
    f"Information about the employer must not exceed {limits.MAX_DESCRIPTION_LENGTH} characters"
)

TRADING_NAME_REQUIRED = "Enter the trading name"
TRADING_NAME_INVALID = "The trading name contains some invalid characters"
ANONYMOUS_DESCRIPTION_REQUIRED = "Enter a brief description of what the employer does"
ANONYMOUS_DESCRIPTION_INVALID = "The description contains some invalid characters"
ANONYMOUS_REASON_TOO_LONG = (
    f"The reason must not be more than {limits.MAX_ANONYMOUS_REASON_LENGTH} characters"
)
ANONYMOUS_REASON_INVALID = "The reason contains some invalid characters"

# The Recruit API words the employer's website like the application link.
WEBSITE_TOO_LONG = (
    f"Application website link must not exceed {limits.MAX_WEBSITE_LENGTH} characters"
)
LINK_INVALID = "Application website link must be a valid link"
WEBSITE_NOT_ABSOLUTE = "Enter a valid website address"

CONTACT_NAME_TOO_LONG = f"Contact name must not exceed {limits.MAX_CONTACT_NAME_LENGTH} characters"
CONTACT_NAME_INVALID = "Contact name contains some invalid characters"
EMAIL_TOO_LONG = f"Email address must not exceed {limits.MAX_EMAIL_LENGTH} characters"
EMAIL_INVALID_CHARACTERS = "Email address contains some invalid characters"
EMAIL_INVALID = "Email address must be in a valid format"
PHONE_TOO_LONG = f"Contact number must not exceed {limits.MAX_PHONE_LENGTH} digits"
PHONE_TOO_SHORT = f"Contact number must be more than {limits.MIN_PHONE_LENGTH} digits"
PHONE_INVALID = "Contact number contains some invalid characters"

SKILLS_REQUIRED = "Select the skills and personal qualities you'd like the applicant to have"
SKILL_EMPTY = "You must include a skill or quality"
SKILL_INVALID = "Skill contains some invalid characters"
SKILL_TOO_LONG = f"Skill or quality must not exceed {limits.MAX_SKILL_LENGTH} characters"
QUALIFICATION_TYPE_REQUIRED = "Select a qualification"
QUALIFICATION_TYPE_INVALID = "Invalid qualification type"
QUALIFICATION_LEVEL_REQUIRED = "Select the BTEC level"
QUALIFICATION_SUBJECT_REQUIRED = "Enter the subject"
QUALIFICATION_SUBJECT_TOO_LONG = (
    f"The qualification must not exceed {limits.MAX_SUBJECT_LENGTH} characters"
)
QUALIFICATION_SUBJECT_INVALID = "Subject contains some invalid characters"
QUALIFICATION_GRADE_REQUIRED = "Enter the grade"
QUALIFICATION_GRADE_TOO_LONG = (
    f"The grade should be no longer than {limits.MAX_GRADE_LENGTH} characters"
)
QUALIFICATION_GRADE_INVALID = "Grade contains some invalid characters"
OTHER_QUALIFICATION_REQUIRED = "Enter the name of the qualification"

APPLICATION_METHOD_REQUIRED = "Select a website for applications"
APPLICATION_URL_REQUIRED = "Enter the application website link"
APPLICATION_URL_TOO_LONG = (
    f"Application website link must not exceed {limits.MAX_APPLICATION_URL_LENGTH} characters"
)
APPLICATION_URL_NOT_ALLOWED = "Application website link must be empty when apply through Find an apprenticeship service option is specified"
APPLICATION_INSTRUCTIONS_NOT_ALLOWED = "Application process must be empty when apply through Find an apprenticeship service option is specified"
APPLICATION_INSTRUCTIONS_TOO_LONG = (
    f"How to apply must not exceed {limits.MAX_APPLICATION_INSTRUCTIONS_LENGTH} characters"
)
APPLICATION_INSTRUCTIONS_INVALID = "How to apply contains some invalid characters"


def employer_name_required(provider: bool) -> str:
    """The Recruit API asks employers about their "advert" and providers about their
    "vacancy"."""
    return f"Select the employer name you want on your {'vacancy' if provider else 'advert'}"


def anonymous_reason_required(provider: bool) -> str:
    return f"Enter why you want your {'vacancy' if provider else 'advert'} to be anonymous"


def address_line_invalid(number: int) -> str:
    # The Recruit API's line 3 says "contains some characters": a slip, not a rule.
    return f"Address line {number} contains some invalid characters"


def address_line_too_long(number: int) -> str:
    return (
        f"Address line {number} must not be more than {limits.MAX_ADDRESS_LINE_LENGTH} characters"
    )


def fixed_wage_below_minimum(lowest_yearly: Decimal) -> str:
    # Money as the real service shows it: "£12,345.60", and "£12,345" for whole pounds.
    shown = f"£{lowest_yearly:,.2f}"
    return f"Yearly wage must be at least {shown.removesuffix('.00')}"


def duration_too_short_for_hours(months: int) -> str:
    return (
        f"Duration of apprenticeship must be {months} months based on the number of hours per "
        "week entered"
    )


# -- rules of ours, where the real service has none (or answers with a 500) -----------------

UKPRN_REQUIRED = "You must enter a training provider"
UKPRN_FORMAT = f"The UKPRN is {limits.UKPRN_DIGITS} digits"
UKPRN_NOT_CALLER = "A training provider's key creates adverts for that provider only: leave out the UKPRN or give your own"
STANDARD_INVALID = "Enter a valid training course"
DISABILITY_REQUIRED = "Select whether the employer is a Disability Confident employer"
WEEKLY_HOURS_DECIMALS = "The total hours a week must have no more than 2 decimal places"
FIXED_WAGE_REQUIRED = "Enter the yearly wage for a fixed wage"
FIXED_WAGE_FORMAT = "The yearly wage must be an amount in pounds and pence, more than 0"
LOCATION_REQUIRED = "You must provide an employer location"
LOCATION_ONE_ONLY = "Give only one of address, multipleAddresses and recruitingNationally"
ADDRESS_REQUIRED = "Enter the address where the apprentice will work"
POSTCODE_NOT_FOUND = "We could not find where this postcode is"
NATIONAL_DETAILS_INVALID = (
    "Information about where the apprentice will work contains some invalid characters"
)
QUALIFICATION_REQUIRED = "Add the qualification's details"
OTHER_QUALIFICATION_TOO_LONG = (
    f"The qualification name must not exceed {limits.MAX_QUALIFICATION_NAME_LENGTH} characters"
)
QUESTION_NOT_ALLOWED = (
    "Additional questions can only be asked when applicants apply through Find an apprenticeship"
)
