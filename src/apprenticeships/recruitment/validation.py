"""Every rule of a new advert that needs nothing but the request body and today's date.

``read_advert`` reads the whole body, recording every problem under the JSON path the
client used, and returns what it could read. Rules that need stored data (the legal
entity, the provider, the standard, where a postcode is) are the service's, and add to
the same ``Problems``, so all errors reach the client in one response.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any, Literal
from urllib.parse import urlsplit

from apprenticeships.geo.postcodes import normalise
from apprenticeships.recruitment import messages as m
from apprenticeships.recruitment.reader import ObjectReader, Problems
from apprenticeships.referencedata.lists import QUALIFICATION_TYPES
from apprenticeships.referencedata.wages import minimum_wage_rates, rates_on
from apprenticeships.vacancies.html import check_html, submitted_length

WageType = Literal[
    "FixedWage", "NationalMinimumWageForApprentices", "NationalMinimumWage", "CompetitiveSalary"
]
WAGE_TYPES: tuple[WageType, ...] = (
    "FixedWage",
    "NationalMinimumWageForApprentices",
    "NationalMinimumWage",
    "CompetitiveSalary",
)
DURATION_UNITS = ("Month", "Year")
EMPLOYER_NAME_OPTIONS = ("RegisteredName", "TradingName", "Anonymous")
DISABILITY_CONFIDENT = ("No", "Yes")
WEIGHTINGS = ("Essential", "Desired")
APPLICATION_METHODS = ("ThroughFindAnApprenticeship", "ThroughExternalApplicationSite")

MIN_CLOSING_DAYS = 7
MIN_WEEKLY_HOURS, MAX_WEEKLY_HOURS = Decimal(16), Decimal(48)
FULL_TIME_HOURS = Decimal(30)
MIN_DURATION_MONTHS = 8
MIN_ADDRESSES, MAX_ADDRESSES = 2, 10
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
    duration_unit: str | None = None
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
    employer_name_option: str = "RegisteredName"
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
    application_method: str | None = None
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
        ok = _plain_text(problems, path, title, "Title", m.TITLE_TOO_LONG, 100)
        if not _TITLE_WORD.search(title):
            problems.add(path, m.TITLE_NEEDS_APPRENTICE)
        elif ok:
            draft.title = title

    positions, path = reader.integer("numberOfPositions", m.POSITIONS_REQUIRED)
    if positions is not None:
        if positions < 1:
            problems.add(path, m.POSITIONS_REQUIRED)
        else:
            draft.number_of_positions = positions

    closing, closing_path = reader.date("closingDate", m.CLOSING_DATE_REQUIRED)
    if closing is not None:
        if closing < today + timedelta(days=MIN_CLOSING_DAYS):
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
        if lars < 1:
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
        if not 10_000_000 <= ukprn <= 99_999_999:
            reader.problems.add(draft.ukprn_path, m.UKPRN_FORMAT)
        else:
            draft.ukprn = ukprn


def _read_wage(reader: ObjectReader, draft: AdvertDraft) -> None:
    wage = reader.object("wage", m.WAGE_REQUIRED)
    if wage is None:
        return
    problems = reader.problems
    draft.wage_type, _ = wage.enum("wageType", WAGE_TYPES, m.WAGE_TYPE_REQUIRED)

    hours, hours_path = wage.decimal("weeklyHours", m.WEEKLY_HOURS_REQUIRED)
    if hours is not None:
        if hours < MIN_WEEKLY_HOURS:
            problems.add(hours_path, m.WEEKLY_HOURS_TOO_FEW)
        elif hours > MAX_WEEKLY_HOURS:
            problems.add(hours_path, m.WEEKLY_HOURS_TOO_MANY)
        elif hours != hours.quantize(CENTS):
            problems.add(hours_path, m.WEEKLY_HOURS_DECIMALS)
        else:
            draft.weekly_hours = hours

    amount, amount_path = wage.decimal("fixedWageYearlyAmount")
    if draft.wage_type == "FixedWage":
        if amount is None and not problems.has(amount_path):
            problems.add(amount_path, m.FIXED_WAGE_REQUIRED)
        elif amount is not None:
            if amount <= 0 or amount != amount.quantize(CENTS):
                problems.add(amount_path, m.FIXED_WAGE_FORMAT)
            elif (
                draft.weekly_hours is not None
                and draft.start_date is not None
                # Only a start date that is itself wrong (with a closing date in the past)
                # comes before the first shipped rates; its own error is reported.
                and draft.start_date >= minimum_wage_rates()[0].effective_from
            ):
                lowest = lowest_fixed_wage(draft.start_date, draft.weekly_hours)
                if amount < lowest:
                    problems.add(amount_path, m.fixed_wage_below_minimum(lowest))
                else:
                    draft.fixed_wage_yearly_amount = amount
            else:
                draft.fixed_wage_yearly_amount = amount
    elif amount is not None and draft.wage_type is not None:
        problems.add(amount_path, m.FIXED_WAGE_NOT_ALLOWED)

    info, path = wage.string("wageAdditionalInformation")
    if info is not None and _plain_text(
        problems, path, info, "Information about pay", m.or_less("Information about pay", 500), 500
    ):
        draft.wage_additional_information = info.strip()
    draft.company_benefits_information = _html(
        wage,
        "companyBenefitsInformation",
        "Company benefits",
        m.or_less("Company benefits", 500),
        500,
        None,
    )
    week, path = wage.string("workingWeekDescription", m.WORKING_WEEK_REQUIRED)
    if week is not None and _plain_text(
        problems,
        path,
        week,
        "Working week details",
        m.too_long("Details about the working week", 250),
        250,
    ):
        draft.working_week_description = week.strip()

    duration, duration_path = wage.integer("duration", m.DURATION_REQUIRED)
    unit, _ = wage.enum("durationUnit", DURATION_UNITS, m.DURATION_REQUIRED)
    draft.duration_unit = unit
    if duration is not None:
        months = duration * 12 if unit == "Year" else duration
        needed = minimum_duration_months(draft.weekly_hours)
        if duration < 1 or (unit is not None and months < MIN_DURATION_MONTHS):
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


def minimum_duration_months(weekly_hours: Decimal | None) -> int:
    """At least 8 months at 30 hours a week or more; proportionally longer below that."""
    if weekly_hours is None or weekly_hours >= FULL_TIME_HOURS:
        return MIN_DURATION_MONTHS
    return math.ceil(FULL_TIME_HOURS / weekly_hours * MIN_DURATION_MONTHS)


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
            m.or_less("Information about where the apprentice will work", 500),
            500,
            m.NATIONAL_DETAILS_REQUIRED,
        )
    if address is not None:
        read = _read_address(address)
        if read is not None:
            draft.addresses.append(read)
    if multiple is not None:
        if not MIN_ADDRESSES <= len(multiple) <= MAX_ADDRESSES:
            problems.add(multiple_path, m.MULTIPLE_ADDRESSES_COUNT)
        for _, item in reader.objects("multipleAddresses"):
            if item is not None and (read := _read_address(item)) is not None:
                draft.addresses.append(read)


def _read_address(reader: ObjectReader) -> AddressDraft | None:
    problems = reader.problems
    lines: list[str | None] = []
    for number in range(1, 5):
        label = f"Address line {number}"
        line, path = reader.string(
            f"addressLine{number}", m.ADDRESS_LINE1_REQUIRED if number == 1 else None
        )
        if line is not None and not _plain_text(
            problems, path, line, label, m.not_more_than(label, 100), 100
        ):
            line = None
        lines.append(line.strip() if line is not None else None)
    text, path = reader.string("postcode", m.POSTCODE_REQUIRED)
    postcode = None
    if text is not None:
        postcode = normalise(text)
        if postcode is None:
            problems.add(path, m.POSTCODE_INVALID)
    if postcode is None:
        return None
    # Kept even when a line is wrong, so the postcode's country is still checked (the
    # problem recorded for the line stops the advert being stored).
    return AddressDraft(lines[0] or "", lines[1], lines[2], lines[3], postcode, path)


def _read_descriptions(reader: ObjectReader, draft: AdvertDraft) -> None:
    problems = reader.problems
    short, path = reader.string("shortDescription", m.SHORT_DESCRIPTION_REQUIRED)
    if short is not None:
        summary = "Summary of the apprenticeship"
        if submitted_length(short) < 50:
            problems.add(path, m.SHORT_DESCRIPTION_TOO_SHORT)
        else:
            draft.short_description = _html_value(
                problems,
                path,
                short,
                "Short description of the apprenticeship",
                m.too_long(summary, 350),
                350,
            )
    work = "What the apprentice will do at work"
    draft.description = _html(
        reader, "description", work, m.too_long(work, 4000), 4000, m.DESCRIPTION_REQUIRED
    )
    draft.outcome_description = _html(
        reader,
        "outcomeDescription",
        "What is the expected career progression after this apprenticeship description",
        m.too_long("Expected career progression", 4000),
        4000,
        m.OUTCOME_REQUIRED,
    )
    plan = "The apprentice’s training plan"
    draft.training_description = _html(
        reader, "trainingDescription", plan, m.too_long(plan, 4000), 4000, m.TRAINING_REQUIRED
    )
    extra = "Any additional training information"
    draft.additional_training_description = _html(
        reader, "additionalTrainingDescription", extra, m.too_long(extra, 4000), 4000, None
    )
    other = "Other requirements"
    draft.things_to_consider = _html(
        reader, "thingsToConsider", other, m.too_long(other, 4000), 4000, None
    )


def _read_employer(reader: ObjectReader, draft: AdvertDraft) -> None:
    problems = reader.problems
    option, _ = reader.enum("employerNameOption", EMPLOYER_NAME_OPTIONS)
    draft.employer_name_option = option or "RegisteredName"
    alternative, alternative_path = reader.string("alternativeEmployerName")
    reason, reason_path = reader.string("anonymousReason")
    trading = draft.employer_name_option == "TradingName"
    if draft.employer_name_option in ("TradingName", "Anonymous"):
        label = "The trading name" if trading else "The description"
        if alternative is None:
            if not problems.has(alternative_path):
                problems.add(
                    alternative_path,
                    m.TRADING_NAME_REQUIRED if trading else m.ANONYMOUS_DESCRIPTION_REQUIRED,
                )
        elif _plain_text(
            problems,
            alternative_path,
            alternative,
            label,
            m.too_long(label, 100) if trading else m.not_more_than(label, 100),
            100,
        ):
            draft.alternative_employer_name = alternative.strip()
    if draft.employer_name_option == "Anonymous":
        if reason is None:
            if not problems.has(reason_path):
                problems.add(reason_path, m.ANONYMOUS_REASON_REQUIRED)
        elif _plain_text(
            problems, reason_path, reason, "The reason", m.not_more_than("The reason", 200), 200
        ):
            draft.anonymous_reason = reason.strip()

    about = "Information about the employer"
    draft.employer_description = _html(
        reader,
        "employerDescription",
        about,
        m.too_long(about, 4000),
        4000,
        m.EMPLOYER_DESCRIPTION_REQUIRED,
    )
    website, path = reader.string("employerWebsiteUrl")
    if website is not None:
        website = website.strip()
        if submitted_length(website) > 100:
            problems.add(path, m.WEBSITE_TOO_LONG)
        elif not is_absolute_web_url(website):
            problems.add(path, m.WEBSITE_INVALID)
        else:
            draft.employer_website_url = website
    confident, _ = reader.enum("disabilityConfident", DISABILITY_CONFIDENT, m.DISABILITY_REQUIRED)
    if confident is not None:
        draft.disability_confident = confident == "Yes"


def _read_submitter(reader: ObjectReader, draft: AdvertDraft) -> None:
    contact = reader.object("submitterContactDetails", m.SUBMITTER_REQUIRED)
    if contact is None:
        return
    problems = reader.problems
    name, path = contact.string("name", m.SUBMITTER_NAME_REQUIRED)
    if name is not None and _plain_text(
        problems, path, name, "Contact name", m.too_long("Contact name", 100), 100
    ):
        draft.submitter_name = name.strip()
    email, path = contact.string("email", m.SUBMITTER_EMAIL_REQUIRED)
    if email is not None:
        email = email.strip()
        if submitted_length(email) > 100:
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
        if len(phone) > 16:
            problems.add(path, m.PHONE_TOO_LONG)
        elif len(phone) < 8:
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
        elif (
            _plain_text(problems, path, skill, "Skill", m.SKILL_TOO_LONG, 30)
            and skill.strip() not in draft.skills
        ):
            draft.skills.append(skill.strip())

    for _, item in reader.objects("qualifications"):
        if item is not None and (qualification := _read_qualification(item)) is not None:
            draft.qualifications.append(qualification)


def _read_qualification(item: ObjectReader) -> dict[str, Any] | None:
    problems = item.problems
    kind, _ = item.enum(
        "qualificationType",
        QUALIFICATION_TYPES,
        m.QUALIFICATION_TYPE_REQUIRED,
        invalid=m.QUALIFICATION_TYPE_INVALID,
    )
    level, level_path = item.integer("level")
    if level is not None and not 1 <= level <= 7:
        problems.add(level_path, m.QUALIFICATION_LEVEL_RANGE)
        level = None
    elif level is None and kind == "BTEC" and not problems.has(level_path):
        problems.add(level_path, m.QUALIFICATION_LEVEL_REQUIRED)
    subject, path = item.string("subject", m.QUALIFICATION_SUBJECT_REQUIRED)
    if subject is not None and not _plain_text(
        problems, path, subject, "Subject", m.QUALIFICATION_SUBJECT_TOO_LONG, 50
    ):
        subject = None
    grade, path = item.string("grade", m.QUALIFICATION_GRADE_REQUIRED)
    if grade is not None and not _plain_text(
        problems, path, grade, "Grade", m.QUALIFICATION_GRADE_TOO_LONG, 30
    ):
        grade = None
    weighting, _ = item.enum("weighting", WEIGHTINGS, m.QUALIFICATION_WEIGHTING_REQUIRED)
    other, other_path = item.string("otherQualificationName")
    if kind == "Other":
        if other is None and not problems.has(other_path):
            problems.add(other_path, m.OTHER_QUALIFICATION_REQUIRED)
        elif other is not None and not _plain_text(
            problems,
            other_path,
            other,
            "The qualification name",
            m.too_long("The qualification name", 100),
            100,
        ):
            other = None
    if not (kind and subject and grade and weighting) or (kind == "Other" and not other):
        return None
    qualification: dict[str, Any] = {
        "qualificationType": kind,
        "subject": subject.strip(),
        "grade": grade.strip(),
        "weighting": weighting,
    }
    if level is not None:
        qualification["level"] = level
    if kind == "Other" and other:
        qualification["otherQualificationName"] = other.strip()
    return qualification


def _read_application(reader: ObjectReader, draft: AdvertDraft) -> None:
    problems = reader.problems
    method, _ = reader.enum("applicationMethod", APPLICATION_METHODS, m.APPLICATION_METHOD_REQUIRED)
    draft.application_method = method
    url, url_path = reader.string("applicationUrl")
    instructions, instructions_path = reader.string("applicationInstructions")
    questions = [reader.string(f"additionalQuestion{n}") for n in (1, 2)]
    if method == "ThroughFindAnApprenticeship":
        if url is not None:
            problems.add(url_path, m.APPLICATION_URL_NOT_ALLOWED)
        if instructions is not None:
            problems.add(instructions_path, m.APPLICATION_INSTRUCTIONS_NOT_ALLOWED)
    elif method == "ThroughExternalApplicationSite":
        if url is None:
            if not problems.has(url_path):
                problems.add(url_path, m.APPLICATION_URL_REQUIRED)
        else:
            url = url.strip()
            if submitted_length(url) > 2000:
                problems.add(url_path, m.APPLICATION_URL_TOO_LONG)
            elif not is_absolute_web_url(url):
                problems.add(url_path, m.APPLICATION_URL_INVALID)
            else:
                draft.application_url = url
        if instructions is not None and _plain_text(
            problems,
            instructions_path,
            instructions,
            "How to apply",
            m.too_long("How to apply", 500),
            500,
        ):
            draft.application_instructions = instructions.strip()
    for number, (question, path) in enumerate(questions, start=1):
        if question is None:
            continue
        if method == "ThroughExternalApplicationSite":
            problems.add(path, m.QUESTION_NOT_ALLOWED)
            continue
        ok = _plain_text(
            problems, path, question, f"Question {number}", m.question_too_long(number), 250
        )
        if "?" not in question:
            problems.add(path, m.question_mark_required(number))
        elif ok and number == 1:
            draft.additional_question_1 = question.strip()
        elif ok:
            draft.additional_question_2 = question.strip()


# -- helpers -------------------------------------------------------------------------------


def _plain_text(
    problems: Problems, path: str, text: str, label: str, too_long: str, limit: int
) -> bool:
    """Check a plain-text value's length and characters; whether it passed."""
    ok = True
    if submitted_length(text) > limit:
        problems.add(path, too_long)
        ok = False
    if not _FREE_TEXT.fullmatch(text):
        problems.add(path, m.invalid_characters(label))
        ok = False
    return ok


def _html(
    reader: ObjectReader,
    name: str,
    label: str,
    too_long: str,
    limit: int,
    required: str | None,
) -> str | None:
    text, path = reader.string(name, required)
    if text is None:
        return None
    return _html_value(reader.problems, path, text, label, too_long, limit)


def _html_value(
    problems: Problems, path: str, text: str, label: str, too_long: str, limit: int
) -> str | None:
    """The value re-serialised from its parsed tree, or None (and a problem) if it is too
    long or breaks the HTML rule."""
    ok = True
    if submitted_length(text) > limit:
        problems.add(path, too_long)
        ok = False
    checked = check_html(text, label)
    if checked.error is not None:
        problems.add(path, checked.error)
        return None
    return checked.html if ok else None


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
