"""What the Recruitment API says about each broken rule.

The wording is the real service's where it has a message for the rule (das-recruit-api
``Validators/VacancyEntity``, das-apim-endpoints ``VacanciesManage``). Rules it words for
its own web pages, or answers with a framework default, get a sentence of ours in the
same style.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from apprenticeships.recruitment import limits

ALREADY_SUBMITTED = "Unable to create Vacancy. Vacancy already submitted"
UKPRN_NOT_VALID = "Training Provider UKPRN not valid"
LEGAL_ENTITY_NOT_LINKED = (
    "The account legal entity is not linked to this key's employer account or has not "
    "given this training provider permission to recruit."
)
ID_INVALID = "The vacancy id must be a GUID, for example 3fa85f64-5717-4562-b3fc-2c963f66afa6."
BODY_NOT_JSON = "The request body must be a JSON object."

TITLE_REQUIRED = "Enter a title for this apprenticeship"
TITLE_TOO_LONG = f"Title must not exceed {limits.MAX_TITLE_LENGTH} characters"
TITLE_INVALID = "Title contains some invalid characters"
TITLE_NEEDS_APPRENTICE = "Enter a title which includes the word 'apprentice' or 'apprenticeship'"

POSITIONS_REQUIRED = "Enter the number of positions for this apprenticeship"

CLOSING_DATE_REQUIRED = "Enter an application closing date"
CLOSING_DATE_TOO_SOON = (
    f"Closing date should be at least {limits.MIN_CLOSING_DAYS} days in the future."
)
START_DATE_REQUIRED = "Enter when you expect the apprenticeship to start"
START_DATE_NOT_AFTER_CLOSING = "The possible start date should be after the closing date"

CONTRACTING_PARTIES_REQUIRED = (
    "Enter the contracting parties: the account legal entity and the training provider"
)
LEGAL_ENTITY_REQUIRED = "You must select one organisation"
UKPRN_REQUIRED = "You must enter a training provider"
UKPRN_FORMAT = f"The UKPRN is {limits.UKPRN_DIGITS} digits"
UKPRN_NOT_CALLER = "A training provider's key creates adverts for that provider only: leave out the UKPRN or give your own"

STANDARD_REQUIRED = "Enter a valid training course"

WAGE_REQUIRED = "Select how much you'd like to pay the apprentice"
WAGE_TYPE_REQUIRED = "Select how much the apprentice will be paid"
WEEKLY_HOURS_REQUIRED = (
    "Enter how many hours the apprentice will work each week, including training"
)
WEEKLY_HOURS_TOO_FEW = f"The total hours a week must be at least {limits.MIN_WEEKLY_HOURS}"
WEEKLY_HOURS_TOO_MANY = f"The total hours a week must not be more than {limits.MAX_WEEKLY_HOURS}"
WEEKLY_HOURS_DECIMALS = "The total hours a week must have no more than 2 decimal places"
WORKING_WEEK_REQUIRED = "Enter details about the working week"
DURATION_REQUIRED = "Enter how long the whole apprenticeship is, including work and training"
DURATION_TOO_SHORT = f"Expected duration must be at least {limits.MIN_DURATION_MONTHS} months"
FIXED_WAGE_REQUIRED = "Enter the yearly wage for a fixed wage"
FIXED_WAGE_FORMAT = "The yearly wage must be an amount in pounds and pence, more than 0"
FIXED_WAGE_NOT_ALLOWED = "A yearly wage can only be given with the FixedWage wage type"

LOCATION_REQUIRED = "You must provide an employer location"
LOCATION_ONE_ONLY = "Give only one of address, multipleAddresses and recruitingNationally"
NATIONAL_DETAILS_REQUIRED = "Add more information about where the apprentice will work"
MULTIPLE_ADDRESSES_COUNT = (
    f"Select between {limits.MIN_ADDRESSES} and {limits.MAX_ADDRESSES} locations"
)
ADDRESS_LINE1_REQUIRED = "Enter the address where the apprentice will work"
POSTCODE_REQUIRED = "Enter the postcode"
POSTCODE_INVALID = "'Postcode' is not in a valid format"
POSTCODE_NOT_IN_ENGLAND = "Postcode must be in England"
POSTCODE_NOT_FOUND = "We could not find where this postcode is"

SHORT_DESCRIPTION_REQUIRED = "Enter a short description of the apprenticeship"
SHORT_DESCRIPTION_TOO_SHORT = (
    "Summary of the apprenticeship must be at least "
    f"{limits.MIN_SHORT_DESCRIPTION_LENGTH} characters"
)
DESCRIPTION_REQUIRED = "Enter what the apprentice will do at work"
OUTCOME_REQUIRED = "Enter the expected career progression after this apprenticeship"
TRAINING_REQUIRED = "Enter the apprentice’s training plan"
EMPLOYER_DESCRIPTION_REQUIRED = "Enter details about the employer"

TRADING_NAME_REQUIRED = "Enter the trading name"
ANONYMOUS_DESCRIPTION_REQUIRED = "Enter a brief description of what the employer does"
ANONYMOUS_REASON_REQUIRED = "Enter why you want your advert to be anonymous"
WEBSITE_TOO_LONG = f"Website address must not exceed {limits.MAX_WEBSITE_LENGTH} characters"
WEBSITE_INVALID = "Website address must be a valid link"
DISABILITY_REQUIRED = "Select whether the employer is a Disability Confident employer"

SUBMITTER_REQUIRED = "Enter the contact details of the person submitting the advert"
SUBMITTER_NAME_REQUIRED = "Enter the contact name"
SUBMITTER_EMAIL_REQUIRED = "Enter the email address"
EMAIL_TOO_LONG = f"Email address must not exceed {limits.MAX_EMAIL_LENGTH} characters"
EMAIL_INVALID_CHARACTERS = "Email address contains some invalid characters"
EMAIL_INVALID = "Email address must be in a valid format"
PHONE_TOO_LONG = f"Contact number must not exceed {limits.MAX_PHONE_LENGTH} digits"
PHONE_TOO_SHORT = f"Contact number must be more than {limits.MIN_PHONE_LENGTH} digits"
PHONE_INVALID = "Contact number contains some invalid characters"

SKILLS_REQUIRED = "Select the skills and personal qualities you'd like the applicant to have"
SKILL_EMPTY = "You must include a skill or quality"
SKILL_TOO_LONG = f"Skill or quality must not exceed {limits.MAX_SKILL_LENGTH} characters"
QUALIFICATION_TYPE_REQUIRED = "Select a qualification"
QUALIFICATION_TYPE_INVALID = "Invalid qualification type"
QUALIFICATION_LEVEL_RANGE = (
    "The qualification level must be between "
    f"{limits.MIN_QUALIFICATION_LEVEL} and {limits.MAX_QUALIFICATION_LEVEL}"
)
QUALIFICATION_LEVEL_REQUIRED = "Select the BTEC level"
QUALIFICATION_SUBJECT_REQUIRED = "Enter the subject"
QUALIFICATION_SUBJECT_TOO_LONG = (
    f"The qualification must not exceed {limits.MAX_SUBJECT_LENGTH} characters"
)
QUALIFICATION_GRADE_REQUIRED = "Enter the grade"
QUALIFICATION_GRADE_TOO_LONG = (
    f"The grade should be no longer than {limits.MAX_GRADE_LENGTH} characters"
)
QUALIFICATION_WEIGHTING_REQUIRED = "Select if this qualification is essential or desirable"
OTHER_QUALIFICATION_REQUIRED = "Enter the name of the qualification"

APPLICATION_METHOD_REQUIRED = "Select a website for applications"
APPLICATION_URL_REQUIRED = "Enter the application website link"
APPLICATION_URL_TOO_LONG = (
    f"Application website link must not exceed {limits.MAX_APPLICATION_URL_LENGTH} characters"
)
APPLICATION_URL_INVALID = "Application website link must be a valid link"
APPLICATION_URL_NOT_ALLOWED = "Application website link must be empty when apply through Find an apprenticeship service option is specified"
APPLICATION_INSTRUCTIONS_NOT_ALLOWED = "Application process must be empty when apply through Find an apprenticeship service option is specified"
QUESTION_NOT_ALLOWED = (
    "Additional questions can only be asked when applicants apply through Find an apprenticeship"
)


def or_less(label: str, limit: int) -> str:
    return f"{label} must be {limit} characters or less"


def too_long(label: str, limit: int) -> str:
    return f"{label} must not exceed {limit} characters"


def not_more_than(label: str, limit: int) -> str:
    return f"{label} must not be more than {limit} characters"


def invalid_characters(label: str) -> str:
    return f"{label} contains some invalid characters"


def question_too_long(number: int) -> str:
    return f"Question {number} must not exceed {limits.MAX_QUESTION_LENGTH} characters."


def question_mark_required(number: int) -> str:
    return f"Question {number} must include a question mark (‘?’)."


def standard_closed_for_starts(last: date) -> str:
    return (
        f"Start date must be on or before {last.day} {last:%B %Y} as this is the last day for "
        "new starters for the training course you have selected. If you don't want to change "
        "the start date, you can change the training course"
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
