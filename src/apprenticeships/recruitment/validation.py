"""Every rule of a new advert that needs nothing but the request body and today's date.

``read_advert`` reads the whole body, recording every problem under the JSON path the
client used, and returns what it could read. Rules that need stored data (the legal
entity, the provider, the standard, where a postcode is) are the service's, and add to
the same ``Problems``, so all errors reach the client in one response.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any
from urllib.parse import urlsplit

from apprenticeships.geo.postcodes import normalise
from apprenticeships.recruitment import limits
from apprenticeships.recruitment import messages as m
from apprenticeships.recruitment.reader import ObjectReader, Problems
from apprenticeships.recruitment.schemas import (
    ApplicationMethod,
    DisabilityConfident,
    DurationUnit,
    EmployerNameOption,
    WageType,
    Weighting,
)
from apprenticeships.referencedata.lists import QualificationType
from apprenticeships.referencedata.wages import minimum_wage_rates, rates_on
from apprenticeships.vacancies.html import check_html, submitted_length

WEEKS_PER_YEAR = 52
CENTS = Decimal("0.01")

_TITLE_WORD = re.compile(r"\bapprentice(?:ship)?\b", re.IGNORECASE)
# The real service's character rules (SFA.DAS.InputValidation ``FreeTextValidator``):
# letters, digits, whitespace and common punctuation, and no "<", ">", "{", "}", "|",
# "~", "^", "`" or "\\", so nothing typed in a plain-text field can become markup.
# Characters past U+FFFF are allowed too (.NET sees them as two allowed surrogates).
# Letters beyond ASCII are a range of code points without the surrogates: a lone one
# (JSON allows "\ud800") can be neither stored nor shown.
_LETTERS = "a-zA-Z0-9\u00a0-\ud7ff\ue000-\uffa7\U00010000-\U0010ffff"
_FREE_TEXT = re.compile("[" + _LETTERS + r"?$@#()\"'!,+\-=_:;.&€£*%/\[\] \t\n\r]*")
_EMAIL_PART = _LETTERS + r"?$#()\"'!,+\-=_:;.&€£*%/"
_EMAIL = re.compile(f"[{_EMAIL_PART}]+@[{_EMAIL_PART}]+\\.[{_LETTERS}]{{2,10}}")
_PHONE = re.compile(r"[0-9+ \-()]*")


@dataclass(slots=True)
class AddressDraft:
    line1: str
    line2: str | None
    line3: str | None
    line4: str | None
    postcode: str  # canonical
    postcode_path: str


@dataclass(slots=True)
class AdvertDraft:
    """What could be read from the body. Fields are None where the body was unusable,
    which only happens when ``Problems`` holds an error for them."""

    title: str | None = None
    number_of_positions: int | None = None
    closing_date: date | None = None
    start_date: date | None = None
    start_date_path: str = "startDate"
    legal_entity_public_hashed_id: str | None = None
    ukprn: int | None = None
    ukprn_path: str = "contractingParties.ukprn"
    wage_type: WageType | None = None
    fixed_wage_yearly_amount: Decimal | None = None
    wage_additional_information: str | None = None
    company_benefits_information: str | None = None
    weekly_hours: Decimal | None = None
    working_week_description: str | None = None
    duration: int | None = None
    duration_unit: DurationUnit | None = None
    addresses: list[AddressDraft] = field(default_factory=list)
    recruiting_nationally: bool = False
    recruiting_nationally_details: str | None = None
    short_description: str | None = None
    description: str | None = None
    outcome_description: str | None = None
    training_description: str | None = None
    additional_training_description: str | None = None
    things_to_consider: str | None = None
    standard_lars_code: int | None = None
    standard_path: str = "standardLarsCode"
    employer_name_option: EmployerNameOption = EmployerNameOption.REGISTERED_NAME
    alternative_employer_name: str | None = None
    anonymous_reason: str | None = None
    employer_description: str | None = None
    employer_website_url: str | None = None
    disability_confident: bool | None = None
    submitter_name: str | None = None
    submitter_email: str | None = None
    submitter_phone: str | None = None
    skills: list[str] = field(default_factory=list)
    skills_path: str = "skills"
    qualifications: list[dict[str, Any]] = field(default_factory=list)
    application_method: ApplicationMethod | None = None
    application_url: str | None = None
    application_instructions: str | None = None
    additional_question_1: str | None = None
    additional_question_2: str | None = None


def read_advert(
    body: dict[str, Any], today: date, problems: Problems, *, ukprn_required: bool = True
) -> AdvertDraft:
    """Read and check a whole advert; every problem goes into ``problems``. A provider's
    key names the provider itself, so its calls need no UKPRN in the body."""
    reader = ObjectReader(body, "", problems)
    draft = AdvertDraft()
    _read_basics(reader, draft, today)
    _read_contracting_parties(reader, draft, ukprn_required)
    _read_wage(reader, draft)
    _read_location(reader, draft)
    _read_descriptions(reader, draft)
    _read_employer(reader, draft)
    _read_submitter(reader, draft)
    _read_skills_and_qualifications(reader, draft)
    _read_application(reader, draft)
    return draft


# -- sections ------------------------------------------------------------------------------


def _read_basics(reader: ObjectReader, draft: AdvertDraft, today: date) -> None:
    problems = reader.problems
    title, path = reader.string("title", m.TITLE_REQUIRED)
    if title is not None:
        title = title.strip()
        checked = _plain_value(
            problems, path, title, "Title", limits.MAX_TITLE_LENGTH, m.TITLE_TOO_LONG
        )
        if not _TITLE_WORD.search(title):
            problems.add(path, m.TITLE_NEEDS_APPRENTICE)
        else:
            draft.title = checked

    positions, path = reader.integer("numberOfPositions", m.POSITIONS_REQUIRED)
    if positions is not None:
        if positions < limits.MIN_POSITIONS:
            problems.add(path, m.POSITIONS_REQUIRED)
        else:
            draft.number_of_positions = positions

    closing, closing_path = reader.date("closingDate", m.CLOSING_DATE_REQUIRED)
    if closing is not None:
        if closing < today + timedelta(days=limits.MIN_CLOSING_DAYS):
            problems.add(closing_path, m.CLOSING_DATE_TOO_SOON)
        else:
            draft.closing_date = closing

    start, draft.start_date_path = reader.date("startDate", m.START_DATE_REQUIRED)
    if start is not None:
        if closing is not None and start <= closing:
            problems.add(draft.start_date_path, m.START_DATE_NOT_AFTER_CLOSING)
        else:
            draft.start_date = start

    lars, draft.standard_path = reader.integer("standardLarsCode", m.STANDARD_REQUIRED)
    if lars is not None:
        if lars < limits.MIN_LARS_CODE:
            problems.add(draft.standard_path, m.STANDARD_REQUIRED)
        else:
            draft.standard_lars_code = lars


def _read_contracting_parties(
    reader: ObjectReader, draft: AdvertDraft, ukprn_required: bool
) -> None:
    parties = reader.object("contractingParties", m.CONTRACTING_PARTIES_REQUIRED)
    if parties is None:
        return
    hashed_id, _ = parties.string("accountLegalEntityPublicHashedId", m.LEGAL_ENTITY_REQUIRED)
    if hashed_id is not None:
        draft.legal_entity_public_hashed_id = hashed_id.strip().upper()
    ukprn, draft.ukprn_path = parties.integer("ukprn", m.UKPRN_REQUIRED if ukprn_required else None)
    if ukprn is not None:
        if not limits.MIN_UKPRN <= ukprn <= limits.MAX_UKPRN:
            reader.problems.add(draft.ukprn_path, m.UKPRN_FORMAT)
        else:
            draft.ukprn = ukprn


def _read_wage(reader: ObjectReader, draft: AdvertDraft) -> None:
    wage = reader.object("wage", m.WAGE_REQUIRED)
    if wage is None:
        return
    problems = reader.problems
    draft.wage_type, _ = wage.enum("wageType", WageType, m.WAGE_TYPE_REQUIRED)

    hours, hours_path = wage.decimal("weeklyHours", m.WEEKLY_HOURS_REQUIRED)
    if hours is not None:
        if hours < limits.MIN_WEEKLY_HOURS:
            problems.add(hours_path, m.WEEKLY_HOURS_TOO_FEW)
        elif hours > limits.MAX_WEEKLY_HOURS:
            problems.add(hours_path, m.WEEKLY_HOURS_TOO_MANY)
        elif hours != hours.quantize(CENTS):
            problems.add(hours_path, m.WEEKLY_HOURS_DECIMALS)
        else:
            draft.weekly_hours = hours

    amount, amount_path = wage.decimal("fixedWageYearlyAmount")
    if draft.wage_type is WageType.FIXED_WAGE:
        if amount is None:
            problems.add_if_clear(amount_path, m.FIXED_WAGE_REQUIRED)
        elif amount <= 0 or amount != amount.quantize(CENTS):
            problems.add(amount_path, m.FIXED_WAGE_FORMAT)
        elif (lowest := _lowest_fixed_wage_for(draft)) is not None and amount < lowest:
            problems.add(amount_path, m.fixed_wage_below_minimum(lowest))
        else:
            draft.fixed_wage_yearly_amount = amount
    elif amount is not None and draft.wage_type is not None:
        problems.add(amount_path, m.FIXED_WAGE_NOT_ALLOWED)

    draft.wage_additional_information = _plain(
        wage,
        "wageAdditionalInformation",
        "Information about pay",
        limits.MAX_WAGE_INFORMATION_LENGTH,
        m.or_less,
    )
    draft.company_benefits_information = _html(
        wage,
        "companyBenefitsInformation",
        "Company benefits",
        limits.MAX_COMPANY_BENEFITS_LENGTH,
        m.or_less,
    )
    draft.working_week_description = _plain(
        wage,
        "workingWeekDescription",
        "Working week details",
        limits.MAX_WORKING_WEEK_LENGTH,
        m.too_long("Details about the working week", limits.MAX_WORKING_WEEK_LENGTH),
        required=m.WORKING_WEEK_REQUIRED,
    )

    duration, duration_path = wage.integer("duration", m.DURATION_REQUIRED)
    unit, _ = wage.enum("durationUnit", DurationUnit, m.DURATION_REQUIRED)
    draft.duration_unit = unit
    if duration is not None:
        months = duration * 12 if unit is DurationUnit.YEAR else duration
        needed = minimum_duration_months(draft.weekly_hours)
        if duration < limits.MIN_DURATION or (
            unit is not None and months < limits.MIN_DURATION_MONTHS
        ):
            problems.add(duration_path, m.DURATION_TOO_SHORT)
        elif unit is not None and months < needed:
            problems.add(duration_path, m.duration_too_short_for_hours(needed))
        elif unit is not None:
            draft.duration = duration


def lowest_fixed_wage(start_date: date, weekly_hours: Decimal) -> Decimal:
    """The lowest yearly FixedWage: the apprentice minimum hourly rate in force on the
    start date, for 52 weeks of these hours, rounded up to the penny (so the amount shown
    in the message passes the rule)."""
    hourly = rates_on(start_date).apprentice_hourly
    return (hourly * WEEKS_PER_YEAR * weekly_hours).quantize(CENTS, rounding=ROUND_CEILING)


def _lowest_fixed_wage_for(draft: AdvertDraft) -> Decimal | None:
    """The lowest yearly FixedWage for the advert's hours and start date; None when
    either is missing or wrong (its own error is reported)."""
    if (
        draft.weekly_hours is None
        or draft.start_date is None
        # Only a start date that is itself wrong (with a closing date in the past) comes
        # before the first shipped rates.
        or draft.start_date < minimum_wage_rates()[0].effective_from
    ):
        return None
    return lowest_fixed_wage(draft.start_date, draft.weekly_hours)


def minimum_duration_months(weekly_hours: Decimal | None) -> int:
    """At least 8 months at 30 hours a week or more; proportionally longer below that."""
    if weekly_hours is None or weekly_hours >= limits.FULL_TIME_HOURS:
        return limits.MIN_DURATION_MONTHS
    return math.ceil(limits.FULL_TIME_HOURS / weekly_hours * limits.MIN_DURATION_MONTHS)


def _read_location(reader: ObjectReader, draft: AdvertDraft) -> None:
    problems = reader.problems
    national, national_path = reader.boolean("recruitingNationally")
    address = reader.object("address")
    multiple, multiple_path = reader.array("multipleAddresses")
    modes = sum((national is True, address is not None, multiple is not None))
    if modes == 0 and not problems.has(national_path):
        problems.add("address", m.LOCATION_REQUIRED)
    elif modes > 1:
        problems.add(national_path if national else multiple_path, m.LOCATION_ONE_ONLY)
    if national:
        draft.recruiting_nationally = True
        draft.recruiting_nationally_details = _html(
            reader,
            "recruitingNationallyDetails",
            "Information about where the apprentice will work",
            limits.MAX_NATIONAL_DETAILS_LENGTH,
            m.or_less,
            required=m.NATIONAL_DETAILS_REQUIRED,
        )
    if address is not None:
        read = _read_address(address)
        if read is not None:
            draft.addresses.append(read)
    if multiple is not None:
        if not limits.MIN_ADDRESSES <= len(multiple) <= limits.MAX_ADDRESSES:
            problems.add(multiple_path, m.MULTIPLE_ADDRESSES_COUNT)
        for _, item in reader.objects("multipleAddresses"):
            if item is not None and (read := _read_address(item)) is not None:
                draft.addresses.append(read)


def _read_address(reader: ObjectReader) -> AddressDraft | None:
    line1, line2, line3, line4 = (
        _plain(
            reader,
            f"addressLine{number}",
            f"Address line {number}",
            limits.MAX_ADDRESS_LINE_LENGTH,
            m.not_more_than,
            required=m.ADDRESS_LINE1_REQUIRED if number == 1 else None,
        )
        for number in range(1, 5)
    )
    text, path = reader.string("postcode", m.POSTCODE_REQUIRED)
    postcode = None
    if text is not None:
        postcode = normalise(text)
        if postcode is None:
            reader.problems.add(path, m.POSTCODE_INVALID)
    if postcode is None:
        return None
    # Kept even when a line is wrong, so the postcode's country is still checked (the
    # problem recorded for the line stops the advert being stored).
    return AddressDraft(line1 or "", line2, line3, line4, postcode, path)


def _read_descriptions(reader: ObjectReader, draft: AdvertDraft) -> None:
    problems = reader.problems
    short, path = reader.string("shortDescription", m.SHORT_DESCRIPTION_REQUIRED)
    if short is not None:
        if submitted_length(short) < limits.MIN_SHORT_DESCRIPTION_LENGTH:
            problems.add(path, m.SHORT_DESCRIPTION_TOO_SHORT)
        else:
            draft.short_description = _html_value(
                problems,
                path,
                short,
                "Short description of the apprenticeship",
                limits.MAX_SHORT_DESCRIPTION_LENGTH,
                m.too_long("Summary of the apprenticeship", limits.MAX_SHORT_DESCRIPTION_LENGTH),
            )
    longest = limits.MAX_DESCRIPTION_LENGTH
    draft.description = _html(
        reader,
        "description",
        "What the apprentice will do at work",
        longest,
        m.too_long,
        required=m.DESCRIPTION_REQUIRED,
    )
    draft.outcome_description = _html(
        reader,
        "outcomeDescription",
        "What is the expected career progression after this apprenticeship description",
        longest,
        m.too_long("Expected career progression", longest),
        required=m.OUTCOME_REQUIRED,
    )
    draft.training_description = _html(
        reader,
        "trainingDescription",
        "The apprentice’s training plan",
        longest,
        m.too_long,
        required=m.TRAINING_REQUIRED,
    )
    draft.additional_training_description = _html(
        reader,
        "additionalTrainingDescription",
        "Any additional training information",
        longest,
        m.too_long,
    )
    draft.things_to_consider = _html(
        reader, "thingsToConsider", "Other requirements", longest, m.too_long
    )


def _read_employer(reader: ObjectReader, draft: AdvertDraft) -> None:
    problems = reader.problems
    option, _ = reader.enum("employerNameOption", EmployerNameOption)
    draft.employer_name_option = option or EmployerNameOption.REGISTERED_NAME
    alternative, alternative_path = reader.string("alternativeEmployerName")
    reason, reason_path = reader.string("anonymousReason")
    trading = draft.employer_name_option is EmployerNameOption.TRADING_NAME
    anonymous = draft.employer_name_option is EmployerNameOption.ANONYMOUS
    if trading or anonymous:
        if alternative is None:
            problems.add_if_clear(
                alternative_path,
                m.TRADING_NAME_REQUIRED if trading else m.ANONYMOUS_DESCRIPTION_REQUIRED,
            )
        else:
            draft.alternative_employer_name = _plain_value(
                problems,
                alternative_path,
                alternative,
                "The trading name" if trading else "The description",
                limits.MAX_EMPLOYER_NAME_LENGTH,
                m.too_long if trading else m.not_more_than,
            )
    if anonymous:
        if reason is None:
            problems.add_if_clear(reason_path, m.ANONYMOUS_REASON_REQUIRED)
        else:
            draft.anonymous_reason = _plain_value(
                problems,
                reason_path,
                reason,
                "The reason",
                limits.MAX_ANONYMOUS_REASON_LENGTH,
                m.not_more_than,
            )

    draft.employer_description = _html(
        reader,
        "employerDescription",
        "Information about the employer",
        limits.MAX_DESCRIPTION_LENGTH,
        m.too_long,
        required=m.EMPLOYER_DESCRIPTION_REQUIRED,
    )
    website, path = reader.string("employerWebsiteUrl")
    if website is not None:
        draft.employer_website_url = _web_url(
            problems,
            path,
            website,
            limits.MAX_WEBSITE_LENGTH,
            m.WEBSITE_TOO_LONG,
            m.WEBSITE_INVALID,
        )
    confident, _ = reader.enum("disabilityConfident", DisabilityConfident, m.DISABILITY_REQUIRED)
    if confident is not None:
        draft.disability_confident = confident is DisabilityConfident.YES


def _read_submitter(reader: ObjectReader, draft: AdvertDraft) -> None:
    contact = reader.object("submitterContactDetails", m.SUBMITTER_REQUIRED)
    if contact is None:
        return
    problems = reader.problems
    draft.submitter_name = _plain(
        contact,
        "name",
        "Contact name",
        limits.MAX_CONTACT_NAME_LENGTH,
        m.too_long,
        required=m.SUBMITTER_NAME_REQUIRED,
    )
    email, path = contact.string("email", m.SUBMITTER_EMAIL_REQUIRED)
    if email is not None:
        email = email.strip()
        if submitted_length(email) > limits.MAX_EMAIL_LENGTH:
            problems.add(path, m.EMAIL_TOO_LONG)
        elif not _FREE_TEXT.fullmatch(email):
            problems.add(path, m.EMAIL_INVALID_CHARACTERS)
        elif not _EMAIL.fullmatch(email):
            problems.add(path, m.EMAIL_INVALID)
        else:
            draft.submitter_email = email
    phone, path = contact.string("phone")
    if phone is not None:
        phone = phone.strip()
        if len(phone) > limits.MAX_PHONE_LENGTH:
            problems.add(path, m.PHONE_TOO_LONG)
        elif len(phone) < limits.MIN_PHONE_LENGTH:
            problems.add(path, m.PHONE_TOO_SHORT)
        elif not _PHONE.fullmatch(phone):
            problems.add(path, m.PHONE_INVALID)
        else:
            draft.submitter_phone = phone


def _read_skills_and_qualifications(reader: ObjectReader, draft: AdvertDraft) -> None:
    problems = reader.problems
    skills, draft.skills_path = reader.array("skills")
    for position, skill in enumerate(skills or []):
        path = f"{draft.skills_path}[{position}]"
        if not isinstance(skill, str) or not skill.strip():
            problems.add(path, m.SKILL_EMPTY)
            continue
        checked = _plain_value(
            problems, path, skill, "Skill", limits.MAX_SKILL_LENGTH, m.SKILL_TOO_LONG
        )
        if checked is not None and checked not in draft.skills:
            draft.skills.append(checked)

    for _, item in reader.objects("qualifications"):
        if item is not None and (qualification := _read_qualification(item)) is not None:
            draft.qualifications.append(qualification)


def _read_qualification(item: ObjectReader) -> dict[str, Any] | None:
    problems = item.problems
    kind, _ = item.enum(
        "qualificationType",
        QualificationType,
        m.QUALIFICATION_TYPE_REQUIRED,
        invalid=m.QUALIFICATION_TYPE_INVALID,
    )
    level, level_path = item.integer("level")
    if level is not None and not (
        limits.MIN_QUALIFICATION_LEVEL <= level <= limits.MAX_QUALIFICATION_LEVEL
    ):
        problems.add(level_path, m.QUALIFICATION_LEVEL_RANGE)
        level = None
    elif level is None and kind is QualificationType.BTEC:
        problems.add_if_clear(level_path, m.QUALIFICATION_LEVEL_REQUIRED)
    subject = _plain(
        item,
        "subject",
        "Subject",
        limits.MAX_SUBJECT_LENGTH,
        m.QUALIFICATION_SUBJECT_TOO_LONG,
        required=m.QUALIFICATION_SUBJECT_REQUIRED,
    )
    grade = _plain(
        item,
        "grade",
        "Grade",
        limits.MAX_GRADE_LENGTH,
        m.QUALIFICATION_GRADE_TOO_LONG,
        required=m.QUALIFICATION_GRADE_REQUIRED,
    )
    weighting, _ = item.enum("weighting", Weighting, m.QUALIFICATION_WEIGHTING_REQUIRED)
    other, other_path = item.string("otherQualificationName")
    if kind is QualificationType.OTHER:
        if other is None:
            problems.add_if_clear(other_path, m.OTHER_QUALIFICATION_REQUIRED)
        else:
            other = _plain_value(
                problems,
                other_path,
                other,
                "The qualification name",
                limits.MAX_QUALIFICATION_NAME_LENGTH,
                m.too_long,
            )
    if kind is None or subject is None or grade is None or weighting is None:
        return None
    if kind is QualificationType.OTHER and other is None:
        return None
    qualification: dict[str, Any] = {
        "qualificationType": kind.value,
        "subject": subject,
        "grade": grade,
        "weighting": weighting.value,
    }
    if level is not None:
        qualification["level"] = level
    if kind is QualificationType.OTHER and other is not None:
        qualification["otherQualificationName"] = other
    return qualification


def _read_application(reader: ObjectReader, draft: AdvertDraft) -> None:
    problems = reader.problems
    method, _ = reader.enum("applicationMethod", ApplicationMethod, m.APPLICATION_METHOD_REQUIRED)
    draft.application_method = method
    external = method is ApplicationMethod.THROUGH_EXTERNAL_APPLICATION_SITE
    url, url_path = reader.string("applicationUrl")
    instructions, instructions_path = reader.string("applicationInstructions")
    questions = [reader.string(f"additionalQuestion{number}") for number in (1, 2)]
    if method is ApplicationMethod.THROUGH_FIND_AN_APPRENTICESHIP:
        if url is not None:
            problems.add(url_path, m.APPLICATION_URL_NOT_ALLOWED)
        if instructions is not None:
            problems.add(instructions_path, m.APPLICATION_INSTRUCTIONS_NOT_ALLOWED)
    elif external:
        if url is None:
            problems.add_if_clear(url_path, m.APPLICATION_URL_REQUIRED)
        else:
            draft.application_url = _web_url(
                problems,
                url_path,
                url,
                limits.MAX_APPLICATION_URL_LENGTH,
                m.APPLICATION_URL_TOO_LONG,
                m.APPLICATION_URL_INVALID,
            )
        if instructions is not None:
            draft.application_instructions = _plain_value(
                problems,
                instructions_path,
                instructions,
                "How to apply",
                limits.MAX_APPLICATION_INSTRUCTIONS_LENGTH,
                m.too_long,
            )
    for number, (question, path) in enumerate(questions, start=1):
        if question is None:
            continue
        if external:
            problems.add(path, m.QUESTION_NOT_ALLOWED)
            continue
        checked = _plain_value(
            problems,
            path,
            question,
            f"Question {number}",
            limits.MAX_QUESTION_LENGTH,
            m.question_too_long(number),
        )
        if "?" not in question:
            problems.add(path, m.question_mark_required(number))
        elif number == 1:
            draft.additional_question_1 = checked
        else:
            draft.additional_question_2 = checked


# -- helpers -------------------------------------------------------------------------------

# A too-long error: the message itself, or how to word one from the property's label and
# limit (``messages.too_long`` and its siblings).
TooLong = str | Callable[[str, int], str]


def _plain(
    reader: ObjectReader,
    name: str,
    label: str,
    limit: int,
    too_long: TooLong,
    *,
    required: str | None = None,
) -> str | None:
    """A plain-text property, stripped; None if it is absent or broke a rule (recorded)."""
    text, path = reader.string(name, required)
    if text is None:
        return None
    return _plain_value(reader.problems, path, text, label, limit, too_long)


def _plain_value(
    problems: Problems, path: str, text: str, label: str, limit: int, too_long: TooLong
) -> str | None:
    """The value stripped, or None (and its problems) if it is too long or has characters
    plain text may not."""
    ok = True
    if submitted_length(text) > limit:
        problems.add(path, _too_long(too_long, label, limit))
        ok = False
    if not _FREE_TEXT.fullmatch(text):
        problems.add(path, m.invalid_characters(label))
        ok = False
    return text.strip() if ok else None


def _html(
    reader: ObjectReader,
    name: str,
    label: str,
    limit: int,
    too_long: TooLong,
    *,
    required: str | None = None,
) -> str | None:
    text, path = reader.string(name, required)
    if text is None:
        return None
    return _html_value(reader.problems, path, text, label, limit, too_long)


def _html_value(
    problems: Problems, path: str, text: str, label: str, limit: int, too_long: TooLong
) -> str | None:
    """The value re-serialised from its parsed tree, or None (and a problem) if it is too
    long or breaks the HTML rule."""
    ok = True
    if submitted_length(text) > limit:
        problems.add(path, _too_long(too_long, label, limit))
        ok = False
    checked = check_html(text, label)
    if checked.error is not None:
        problems.add(path, checked.error)
        return None
    return checked.html if ok else None


def _too_long(too_long: TooLong, label: str, limit: int) -> str:
    return too_long if isinstance(too_long, str) else too_long(label, limit)


def _web_url(
    problems: Problems, path: str, text: str, limit: int, too_long: str, invalid: str
) -> str | None:
    """An absolute web address, stripped; None (and a problem) if too long or not one."""
    url = text.strip()
    if submitted_length(url) > limit:
        problems.add(path, too_long)
    elif not is_absolute_web_url(url):
        problems.add(path, invalid)
    else:
        return url
    return None


def is_absolute_web_url(text: str) -> bool:
    """An absolute http or https URL with a dotted host name. Only its text is checked:
    the server never requests a caller-chosen address."""
    if any(c.isspace() or ord(c) < 0x20 or c in '<>"{}|\\^`' for c in text):
        return False
    try:
        parts = urlsplit(text)
        port = parts.port  # raises for a malformed port
    except ValueError:
        return False
    host = parts.hostname or ""
    return (
        parts.scheme.lower() in ("http", "https")
        and "." in host.strip(".")
        and not host.startswith(".")
        and not host.endswith(".")
        and not parts.username
        and not parts.password
        and (port is None or port > 0)
    )
