"""Every rule of a new advert that needs nothing but the request body and today's date.

``read_advert`` reads the whole body and returns what it could read; every problem goes
into ``Problems``, keyed and worded as the real service keys and words it
(compatibility.md R1; the stages are described in ``messages``):

- keys are the C# property paths of the real models: ``Title``, ``Wage.WeeklyHours``,
  ``Qualifications[0].Subject``, ``""`` for a rule across fields; the data annotations'
  keys follow the outer API's request model (``ProgrammeId``, ``EmployerName``,
  ``SubmitterContactDetails.Email``, ``MultipleAddresses[1].Postcode``), the Recruit API's
  rules follow its model as the outer API renames it for the client
  (``standardLarsCode``, ``alternativeEmployerName``, ``recruitingNationallyDetails``,
  ``Contact.Email``);
- a value that cannot be read at all is keyed by its JSON path (``$.wage.weeklyHours``);
- each field's problems are those of the first stage that finds any (a title that is too
  long is only that, as in the real service, which stops at the data annotations).

Where the real service's key is not a property path (the HTML stage keys by display name,
"Short Description"; the postcode rules by a bare "Postcode"), the field's property path is
used. Rules that need stored data (the legal entity, the provider, the standard, where a
postcode is) are the service's, and add to the same ``Problems``.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any
from urllib.parse import urlsplit

from apprenticeships.geo.postcodes import normalise
from apprenticeships.recruitment import limits
from apprenticeships.recruitment import messages as m
from apprenticeships.recruitment.markup import check_field
from apprenticeships.recruitment.reader import ObjectReader, Problems, root_reader
from apprenticeships.recruitment.schemas import (
    APPLICATION_METHOD_NUMBERS,
    DISABILITY_CONFIDENT_NUMBERS,
    DURATION_UNIT_NUMBERS,
    EMPLOYER_NAME_OPTION_NUMBERS,
    WAGE_TYPE_NUMBERS,
    WEIGHTING_NUMBERS,
    ApplicationMethod,
    DisabilityConfident,
    DurationUnit,
    EmployerNameOption,
    WageType,
    Weighting,
)
from apprenticeships.referencedata.lists import QualificationType
from apprenticeships.referencedata.wages import minimum_wage_rates, rates_on
from apprenticeships.vacancies.html import submitted_length

WEEKS_PER_YEAR = 52
CENTS = Decimal("0.01")

# The .NET types System.Text.Json names when it cannot read a value.
_MODELS = "SFA.DAS.VacanciesManage.Api.Models."
REQUEST_TYPE = _MODELS + "CreateVacancyRequest"
_CONTRACTING_PARTIES = _MODELS + "ContractingParties"
_WAGE = _MODELS + "CreateVacancyWage"
_ADDRESS = _MODELS + "CreateVacancyAddress"
_ADDRESSES = f"System.Collections.Generic.List`1[{_ADDRESS}]"
_SUBMITTER = _MODELS + "SubmitterContactDetails"
_QUALIFICATION = _MODELS + "CreateVacancyQualification"
_QUALIFICATIONS = f"System.Collections.Generic.List`1[{_QUALIFICATION}]"
_STRINGS = "System.Collections.Generic.List`1[System.String]"

# The Recruit API's title rule: the word on its own, between spaces or the ends.
_TITLE_WORD = re.compile(r"(^|\s)(apprentice(ship)?)(\s|$)", re.IGNORECASE)
# The real service's character rule for plain text (SFA.DAS.InputValidation
# ``ValidFreeTextCharacters``): letters, digits, whitespace and common punctuation, and
# no "<", ">", "{", "}", "|", "~", "^", "`" or "\\". Characters past U+FFFF are allowed
# (.NET sees them as two allowed surrogates); a lone surrogate is not.
_LETTERS = "a-zA-Z0-9\u00a0-\ud7ff\ue000-\uffa7\U00010000-\U0010ffff"
_FREE_TEXT = re.compile("[" + _LETTERS + r"?$@#()\"'!,+\-=_:;.&€£*%/\[\] \t\n\r]*")
# The Recruit API's ``EmailAddressRegex`` and ``PhoneNumberRegex``.
_EMAIL_PART = "a-zA-Z0-9\u0080-\uffa7" + r"?$#()\"'!,+\-=_:;.&€£*%\s/"
_EMAIL = re.compile(f"[{_EMAIL_PART}]+@[{_EMAIL_PART}]+\\.[a-zA-Z0-9\u0080-\uffa7]{{2,10}}")
_PHONE = re.compile(r"[0-9+\s\-()]{8,16}")
# An IPv4 address as a host (the Recruit API's ``WebsiteValidator`` refuses them).
_IPV4 = re.compile(r"((25[0-5]|(2[0-4]|1[0-9]|[1-9]|)[0-9])(\.(?!$)|$)){4}")

# The HTML fields: the Recruit API's message for characters or markup it refuses, and the
# label that starts our own rule's messages.
HTML_LABELS = {
    "ShortDescription": "Short description of the apprenticeship",
    "Description": "What the apprenticeship will do at work",
    "OutcomeDescription": (
        "What is the expected career progression after this apprenticeship description"
    ),
    "TrainingDescription": "The apprentice’s training plan",
    "AdditionalTrainingDescription": "Any additional training information",
    "ThingsToConsider": "Other requirements",
    "EmployerDescription": "Information about the employer",
    "Wage.CompanyBenefitsInformation": "Company benefits",
    "RecruitingNationallyDetails": "Information about where the apprentice will work",
}


@dataclass(slots=True)
class AddressDraft:
    line1: str
    line2: str | None
    line3: str | None
    line4: str | None
    postcode: str  # canonical
    postcode_key: str  # where its postcode's problems go: "Address.Postcode", ...


@dataclass(slots=True)
class AdvertDraft:
    """What could be read from the body. Fields are None where the body was unusable,
    which only happens when ``Problems`` holds an error for them."""

    title: str | None = None
    number_of_positions: int | None = None
    closing_date: date | None = None
    start_date: date | None = None
    legal_entity_public_hashed_id: str | None = None
    ukprn: int | None = None
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
    # Whether the skills were sent in a form that has problems of its own already.
    skills_in_error: bool = False
    qualifications: list[dict[str, Any]] = field(default_factory=list)
    application_method: ApplicationMethod | None = None
    application_url: str | None = None
    application_instructions: str | None = None
    additional_question_1: str | None = None
    additional_question_2: str | None = None


def read_advert(
    body: dict[str, Any],
    today: date,
    problems: Problems,
    *,
    for_provider: bool = False,
    source: bytes | str | None = None,
) -> AdvertDraft:
    """Read and check a whole advert; every problem goes into ``problems``.

    ``for_provider``: the key is a training provider's, which names the provider itself
    (no UKPRN needed in the body) and is spoken to about its "vacancy". ``source``: the
    body as sent, to say where an unreadable value is (its compact form otherwise)."""
    reader = root_reader(body, problems, source)
    draft = AdvertDraft()
    _read_basics(reader, draft, today)
    _read_contracting_parties(reader, draft, for_provider)
    _read_wage(reader, draft)
    _read_location(reader, draft)
    _read_descriptions(reader, draft)
    _read_standard(reader, draft)
    _read_employer(reader, draft, for_provider)
    _read_submitter(reader, draft)
    _read_skills_and_qualifications(reader, draft)
    _read_application(reader, draft)
    return draft


# -- sections ------------------------------------------------------------------------------


def _read_basics(reader: ObjectReader, draft: AdvertDraft, today: date) -> None:
    problems = reader.problems
    title = _annotated(reader, "title", "Title", required=True, longest=limits.MAX_TITLE_LENGTH)
    if title is not None:
        if not _FREE_TEXT.fullmatch(title):
            problems.add("Title", m.TITLE_INVALID)
        elif not _TITLE_WORD.search(title):
            problems.add("Title", m.TITLE_NEEDS_APPRENTICE)
        else:
            draft.title = title.strip()

    positions = reader.integer("numberOfPositions")
    if positions.absent or (positions.value is not None and positions.value < limits.MIN_POSITIONS):
        problems.add("NumberOfPositions", m.POSITIONS_REQUIRED)
    else:
        draft.number_of_positions = positions.value

    closing = reader.moment("closingDate")
    if closing.absent:
        problems.add("ClosingDate", m.CLOSING_DATE_REQUIRED)
    elif closing.value is not None:
        if closing.value.date() < today + timedelta(days=limits.MIN_CLOSING_DAYS):
            problems.add("ClosingDate", m.CLOSING_DATE_TOO_SOON)
        else:
            draft.closing_date = closing.value.date()

    start = reader.moment("startDate")
    if start.absent:
        problems.add("StartDate", m.START_DATE_REQUIRED)
    elif start.value is not None:
        if closing.value is not None and start.value <= closing.value:
            problems.add("StartDate", m.START_DATE_BEFORE_CLOSING)
        if closing.value is not None and start.value.date() <= closing.value.date():
            problems.add("", m.START_DATE_NOT_AFTER_CLOSING)
        else:
            draft.start_date = start.value.date()


def _read_contracting_parties(reader: ObjectReader, draft: AdvertDraft, for_provider: bool) -> None:
    parties = reader.object("contractingParties", _CONTRACTING_PARTIES)
    if parties.absent:
        reader.problems.add("ContractingParties", m.required("ContractingParties"))
    if parties.value is None:
        return
    hashed_id = _annotated(
        parties.value,
        "accountLegalEntityPublicHashedId",
        "ContractingParties.AccountLegalEntityPublicHashedId",
        required=True,
    )
    if hashed_id is not None:
        draft.legal_entity_public_hashed_id = hashed_id.strip().upper()
    ukprn = parties.value.integer("ukprn")
    if ukprn.absent and not for_provider:
        reader.problems.add("ContractingParties.Ukprn", m.UKPRN_REQUIRED)
    elif ukprn.value is not None:
        if not limits.MIN_UKPRN <= ukprn.value <= limits.MAX_UKPRN:
            reader.problems.add("ContractingParties.Ukprn", m.UKPRN_FORMAT)
        else:
            draft.ukprn = ukprn.value


def _read_wage(reader: ObjectReader, draft: AdvertDraft) -> None:
    problems = reader.problems
    wage = reader.object("wage", _WAGE)
    if wage.absent:
        problems.add("Wage", m.required("Wage"))
    if wage.value is None:
        return
    w = wage.value
    wage_type = w.enum("wageType", WageType, WAGE_TYPE_NUMBERS, _MODELS + "WageType")
    if wage_type.absent:
        problems.add("Wage.WageType", m.WAGE_TYPE_REQUIRED)
    draft.wage_type = wage_type.value

    hours = w.decimal("weeklyHours")
    if hours.absent:
        problems.add("Wage.WeeklyHours", m.WEEKLY_HOURS_REQUIRED)
    elif hours.value is not None:
        if hours.value < limits.MIN_WEEKLY_HOURS:
            problems.add("Wage.WeeklyHours", m.WEEKLY_HOURS_TOO_FEW)
        elif hours.value > limits.MAX_WEEKLY_HOURS:
            problems.add("Wage.WeeklyHours", m.WEEKLY_HOURS_TOO_MANY)
        elif hours.value != hours.value.quantize(CENTS):
            problems.add("Wage.WeeklyHours", m.WEEKLY_HOURS_DECIMALS)
        else:
            draft.weekly_hours = hours.value

    information = _annotated(
        w,
        "wageAdditionalInformation",
        "Wage.WageAdditionalInformation",
        longest=limits.MAX_WAGE_INFORMATION_LENGTH,
    )
    if information is not None:
        if _FREE_TEXT.fullmatch(information):
            draft.wage_additional_information = information.strip()
        else:
            problems.add("Wage.WageAdditionalInformation", m.WAGE_INFORMATION_INVALID)

    draft.company_benefits_information = _html(
        w,
        "companyBenefitsInformation",
        "Wage.CompanyBenefitsInformation",
        longest=limits.MAX_COMPANY_BENEFITS_LENGTH,
    )

    working_week = _annotated(
        w,
        "workingWeekDescription",
        "Wage.WorkingWeekDescription",
        required=True,
        longest=limits.MAX_WORKING_WEEK_LENGTH,
    )
    if working_week is not None:
        if _FREE_TEXT.fullmatch(working_week):
            draft.working_week_description = working_week.strip()
        else:
            problems.add("Wage.WorkingWeekDescription", m.WORKING_WEEK_INVALID)

    _read_duration(w, draft)
    _read_fixed_wage(w, draft)


def _read_duration(wage: ObjectReader, draft: AdvertDraft) -> None:
    problems = wage.problems
    duration = wage.integer("duration")
    unit = wage.enum("durationUnit", DurationUnit, DURATION_UNIT_NUMBERS, _MODELS + "DurationUnit")
    if duration.absent:
        problems.add("Wage.Duration", m.DURATION_REQUIRED)
    if unit.absent:
        problems.add("Wage.DurationUnit", m.DURATION_REQUIRED)
    draft.duration_unit = unit.value
    if duration.value is None or unit.value is None:
        return
    months = duration.value * 12 if unit.value is DurationUnit.YEAR else duration.value
    needed = minimum_duration_months(draft.weekly_hours)
    if duration.value < limits.MIN_DURATION or months < limits.MIN_DURATION_MONTHS:
        problems.add("Wage.Duration", m.DURATION_TOO_SHORT)
    elif months < needed:
        problems.add("Wage.Duration", m.duration_too_short_for_hours(needed))
    else:
        draft.duration = duration.value


def _read_fixed_wage(wage: ObjectReader, draft: AdvertDraft) -> None:
    problems = wage.problems
    amount = wage.decimal("fixedWageYearlyAmount", nullable=True)
    if draft.wage_type is not WageType.FIXED_WAGE:
        return  # an amount beside another wage type is dropped, as the real service does
    if amount.unreadable:
        return
    lowest = _lowest_fixed_wage_for(draft)
    if amount.value is not None and amount.value != amount.value.quantize(CENTS):
        problems.add("Wage.FixedWageYearlyAmount", m.FIXED_WAGE_FORMAT)
    elif lowest is not None and (amount.value is None or amount.value < lowest):
        # The Recruit API's one message for a missing, zero or too low fixed wage.
        problems.add("Wage.FixedWageYearlyAmount", m.fixed_wage_below_minimum(lowest))
    elif amount.value is None:
        problems.add("Wage.FixedWageYearlyAmount", m.FIXED_WAGE_REQUIRED)
    elif amount.value <= 0:
        problems.add("Wage.FixedWageYearlyAmount", m.FIXED_WAGE_FORMAT)
    else:
        draft.fixed_wage_yearly_amount = amount.value


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
    national = reader.boolean("recruitingNationally")
    address = reader.object("address", _ADDRESS)
    multiple = reader.array("multipleAddresses", _ADDRESSES)
    if multiple.value is not None:
        count = len(multiple.value)
        if count < limits.MIN_ADDRESSES:
            problems.add(
                "MultipleAddresses", m.min_length("MultipleAddresses", limits.MIN_ADDRESSES)
            )
        if count > limits.MAX_ADDRESSES:
            problems.add(
                "MultipleAddresses", m.max_length("MultipleAddresses", limits.MAX_ADDRESSES)
            )
    # As the outer API chooses: several addresses only when the list has some.
    modes = sum((national.value is True, address.value is not None, bool(multiple.value)))
    unreadable = national.unreadable or address.unreadable or multiple.unreadable
    if modes == 0 and not unreadable and multiple.value is None:
        problems.add("Address", m.LOCATION_REQUIRED)
    elif modes > 1:
        problems.add("", m.LOCATION_ONE_ONLY)
    if national.value:
        draft.recruiting_nationally = True
        details = reader.string("recruitingNationallyDetails")
        if details.absent or (details.value is not None and not details.value.strip()):
            # The Recruit API's rule, renamed from EmployerLocationInformation.
            problems.add("recruitingNationallyDetails", m.NATIONAL_DETAILS_REQUIRED)
        draft.recruiting_nationally_details = _html(
            reader,
            "recruitingNationallyDetails",
            "RecruitingNationallyDetails",
            longest=limits.MAX_NATIONAL_DETAILS_LENGTH,
        )
    if address.value is not None:
        read = _read_address(address.value, "Address")
        if read is not None:
            draft.addresses.append(read)
    if multiple.value is not None:
        for index, item in reader.objects("multipleAddresses", multiple.value, _ADDRESS):
            key = f"MultipleAddresses[{index}]"
            if item.absent:
                problems.add(key, m.ADDRESS_REQUIRED)
            elif item.value is not None and (read := _read_address(item.value, key)) is not None:
                draft.addresses.append(read)


def _read_address(reader: ObjectReader, key: str) -> AddressDraft | None:
    """One address; ``key`` is its property path ("Address", "MultipleAddresses[1]")."""
    problems = reader.problems
    lines: list[str | None] = []
    for number in range(1, 5):
        line_key = f"{key}.AddressLine{number}"
        line = _annotated(reader, f"addressLine{number}", line_key, required=number == 1)
        if line is not None:
            ok = True
            if not _FREE_TEXT.fullmatch(line):
                problems.add(line_key, m.address_line_invalid(number))
                ok = False
            if submitted_length(line) > limits.MAX_ADDRESS_LINE_LENGTH:
                problems.add(line_key, m.address_line_too_long(number))
                ok = False
            line = line.strip() if ok else None
        lines.append(line)
    postcode_key = f"{key}.Postcode"
    text = _annotated(reader, "postcode", postcode_key, required=True)
    if text is None:
        return None
    postcode = normalise(text)
    if postcode is None:
        problems.add(postcode_key, m.POSTCODE_INVALID)
        return None
    # Kept even when a line is wrong, so the postcode's country is still checked (the
    # problem recorded for the line stops the advert being stored).
    line1, line2, line3, line4 = lines
    return AddressDraft(line1 or "", line2, line3, line4, postcode, postcode_key)


def _read_descriptions(reader: ObjectReader, draft: AdvertDraft) -> None:
    problems = reader.problems
    longest = limits.MAX_DESCRIPTION_LENGTH
    short = _annotated(
        reader,
        "shortDescription",
        "ShortDescription",
        required=True,
        longest=limits.MAX_SHORT_DESCRIPTION_LENGTH,
    )
    if short is not None:
        checked = check_field(short, *_html_labels("ShortDescription"))
        if checked.outer:
            problems.add("ShortDescription", str(checked.error))
        elif submitted_length(short) < limits.MIN_SHORT_DESCRIPTION_LENGTH:
            problems.add("ShortDescription", m.SHORT_DESCRIPTION_TOO_SHORT)
        elif checked.error is not None:
            problems.add("ShortDescription", checked.error)
        else:
            draft.short_description = checked.html
    draft.description = _html(reader, "description", "Description", longest=longest, required=True)
    draft.outcome_description = _html(
        reader, "outcomeDescription", "OutcomeDescription", longest=longest, required=True
    )
    draft.training_description = _html(
        reader, "trainingDescription", "TrainingDescription", longest=longest, required=True
    )
    draft.additional_training_description = _html(
        reader, "additionalTrainingDescription", "AdditionalTrainingDescription", longest=longest
    )
    draft.things_to_consider = _html(
        reader, "thingsToConsider", "ThingsToConsider", longest=longest
    )
    # The one HTML field without a [MaxLength]: the Recruit API holds it to 4000. Longer
    # text is only that, unchecked as HTML (the real service checks its HTML first; an
    # HTML parser on a megabyte of "<ul>" takes minutes).
    employer = _annotated(reader, "employerDescription", "EmployerDescription", required=True)
    if employer is not None and submitted_length(employer) > longest:
        problems.add("EmployerDescription", m.EMPLOYER_DESCRIPTION_TOO_LONG)
    elif employer is not None:
        checked = check_field(employer, *_html_labels("EmployerDescription"))
        if checked.error is not None:
            problems.add("EmployerDescription", checked.error)
        else:
            draft.employer_description = checked.html


def _read_standard(reader: ObjectReader, draft: AdvertDraft) -> None:
    """standardLarsCode: a string in the real service (R3: a number is accepted too)."""
    code = reader.string_or_integer("standardLarsCode")
    if code.unreadable:
        return
    if code.value is None or not code.value.strip():
        reader.problems.add("ProgrammeId", m.required("ProgrammeId"))
        return
    text = code.value.strip()
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else 0
    if number < limits.MIN_LARS_CODE:
        reader.problems.add("standardLarsCode", m.STANDARD_INVALID)
    else:
        draft.standard_lars_code = number


def _read_employer(reader: ObjectReader, draft: AdvertDraft, for_provider: bool) -> None:
    problems = reader.problems
    option = reader.enum(
        "employerNameOption",
        EmployerNameOption,
        EMPLOYER_NAME_OPTION_NUMBERS,
        _MODELS + "EmployerNameOption",
    )
    draft.employer_name_option = option.value or EmployerNameOption.REGISTERED_NAME
    trading = draft.employer_name_option is EmployerNameOption.TRADING_NAME
    anonymous = draft.employer_name_option is EmployerNameOption.ANONYMOUS
    if trading or anonymous:
        _read_alternative_name(reader, draft, trading, for_provider)
    if anonymous:
        reason = reader.string("anonymousReason")
        if reason.absent or (reason.value is not None and not reason.value.strip()):
            problems.add("AnonymousReason", m.anonymous_reason_required(for_provider))
        elif reason.value is not None:
            ok = True
            if submitted_length(reason.value) > limits.MAX_ANONYMOUS_REASON_LENGTH:
                problems.add("AnonymousReason", m.ANONYMOUS_REASON_TOO_LONG)
                ok = False
            if not _FREE_TEXT.fullmatch(reason.value):
                problems.add("AnonymousReason", m.ANONYMOUS_REASON_INVALID)
                ok = False
            if ok:
                draft.anonymous_reason = reason.value.strip()

    website = reader.string("employerWebsiteUrl")
    if website.value is not None and website.value != "":
        draft.employer_website_url = _web_url(
            problems,
            "EmployerWebsiteUrl",
            website.value,
            limits.MAX_WEBSITE_LENGTH,
            m.WEBSITE_TOO_LONG,
        )
    confident = reader.enum(
        "disabilityConfident",
        DisabilityConfident,
        DISABILITY_CONFIDENT_NUMBERS,
        _MODELS + "CreateVacancyDisabilityConfident",
    )
    if confident.absent:
        problems.add("DisabilityConfident", m.DISABILITY_REQUIRED)
    elif confident.value is not None:
        draft.disability_confident = confident.value is DisabilityConfident.YES


def _read_alternative_name(
    reader: ObjectReader, draft: AdvertDraft, trading: bool, for_provider: bool
) -> None:
    """The trading name, or an anonymous employer's description. The outer API's
    ``[MaxLength]`` keys it by its C# name, ``EmployerName``; the Recruit API's rules are
    renamed to the JSON name."""
    problems = reader.problems
    name = reader.string("alternativeEmployerName")
    if name.unreadable:
        return
    if name.value is None or not name.value.strip():
        problems.add("alternativeEmployerName", m.employer_name_required(for_provider))
        problems.add(
            "alternativeEmployerName",
            m.TRADING_NAME_REQUIRED if trading else m.ANONYMOUS_DESCRIPTION_REQUIRED,
        )
    elif submitted_length(name.value) > limits.MAX_EMPLOYER_NAME_LENGTH:
        problems.add("EmployerName", m.max_length("EmployerName", limits.MAX_EMPLOYER_NAME_LENGTH))
    elif not _FREE_TEXT.fullmatch(name.value):
        problems.add(
            "alternativeEmployerName",
            m.TRADING_NAME_INVALID if trading else m.ANONYMOUS_DESCRIPTION_INVALID,
        )
    else:
        draft.alternative_employer_name = name.value.strip()


def _read_submitter(reader: ObjectReader, draft: AdvertDraft) -> None:
    problems = reader.problems
    contact = reader.object("submitterContactDetails", _SUBMITTER)
    if contact.absent:
        problems.add("SubmitterContactDetails", m.required("SubmitterContactDetails"))
    if contact.value is None:
        return
    c = contact.value
    # Required by the outer API's annotations; the rest is the Recruit API's "Contact".
    name = _annotated(c, "name", "SubmitterContactDetails.Name", required=True)
    if name is not None:
        ok = True
        if submitted_length(name) > limits.MAX_CONTACT_NAME_LENGTH:
            problems.add("Contact.Name", m.CONTACT_NAME_TOO_LONG)
            ok = False
        if not _FREE_TEXT.fullmatch(name):
            problems.add("Contact.Name", m.CONTACT_NAME_INVALID)
            ok = False
        draft.submitter_name = name.strip() if ok else None
    email = _annotated(c, "email", "SubmitterContactDetails.Email", required=True)
    if email is not None:
        ok = True
        if submitted_length(email) > limits.MAX_EMAIL_LENGTH:
            problems.add("Contact.Email", m.EMAIL_TOO_LONG)
            ok = False
        if not _FREE_TEXT.fullmatch(email):
            problems.add("Contact.Email", m.EMAIL_INVALID_CHARACTERS)
            ok = False
        if not _EMAIL.fullmatch(email):
            problems.add("Contact.Email", m.EMAIL_INVALID)
            ok = False
        draft.submitter_email = email.strip() if ok else None
    phone = c.string("phone")
    if phone.value:
        ok = True
        if submitted_length(phone.value) > limits.MAX_PHONE_LENGTH:
            problems.add("Contact.Phone", m.PHONE_TOO_LONG)
            ok = False
        if submitted_length(phone.value) < limits.MIN_PHONE_LENGTH:
            problems.add("Contact.Phone", m.PHONE_TOO_SHORT)
            ok = False
        if not _PHONE.fullmatch(phone.value):
            problems.add("Contact.Phone", m.PHONE_INVALID)
            ok = False
        draft.submitter_phone = phone.value.strip() if ok else None


def _read_skills_and_qualifications(reader: ObjectReader, draft: AdvertDraft) -> None:
    problems = reader.problems
    skills = reader.array("skills", _STRINGS)
    draft.skills_in_error = skills.unreadable
    for index, skill in reader.strings("skills", skills.value or []):
        key = f"Skills[{index}]"
        if skill.unreadable:
            draft.skills_in_error = True
            continue
        text = skill.value or ""
        ok = bool(text.strip())
        if not ok:
            problems.add(key, m.SKILL_EMPTY)
        if not _FREE_TEXT.fullmatch(text):
            problems.add(key, m.SKILL_INVALID)
            ok = False
        if submitted_length(text) > limits.MAX_SKILL_LENGTH:
            problems.add(key, m.SKILL_TOO_LONG)
            ok = False
        if not ok:
            draft.skills_in_error = True
        elif text.strip() not in draft.skills:
            draft.skills.append(text.strip())

    qualifications = reader.array("qualifications", _QUALIFICATIONS)
    for index, item in reader.objects("qualifications", qualifications.value or [], _QUALIFICATION):
        key = f"Qualifications[{index}]"
        if item.absent:
            problems.add(key, m.QUALIFICATION_REQUIRED)
        elif item.value is not None and (read := _read_qualification(item.value, key)) is not None:
            draft.qualifications.append(read)


def _read_qualification(item: ObjectReader, key: str) -> dict[str, Any] | None:
    problems = item.problems
    ok = True
    kind_text = item.string("qualificationType")
    kind = None
    if kind_text.value is None or not kind_text.value.strip():
        if not kind_text.unreadable:
            problems.add(f"{key}.QualificationType", m.QUALIFICATION_TYPE_REQUIRED)
        ok = False
    else:
        kind = _qualification_type(kind_text.value)
        if kind is None:
            problems.add(f"{key}.QualificationType", m.QUALIFICATION_TYPE_INVALID)
            ok = False

    level = item.integer("level", nullable=True)
    if level.value is not None and not (
        limits.MIN_QUALIFICATION_LEVEL <= level.value <= limits.MAX_QUALIFICATION_LEVEL
    ):
        problems.add(f"{key}.Level", m.not_allowed_value("Level"))
        ok = False
    elif level.absent and kind is QualificationType.BTEC:
        problems.add(f"{key}.Level", m.QUALIFICATION_LEVEL_REQUIRED)
        ok = False

    subject = _short_text(
        item,
        "subject",
        f"{key}.Subject",
        limits.MAX_SUBJECT_LENGTH,
        m.QUALIFICATION_SUBJECT_REQUIRED,
        m.QUALIFICATION_SUBJECT_TOO_LONG,
        m.QUALIFICATION_SUBJECT_INVALID,
    )
    grade = _short_text(
        item,
        "grade",
        f"{key}.Grade",
        limits.MAX_GRADE_LENGTH,
        m.QUALIFICATION_GRADE_REQUIRED,
        m.QUALIFICATION_GRADE_TOO_LONG,
        m.QUALIFICATION_GRADE_INVALID,
    )
    # Not required by the real service: left out, it is Essential (the enum's 0).
    weighting = item.enum(
        "weighting", Weighting, WEIGHTING_NUMBERS, _MODELS + "QualificationWeighting"
    )
    other = item.string("otherQualificationName")
    other_name = None
    if kind is QualificationType.OTHER:
        if other.value is None or not other.value.strip():
            if not other.unreadable:
                problems.add(f"{key}.OtherQualificationName", m.OTHER_QUALIFICATION_REQUIRED)
            ok = False
        elif submitted_length(other.value) > limits.MAX_QUALIFICATION_NAME_LENGTH:
            problems.add(f"{key}.OtherQualificationName", m.OTHER_QUALIFICATION_TOO_LONG)
            ok = False
        else:
            other_name = other.value.strip()
    if not ok or kind is None or subject is None or grade is None or weighting.unreadable:
        return None
    qualification: dict[str, Any] = {
        "qualificationType": kind.value,
        "subject": subject,
        "grade": grade,
        "weighting": (weighting.value or Weighting.ESSENTIAL).value,
    }
    if level.value is not None:
        qualification["level"] = level.value
    if other_name is not None:
        qualification["otherQualificationName"] = other_name
    return qualification


def _qualification_type(text: str) -> QualificationType | None:
    for kind in QualificationType:
        if kind.casefold() == text.strip().casefold():
            return kind
    return None


def _short_text(
    reader: ObjectReader,
    name: str,
    key: str,
    longest: int,
    required: str,
    too_long: str,
    invalid: str,
) -> str | None:
    """A qualification's subject or grade: the Recruit API's three rules, all checked."""
    read = reader.string(name)
    if read.unreadable:
        return None
    text = read.value or ""
    ok = bool(text.strip())
    if not ok:
        reader.problems.add(key, required)
    if submitted_length(text) > longest:
        reader.problems.add(key, too_long)
        ok = False
    if not _FREE_TEXT.fullmatch(text):
        reader.problems.add(key, invalid)
        ok = False
    return text.strip() if ok else None


def _read_application(reader: ObjectReader, draft: AdvertDraft) -> None:
    problems = reader.problems
    method = reader.enum(
        "applicationMethod",
        ApplicationMethod,
        APPLICATION_METHOD_NUMBERS,
        _MODELS + "CreateVacancyApplicationMethod",
    )
    if method.absent:
        problems.add("ApplicationMethod", m.APPLICATION_METHOD_REQUIRED)
    draft.application_method = method.value
    external = method.value is ApplicationMethod.THROUGH_EXTERNAL_APPLICATION_SITE
    url = reader.string("applicationUrl")
    instructions = reader.string("applicationInstructions")
    if method.value is ApplicationMethod.THROUGH_FIND_AN_APPRENTICESHIP:
        if url.value and url.value.strip():
            problems.add("ApplicationUrl", m.APPLICATION_URL_NOT_ALLOWED)
        if instructions.value and instructions.value.strip():
            problems.add("ApplicationInstructions", m.APPLICATION_INSTRUCTIONS_NOT_ALLOWED)
    elif external:
        if url.value is None or not url.value.strip():
            if not url.unreadable:
                problems.add("ApplicationUrl", m.APPLICATION_URL_REQUIRED)
        else:
            draft.application_url = _web_url(
                problems,
                "ApplicationUrl",
                url.value,
                limits.MAX_APPLICATION_URL_LENGTH,
                m.APPLICATION_URL_TOO_LONG,
            )
        if instructions.value is not None:
            ok = True
            if submitted_length(instructions.value) > limits.MAX_APPLICATION_INSTRUCTIONS_LENGTH:
                problems.add("ApplicationInstructions", m.APPLICATION_INSTRUCTIONS_TOO_LONG)
                ok = False
            if not _FREE_TEXT.fullmatch(instructions.value):
                problems.add("ApplicationInstructions", m.APPLICATION_INSTRUCTIONS_INVALID)
                ok = False
            if ok and instructions.value.strip():
                draft.application_instructions = instructions.value.strip()

    for number in (1, 2):
        _read_question(reader, draft, number, external)


def _read_question(reader: ObjectReader, draft: AdvertDraft, number: int, external: bool) -> None:
    """The outer API's annotations: ``[MaxLength(250)]`` and a pattern asking for a
    question ending in "?" (both checked, as all annotations are); then ours: questions
    belong to applications through Find an apprenticeship."""
    problems = reader.problems
    key = f"AdditionalQuestion{number}"
    question = reader.string(f"additionalQuestion{number}").value
    if not question:  # absent, null, unreadable or "" (which the pattern allows)
        return
    if submitted_length(question) > limits.MAX_QUESTION_LENGTH:
        problems.add(key, m.max_length(key, limits.MAX_QUESTION_LENGTH))
    if not is_question(question):
        problems.add(key, m.QUESTION_MARK_REQUIRED)
    if problems.has(key):
        return
    if external:
        problems.add(key, m.QUESTION_NOT_ALLOWED)
    elif number == 1:
        draft.additional_question_1 = question
    else:
        draft.additional_question_2 = question


def is_question(text: str) -> bool:
    """Whether ``text`` matches the outer API's pattern for additional questions,
    ``^\\w(.*)\\w\\?(\\s\\w(.*)\\w[\\.\\?])*$``: a word character, anything on one line, a
    word character and "?", then any number of sentences, each a space, a word character,
    anything on one line, a word character and "." or "?".

    As a regular expression it backtracks exponentially (a hundred characters of "ab. "
    take seconds), so it is decided here in linear time: ``follows[j]`` says whether
    ``text[j:]`` is a run of those sentences, worked out from the end."""
    length = len(text)
    if length < 3 or not _is_word(text[0]):
        return False
    # The first newline at or after each index: "." does not match one.
    newline = [length] * (length + 1)
    for index in range(length - 1, -1, -1):
        newline[index] = index if text[index] == "\n" else newline[index + 1]
    follows = [False] * (length + 1)
    follows[length] = True
    # ends[e]: how many sentence ends at e or after (a sentence may end just before e
    # when text[e-2] is a word character, text[e-1] "." or "?", and sentences follow e).
    ends = [0] * (length + 2)
    ends[length] = int(_sentence_end(text, length, follows))
    for start in range(length - 1, -1, -1):
        if start + 1 < length and _is_space(text[start]) and _is_word(text[start + 1]):
            # A sentence from here ends at e, for e in [start + 4, its line's end + 1].
            first, last = start + 4, min(newline[start + 2] + 1, length)
            follows[start] = first <= last and ends[first] - ends[last + 1] > 0
        ends[start] = ends[start + 1] + int(_sentence_end(text, start, follows))
    for mark in range(2, length):
        if mark - 1 > newline[1]:
            break  # the question's own "(.*)" cannot cross a newline
        if text[mark] == "?" and _is_word(text[mark - 1]) and follows[mark + 1]:
            return True
    return False


def _sentence_end(text: str, end: int, follows: list[bool]) -> bool:
    return end >= 2 and _is_word(text[end - 2]) and text[end - 1] in ".?" and follows[end]


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _is_space(char: str) -> bool:
    # .NET's \s: Python's str.isspace() also counts the separators U+001C to U+001F.
    return char.isspace() and char not in "\x1c\x1d\x1e\x1f"


# -- helpers -------------------------------------------------------------------------------


def _annotated(
    reader: ObjectReader,
    name: str,
    key: str,
    *,
    required: bool = False,
    longest: int | None = None,
) -> str | None:
    """A string property held to the outer API's ``[Required]`` and ``[MaxLength]``
    (in .NET's words, under ``key``). The value as sent, or None if it is absent,
    unreadable or broke one of them (recorded): the field's later rules then do not run,
    as the real service stops at this stage."""
    read = reader.string(name)
    if read.unreadable:
        return None
    property_name = key.rsplit(".", 1)[-1]
    if read.value is None or not read.value.strip():
        if required:
            reader.problems.add(key, m.required(property_name))
        return None
    if longest is not None and submitted_length(read.value) > longest:
        reader.problems.add(key, m.max_length(property_name, longest))
        return None
    return read.value


def _html_labels(key: str) -> tuple[str, str]:
    label = HTML_LABELS[key]
    return f"{label} contains some invalid characters", label


def _html(
    reader: ObjectReader,
    name: str,
    key: str,
    *,
    longest: int,
    required: bool = False,
) -> str | None:
    """An HTML property: the annotations, the outer API's HTML rule, then the Recruit
    API's characters and our rule; the value re-serialised from its parsed tree, or None."""
    text = _annotated(reader, name, key, required=required, longest=longest)
    if text is None:
        return None
    checked = check_field(text, *_html_labels(key))
    if checked.error is not None:
        reader.problems.add(key, checked.error)
        return None
    return checked.html


def _web_url(problems: Problems, key: str, text: str, longest: int, too_long: str) -> str | None:
    """A web address, checked as the Recruit API checks one (cascading: length, then a
    "valid link", then an absolute address that is not an IP address) and, beyond that,
    as an absolute http or https URL; None (and the problem) if it is not one."""
    if submitted_length(text) > longest:
        problems.add(key, too_long)
    elif " " in text or text.startswith(".") or text.endswith(".") or "." not in text:
        problems.add(key, m.LINK_INVALID)
    elif not is_absolute_web_url(text.strip()):
        problems.add(key, m.WEBSITE_NOT_ABSOLUTE)
    else:
        return text.strip()
    return None


def is_absolute_web_url(text: str) -> bool:
    """An absolute http or https URL with a dotted host name that is not an IP address.
    Only its text is checked: the server never requests a caller-chosen address."""
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
        and not _is_ip_address(host)
    )


def _is_ip_address(host: str) -> bool:
    if _IPV4.fullmatch(host):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
