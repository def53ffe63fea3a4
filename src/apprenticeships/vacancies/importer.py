"""``apprenticeships vacancies import FILE``: adverts from other sources, as JSON lines.

One advert a line, in the Display advert API's version 2 detail shape (what a job feed
can produce from an advert it shows), plus where it comes from::

    {"dataSource": "Nhs", "sourceReference": "C9123-26-0001",
     "title": "Apprentice Healthcare Support Worker", "description": "...",
     "fullDescription": "<p>...</p>", "numberOfPositions": 2,
     "postedDate": "2026-12-01T09:00:00Z", "closingDate": "2026-12-31",
     "startDate": "2027-02-01",
     "wage": {"wageType": "Custom", "wageAmount": 24937, "wageUnit": "Annually",
              "wageAdditionalInformation": "...", "workingWeekDescription": "..."},
     "hoursPerWeek": 37.5, "expectedDuration": "18 months",
     "employerName": "Northbeck Teaching Hospitals NHS Foundation Trust",
     "course": {"larsCode": 103}, "ukprn": 10000002, "providerName": "...",
     "addresses": [{"addressLine1": "...", "postcode": "LS1 3EX"}],
     "applicationUrl": "https://www.jobs.nhs.example/candidate/jobadvert/C9123-26-0001"}

``dataSource`` (``Raa``, ``Nhs``, ``Csj``) and ``sourceReference`` (the feed's own id)
name the advert: importing a file again updates the adverts that changed and adds
nothing. Imported adverts are live at once (they were approved where they come from), so
the command writes a ``vacancies`` change event and every server's search index takes
them in; the Display advert API shows ``Nhs`` and ``Csj`` adverts only to callers whose
``AdditionalDataSources`` header asks for them. A later import never reopens an advert
the platform closed early: it updates the content and leaves the status.

Who placed the advert. An advert belongs to an employer account's legal entity and names
a training provider, as every advert here does, so reviews, the employer's portal pages
and the Display advert API's account filters treat it like any other:

- ``accountLegalEntityPublicHashedId``, if given, must be a legal entity on the platform.
- Otherwise the legal entity named ``employerName`` (ignoring case) is the advert's; if
  there is none, an employer account and legal entity of that name are added (nobody
  belongs to them until an operator invites someone, as for any account the operator
  adds), and the summary lists them, so a misspelt name is noticed. Two legal entities
  of that name are ambiguous: the line must give the hashed id.
- ``ukprn`` names the training provider; one not registered here is added with
  ``providerName`` (and listed), or the line is bad without it.

Where it is. An address with ``latitude`` and ``longitude`` is placed there (the feed
knows its own sites best); one without is placed by its postcode, exactly as the
Recruitment API places new adverts (``geo``: the imported postcode centroids, else the
district centre). Either way the postcode must be a UK postcode, and one the geocoder
places outside England is refused, as the Recruitment API refuses it: apprenticeships
advertised here are England's.

Every bad line is reported with its number and every problem it has; a file with any bad
line loads nothing unless the caller chooses to skip them. Nothing here commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from apprenticeships import jsontext
from apprenticeships.accounts.repository import LegalEntityRepository, OrganisationRepository
from apprenticeships.accounts.service import AccountService, OwnerRef
from apprenticeships.accounts.vocabulary import OrganisationStatus
from apprenticeships.catalog.products import Environment, OwnerKind
from apprenticeships.errors import OperationError
from apprenticeships.geo.postcodes import normalise
from apprenticeships.geo.service import Geocoder
from apprenticeships.referencedata.repository import ReferenceDataRepository
from apprenticeships.storage.events import CacheEventRepository, EventKind
from apprenticeships.storage.models import (
    LegalEntity,
    Organisation,
    Standard,
    Vacancy,
    VacancyAddress,
)
from apprenticeships.vacancies.html import check_html
from apprenticeships.vacancies.repository import VacancyRepository
from apprenticeships.vacancies.schemas import WageType, WageUnit
from apprenticeships.vacancies.vocabulary import AdvertStatus, DataSource

# Who approved an imported advert, as ``reviewed_by`` records it.
IMPORTED_BY = "import"
MAX_ADDRESSES = 10
MAX_HOURS = Decimal(48)
HASHED_ID = re.compile(r"^[A-Z0-9]{6}$")
UKPRN = re.compile(r"^1\d{7}$")
# "18 months", "1 year", "2 Years": the Display advert API's expectedDuration.
DURATION = re.compile(r"^(\d{1,3}) (month|year)s?$", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")
WEB_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)
# Around the United Kingdom: catches swapped or zero coordinates, not a border check.
UK_LATITUDES, UK_LONGITUDES = (49.8, 60.9), (-8.7, 1.8)
# The advert's fields that may hold the advert HTML rule's few tags, by input name.
HTML_FIELDS = {
    "fullDescription": "description",
    "employerDescription": "employer_description",
    "trainingDescription": "training_description",
    "additionalTrainingDescription": "additional_training_description",
    "outcomeDescription": "outcome_description",
    "thingsToConsider": "things_to_consider",
    "companyBenefitsInformation": "company_benefits_information",
}
_QUALIFICATION_WEIGHTS = ("Essential", "Desired")


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class AdvertImportError(OperationError):
    """The file has bad lines, so nothing was loaded; ``bad`` lists them."""

    def __init__(self, message: str, bad: Iterable[BadLine] = ()) -> None:
        super().__init__(message)
        self.bad = list(bad)


@dataclass
class AdvertImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    # Names of the employer accounts and "UKPRN name" of the providers the import added.
    employers_added: list[str] = field(default_factory=list)
    providers_added: list[str] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)

    def summary(self) -> str:
        text = f"Adverts: {self.added} added, {self.updated} updated, {self.unchanged} unchanged"
        if self.employers_added:
            text += "; employer accounts added: " + ", ".join(self.employers_added)
        if self.providers_added:
            text += "; training providers added: " + ", ".join(self.providers_added)
        if self.bad:
            text += f"; {len(self.bad)} bad lines skipped"
        return text + "."


@dataclass(frozen=True, slots=True)
class _Address:
    line1: str
    line2: str | None
    line3: str | None
    line4: str | None
    postcode: str
    # None until placed by the postcode.
    point: tuple[float, float] | None
    # Placed outside England by the geocoder.
    abroad: bool = False


@dataclass
class _Advert:
    """One line, read: the advert's column values and what is still to be resolved."""

    number: int
    source: DataSource
    source_reference: str
    values: dict[str, Any]
    posted_at: datetime | None
    addresses: list[_Address]
    employer_name: str
    legal_entity: str | None
    ukprn: str
    provider_name: str | None
    lars_code: int


def _limit(column: InstrumentedAttribute[Any]) -> int | None:
    """The column's length: each limit is declared once, in the model."""
    kind = column.property.columns[0].type
    return kind.length if isinstance(kind, String) else None


async def import_adverts(
    session: AsyncSession,
    lines: Iterable[bytes],
    geocoder: Geocoder,
    now: datetime,
    *,
    skip_invalid: bool = False,
) -> AdvertImportReport:
    """Load adverts into the live environment; raises ``AdvertImportError`` (and loads
    nothing) for a file with bad lines unless ``skip_invalid``. Never commits."""
    report = AdvertImportReport()
    parsed: list[_Advert] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        advert, problems = _read(number, raw)
        if problems:
            report.bad.append(BadLine(number, "; ".join(problems)))
        elif advert is not None:
            parsed.append(advert)

    resolver = _Parties(session, now)
    await resolver.load(parsed)
    standards = await ReferenceDataRepository(session).standards_by_code(
        {advert.lars_code for advert in parsed}
    )
    await _place(parsed, geocoder, session)
    valid: list[_Advert] = []
    seen: dict[tuple[DataSource, str], int] = {}
    for advert in parsed:
        problems = [*resolver.problems(advert), *_course_problems(advert, standards)]
        problems += [
            f"addresses[{i}].postcode {a.postcode} is not a postcode we can place: "
            "give its latitude and longitude"
            for i, a in enumerate(advert.addresses)
            if a.point is None and not a.abroad
        ]
        problems += [
            f"addresses[{i}].postcode {a.postcode} is not in England"
            for i, a in enumerate(advert.addresses)
            if a.abroad
        ]
        key = (advert.source, advert.source_reference)
        if not problems and key in seen:
            problems.append(f"the same advert as line {seen[key]}")
        if problems:
            report.bad.append(BadLine(advert.number, "; ".join(problems)))
        else:
            seen[key] = advert.number
            valid.append(advert)
    report.bad.sort(key=lambda bad: bad.line)
    if report.bad and not skip_invalid:
        raise AdvertImportError(
            f"{len(report.bad)} of the file's lines are not valid, so nothing was loaded "
            "(fix them, or load the rest with --skip-invalid)",
            report.bad,
        )
    await _store(session, valid, resolver, now, report)
    return report


# -- reading one line -----------------------------------------------------------------------


def _read(number: int, raw: bytes) -> tuple[_Advert | None, list[str]]:
    try:
        item = jsontext.parse(raw)
    except jsontext.InvalidJson as error:
        return None, [f"not JSON: {error}"]
    if not isinstance(item, dict):
        return None, ["not a JSON object"]
    reader = _Reader(item)
    advert = reader.advert(number)
    return (advert if not reader.problems else None), reader.problems


class _Reader:
    """Reads one advert's fields, noting every problem rather than stopping at the first."""

    def __init__(self, item: dict[str, Any]) -> None:
        self.item = item
        self.problems: list[str] = []

    def advert(self, number: int) -> _Advert:
        source_text = self.item.get("dataSource")
        source = {s.value.lower(): s for s in DataSource}.get(str(source_text or "").lower())
        if source is None or not isinstance(source_text, str):
            self.problems.append(f"dataSource must be one of {', '.join(DataSource)}")
        source_reference = self.text(self.item, "sourceReference", Vacancy.source_reference)
        title = self.text(self.item, "title", Vacancy.title)
        short = self.html(self.item, "description", _limit(Vacancy.short_description))
        full = self.html(self.item, "fullDescription", None, required=False) or short
        positions = self.whole(self.item, "numberOfPositions", 1, 1000)
        posted_at = self.moment(self.item, "postedDate")
        closing = self.day(self.item, "closingDate")
        start = self.day(self.item, "startDate")
        if closing and start and start < closing:
            self.problems.append("startDate must not be before closingDate")
        wage = self.wage()
        hours = self.hours()
        duration = self.duration()
        employer_name = self.text(self.item, "employerName", Vacancy.employer_name)
        legal_entity = self.text(
            self.item, "accountLegalEntityPublicHashedId", None, required=False
        )
        if legal_entity is not None:
            legal_entity = legal_entity.upper()
            if not HASHED_ID.match(legal_entity):
                self.problems.append(
                    "accountLegalEntityPublicHashedId must be 6 letters and digits"
                )
        ukprn = self.ukprn()
        provider_name = self.text(self.item, "providerName", None, required=False)
        lars_code = self.course()
        addresses, national, national_details = self.where()
        application_url = self.url(self.item, "applicationUrl", Vacancy.application_url)
        given = self.item.get("applicationUrl")
        if (given is None or given == "") and source not in (None, DataSource.RAA):
            self.problems.append(
                "applicationUrl is required: NHS Jobs and Civil Service Jobs adverts are "
                "applied for on their own sites"
            )
        values: dict[str, Any] = {
            "title": title,
            "short_description": short,
            "description": full,
            "number_of_positions": positions,
            "closing_date": closing,
            "start_date": start,
            **wage,
            "hours_per_week": hours,
            "duration": duration[0],
            "duration_unit": duration[1],
            "employer_name_option": "RegisteredName",
            "employer_name": employer_name,
            "anonymous_reason": None,
            "employer_website_url": self.url(
                self.item, "employerWebsiteUrl", Vacancy.employer_website_url
            ),
            "employer_contact_name": self.text(
                self.item, "employerContactName", Vacancy.employer_contact_name, required=False
            ),
            "employer_contact_email": self.email(),
            "employer_contact_phone": self.text(
                self.item, "employerContactPhone", Vacancy.employer_contact_phone, required=False
            ),
            "is_disability_confident": self.flag(self.item, "isDisabilityConfident"),
            "is_national": national,
            "national_details": national_details,
            "skills": self.skills(),
            "qualifications": self.qualifications(),
            "application_method": (
                "ThroughExternalApplicationSite"
                if application_url
                else "ThroughFindAnApprenticeship"
            ),
            "application_url": application_url,
            "application_instructions": None,
            "additional_question_1": None,
            "additional_question_2": None,
        }
        for name, column in HTML_FIELDS.items():
            if name != "fullDescription":
                values[column] = self.html(self.item, name, None, required=False)
        # Columns that hold text for every advert: empty when the feed has none.
        for column in ("employer_description", "training_description", "outcome_description"):
            values[column] = values[column] or ""
        return _Advert(
            number=number,
            source=source or DataSource.RAA,
            source_reference=source_reference or "",
            values=values,
            posted_at=posted_at,
            addresses=addresses,
            employer_name=employer_name or "",
            legal_entity=legal_entity,
            ukprn=ukprn or "",
            provider_name=provider_name,
            lars_code=lars_code or 0,
        )

    # -- one field each ---------------------------------------------------------------------

    def text(
        self,
        item: dict[str, Any],
        name: str,
        column: InstrumentedAttribute[Any] | None,
        *,
        required: bool = True,
        label: str | None = None,
    ) -> str | None:
        label = label or name
        value = item.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problems.append(f"{label} is required")
            return None
        if not isinstance(value, str):
            self.problems.append(f"{label} must be a string")
            return None
        value = " ".join(value.split())
        limit = _limit(column) if column is not None else 255
        if limit is not None and len(value) > limit:
            self.problems.append(f"{label} must be at most {limit} characters")
            return None
        return value

    def html(
        self, item: dict[str, Any], name: str, limit: int | None, *, required: bool = True
    ) -> str | None:
        value = item.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problems.append(f"{name} is required")
            return None
        if not isinstance(value, str):
            self.problems.append(f"{name} must be a string")
            return None
        checked = check_html(value.strip(), name)
        if checked.html is None:
            self.problems.append(str(checked.error))
            return None
        if limit is not None and len(checked.html) > limit:
            self.problems.append(f"{name} must be at most {limit} characters")
            return None
        return checked.html

    def whole(self, item: dict[str, Any], name: str, low: int, high: int) -> int:
        value = item.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problems.append(f"{name} must be a whole number from {low} to {high}")
            return low
        return value

    def flag(self, item: dict[str, Any], name: str) -> bool:
        value = item.get(name, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problems.append(f"{name} must be true or false")
            return False
        return value

    def day(self, item: dict[str, Any], name: str) -> date | None:
        """A date, or the Display advert API's date and time (its date is taken)."""
        value = item.get(name)
        text = value.strip() if isinstance(value, str) else ""
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            if len(text) > 10 and text[10] == "T":
                return datetime.fromisoformat(text).date()
        except ValueError:
            pass
        self.problems.append(f"{name} must be a date (yyyy-MM-dd)")
        return None

    def moment(self, item: dict[str, Any], name: str) -> datetime | None:
        value = item.get(name)
        if value is None:
            return None
        text = value.strip() if isinstance(value, str) else ""
        try:
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), time(), UTC)
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is not None:
                return moment.astimezone(UTC)
        except ValueError:
            pass
        self.problems.append(f"{name} must be a date, or a date and time with its offset")
        return None

    def wage(self) -> dict[str, Any]:
        wage = self.item.get("wage")
        if not isinstance(wage, dict):
            self.problems.append("wage is required, an object with wageType")
            wage = {}
        kind_text = wage.get("wageType")
        kind = {t.value.lower(): t for t in WageType}.get(str(kind_text or "").lower())
        if kind is None or not isinstance(kind_text, str):
            self.problems.append(f"wage.wageType must be one of {', '.join(WageType)}")
        amount: Decimal | None = None
        if kind is WageType.CUSTOM:
            raw = wage.get("wageAmount")
            try:
                if isinstance(raw, bool) or not isinstance(raw, int | float | str):
                    raise InvalidOperation
                amount = Decimal(str(raw))
                if not Decimal(0) < amount < Decimal(10_000_000) or amount != round(amount, 2):
                    raise InvalidOperation
            except InvalidOperation:
                self.problems.append("wage.wageAmount must be an amount above 0 for a Custom wage")
                amount = None
        unit_text = wage.get("wageUnit")
        if unit_text is None:
            unit = WageUnit.ANNUALLY if kind is WageType.CUSTOM else WageUnit.UNSPECIFIED
        else:
            found = {u.value.lower(): u for u in WageUnit}.get(str(unit_text).lower())
            if found is None or not isinstance(unit_text, str):
                self.problems.append(f"wage.wageUnit must be one of {', '.join(WageUnit)}")
            unit = found or WageUnit.UNSPECIFIED
        return {
            "wage_type": str(kind) if kind else "",
            "wage_amount": amount,
            "wage_unit": str(unit),
            "wage_additional_information": self.text(
                wage,
                "wageAdditionalInformation",
                None,
                required=False,
                label="wage.wageAdditionalInformation",
            ),
            "working_week_description": self.text(
                wage,
                "workingWeekDescription",
                Vacancy.working_week_description,
                label="wage.workingWeekDescription",
            ),
        }

    def hours(self) -> Decimal:
        raw = self.item.get("hoursPerWeek")
        try:
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise InvalidOperation
            hours = Decimal(str(raw))
            if not Decimal(0) < hours <= MAX_HOURS or hours != round(hours, 2):
                raise InvalidOperation
        except InvalidOperation:
            self.problems.append(
                f"hoursPerWeek must be a number of hours above 0, at most {MAX_HOURS}"
            )
            return Decimal(0)
        return hours

    def duration(self) -> tuple[int, str]:
        raw = self.item.get("expectedDuration")
        match = DURATION.match(" ".join(raw.split())) if isinstance(raw, str) else None
        if match is None or int(match[1]) == 0:
            self.problems.append('expectedDuration must be like "18 months" or "2 years"')
            return 0, "Month"
        return int(match[1]), "Month" if match[2].lower() == "month" else "Year"

    def ukprn(self) -> str | None:
        raw = self.item.get("ukprn")
        text = str(raw).strip() if isinstance(raw, int | str) and not isinstance(raw, bool) else ""
        if not UKPRN.match(text):
            self.problems.append("ukprn must be 8 digits starting with 1")
            return None
        return text

    def course(self) -> int | None:
        course = self.item.get("course")
        code = course.get("larsCode") if isinstance(course, dict) else None
        if isinstance(code, bool) or not isinstance(code, int) or code <= 0:
            self.problems.append("course.larsCode must be a positive whole number")
            return None
        return code

    def url(
        self, item: dict[str, Any], name: str, column: InstrumentedAttribute[Any]
    ) -> str | None:
        value = self.text(item, name, column, required=False)
        if value is not None and not WEB_URL.match(value):
            self.problems.append(f"{name} must be a web address starting http:// or https://")
            return None
        return value

    def email(self) -> str | None:
        value = self.text(
            self.item, "employerContactEmail", Vacancy.employer_contact_email, required=False
        )
        if value is not None and not EMAIL.match(value):
            self.problems.append("employerContactEmail must be an email address")
            return None
        return value

    def skills(self) -> list[str]:
        raw = self.item.get("skills") or []
        if not isinstance(raw, list) or not all(
            isinstance(s, str) and 0 < len(s.strip()) <= 100 for s in raw
        ):
            self.problems.append("skills must be a list of strings (each at most 100 characters)")
            return []
        return [" ".join(s.split()) for s in raw]

    def qualifications(self) -> list[dict[str, str]]:
        raw = self.item.get("qualifications") or []
        if not isinstance(raw, list):
            self.problems.append("qualifications must be a list")
            return []
        found: list[dict[str, str]] = []
        for i, entry in enumerate(raw):
            label = f"qualifications[{i}]"
            if not isinstance(entry, dict):
                self.problems.append(f"{label} must be an object")
                continue
            kind = self.text(entry, "qualificationType", None, label=f"{label}.qualificationType")
            subject = self.text(entry, "subject", None, required=False, label=f"{label}.subject")
            grade = self.text(entry, "grade", None, required=False, label=f"{label}.grade")
            weighting = entry.get("weighting", "Desired")
            if weighting not in _QUALIFICATION_WEIGHTS:
                self.problems.append(f"{label}.weighting must be Essential or Desired")
            if kind is not None:
                qualification = {"qualificationType": kind, "weighting": str(weighting)}
                if subject is not None:
                    qualification["subject"] = subject
                if grade is not None:
                    qualification["grade"] = grade
                found.append(qualification)
        return found

    def where(self) -> tuple[list[_Address], bool, str | None]:
        national = self.flag(self.item, "isNationalVacancy")
        raw = self.item.get("addresses") or []
        if not isinstance(raw, list):
            self.problems.append("addresses must be a list")
            raw = []
        if national:
            if raw:
                self.problems.append("addresses must be empty when isNationalVacancy is true")
            details = self.html(self.item, "isNationalVacancyDetails", None)
            return [], True, details
        if not 1 <= len(raw) <= MAX_ADDRESSES:
            self.problems.append(
                f"addresses must list 1 to {MAX_ADDRESSES} addresses, "
                "unless isNationalVacancy is true"
            )
        addresses = []
        for i, entry in enumerate(raw[:MAX_ADDRESSES]):
            if (address := self.address(i, entry)) is not None:
                addresses.append(address)
        return addresses, False, None

    def address(self, i: int, entry: Any) -> _Address | None:
        label = f"addresses[{i}]"
        if not isinstance(entry, dict):
            self.problems.append(f"{label} must be an object")
            return None
        lines = [
            self.text(
                entry,
                f"addressLine{n}",
                column,
                required=n == 1,
                label=f"{label}.addressLine{n}",
            )
            for n, column in enumerate(
                (
                    VacancyAddress.line1,
                    VacancyAddress.line2,
                    VacancyAddress.line3,
                    VacancyAddress.line4,
                ),
                start=1,
            )
        ]
        raw_postcode = entry.get("postcode")
        postcode = normalise(raw_postcode) if isinstance(raw_postcode, str) else None
        if postcode is None:
            self.problems.append(f"{label}.postcode must be a UK postcode")
        latitude, longitude = entry.get("latitude"), entry.get("longitude")
        point: tuple[float, float] | None = None
        if latitude is not None or longitude is not None:
            if (
                isinstance(latitude, int | float)
                and isinstance(longitude, int | float)
                and not isinstance(latitude, bool)
                and not isinstance(longitude, bool)
                and UK_LATITUDES[0] <= latitude <= UK_LATITUDES[1]
                and UK_LONGITUDES[0] <= longitude <= UK_LONGITUDES[1]
            ):
                point = (float(latitude), float(longitude))
            else:
                self.problems.append(
                    f"{label}.latitude and longitude must both be given, a place in the "
                    "United Kingdom"
                )
        if lines[0] is None or postcode is None:
            return None
        return _Address(lines[0], lines[1], lines[2], lines[3], postcode, point)


# -- what the lines refer to ----------------------------------------------------------------


async def _place(adverts: Sequence[_Advert], geocoder: Geocoder, session: AsyncSession) -> None:
    """Give every address a point: its own coordinates, or its postcode's centre (as the
    Recruitment API does). A postcode the geocoder cannot place keeps none; one it places
    outside England is marked ``abroad``, whether or not coordinates were given."""
    located = await geocoder.locate_many(
        [a.postcode for advert in adverts for a in advert.addresses], session
    )
    for advert in adverts:
        placed = []
        for address in advert.addresses:
            place = located.get(address.postcode)
            if place is not None and not place.in_england:
                address = replace(address, abroad=True)
            elif address.point is None and place is not None:
                address = replace(address, point=(place.latitude, place.longitude))
            placed.append(address)
        advert.addresses = placed


def _course_problems(advert: _Advert, standards: dict[int, Standard]) -> list[str]:
    standard = standards.get(advert.lars_code)
    if standard is None or not standard.is_active:
        return [f"course.larsCode {advert.lars_code} is not a standard open for new starts"]
    return []


class _Parties:
    """The employer's legal entity and the training provider of each line: found, or to
    be added when the import is stored."""

    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self.organisations = OrganisationRepository(session)
        self.legal_entities = LegalEntityRepository(session)
        self.accounts = AccountService(session)
        self.now = now
        self.by_hashed_id: dict[str, tuple[LegalEntity, Organisation] | None] = {}
        self.by_name: dict[str, list[tuple[LegalEntity, Organisation]]] = {}
        self.providers: dict[str, Organisation | None] = {}

    async def load(self, adverts: Sequence[_Advert]) -> None:
        for hashed_id in {a.legal_entity for a in adverts if a.legal_entity is not None}:
            entity = await self.legal_entities.by_hashed_id(hashed_id)
            owner = await self.organisations.by_id(entity.organisation_id) if entity else None
            self.by_hashed_id[hashed_id] = (entity, owner) if entity and owner else None
        names = {a.employer_name for a in adverts if a.legal_entity is None}
        for entity, owner in await self.legal_entities.named(names):
            self.by_name.setdefault(entity.name.lower(), []).append((entity, owner))
        for ukprn in {a.ukprn for a in adverts}:
            self.providers[ukprn] = await self.organisations.find(OwnerKind.PROVIDER, ukprn)

    def problems(self, advert: _Advert) -> list[str]:
        found: list[str] = []
        if advert.legal_entity is not None:
            party = self.by_hashed_id.get(advert.legal_entity)
            if party is None:
                found.append(f"no legal entity {advert.legal_entity}")
            elif party[1].status != OrganisationStatus.ACTIVE:
                found.append(f"the employer account of {advert.legal_entity} is {party[1].status}")
        else:
            named = self.by_name.get(advert.employer_name.lower(), [])
            if len(named) > 1:
                found.append(
                    f"{len(named)} legal entities are named {advert.employer_name!r}: give "
                    "accountLegalEntityPublicHashedId"
                )
            elif named and named[0][1].status != OrganisationStatus.ACTIVE:
                found.append(
                    f"the employer account of {advert.employer_name!r} is {named[0][1].status}"
                )
        provider = self.providers.get(advert.ukprn)
        if provider is None and advert.provider_name is None:
            found.append(
                f"no training provider with UKPRN {advert.ukprn}: give providerName to add it"
            )
        elif provider is not None and provider.status != OrganisationStatus.ACTIVE:
            found.append(f"training provider {advert.ukprn} is {provider.status}")
        return found

    async def resolve(
        self, advert: _Advert, report: AdvertImportReport
    ) -> tuple[Organisation, LegalEntity, Organisation]:
        """The employer account, legal entity and provider, adding those missing."""
        if advert.legal_entity is not None:
            party = self.by_hashed_id[advert.legal_entity]
            assert party is not None  # checked by ``problems``
            entity, employer = party
        else:
            key = advert.employer_name.lower()
            if not self.by_name.get(key):
                employer = await self.accounts.add_employer(advert.employer_name, self.now)
                entity = await self.accounts.add_legal_entity(
                    OwnerRef(OwnerKind.EMPLOYER, employer.public_id), advert.employer_name, self.now
                )
                self.by_name[key] = [(entity, employer)]
                report.employers_added.append(f"{advert.employer_name} ({employer.public_id})")
            entity, employer = self.by_name[key][0]
        provider = self.providers.get(advert.ukprn)
        if provider is None:
            assert advert.provider_name is not None  # checked by ``problems``
            provider = await self.accounts.add_provider(
                advert.ukprn, advert.provider_name, self.now
            )
            self.providers[advert.ukprn] = provider
            report.providers_added.append(f"{advert.ukprn} {advert.provider_name}")
        return employer, entity, provider


# -- storing --------------------------------------------------------------------------------


async def _store(
    session: AsyncSession,
    adverts: Sequence[_Advert],
    parties: _Parties,
    now: datetime,
    report: AdvertImportReport,
) -> None:
    repository = VacancyRepository(session)
    existing: dict[tuple[DataSource, str], Vacancy] = {}
    for source in DataSource:
        references = [a.source_reference for a in adverts if a.source is source]
        if references:
            found = await repository.by_source_references(source, references)
            existing |= {(source, ref): vacancy for ref, vacancy in found.items()}
    new = [a for a in adverts if (a.source, a.source_reference) not in existing]
    new_references = iter(await repository.next_references(len(new)))
    for advert in adverts:
        employer, entity, provider = await parties.resolve(advert, report)
        values = {
            **advert.values,
            "employer_id": employer.id,
            "legal_entity_id": entity.id,
            "provider_id": provider.id,
            "lars_code": advert.lars_code,
        }
        if advert.posted_at is not None:
            values["posted_at"] = advert.posted_at
        addresses = [_address_values(a) for a in advert.addresses]
        vacancy = existing.get((advert.source, advert.source_reference))
        if vacancy is None:
            created = Vacancy(
                **{
                    "posted_at": now,
                    **values,
                    "reference": next(new_references),
                    "environment": Environment.LIVE,
                    "data_source": advert.source,
                    "source_reference": advert.source_reference,
                    "status": AdvertStatus.LIVE,
                    "client_id": None,
                    "owner_kind": None,
                    "reviewed_at": now,
                    "reviewed_by": f"{IMPORTED_BY}:{advert.source}",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            created.addresses = [
                VacancyAddress(position=position, **address)
                for position, address in enumerate(addresses)
            ]
            session.add(created)
            report.added += 1
            continue
        stored = [_stored_address(a) for a in vacancy.addresses]
        changed = [name for name, value in values.items() if getattr(vacancy, name) != value]
        if not changed and stored == addresses:
            report.unchanged += 1
            continue
        for name in changed:
            setattr(vacancy, name, values[name])
        if stored != addresses:
            _replace_addresses(vacancy, addresses)
        # The search index takes in what changed since it was built.
        vacancy.updated_at = now
        report.updated += 1
    await repository.flush()
    if report.added or report.updated:
        # Every server's search index takes in the adverts that changed (as approvals do).
        await CacheEventRepository(session).add(EventKind.VACANCIES, now)


def _replace_addresses(vacancy: Vacancy, addresses: Sequence[dict[str, Any]]) -> None:
    """Rewrite the rows in place, position by position: replacing them all would insert
    new rows before deleting the old, clashing on (advert, position)."""
    rows = list(vacancy.addresses)
    for position, address in enumerate(addresses):
        if position < len(rows):
            for name, value in address.items():
                setattr(rows[position], name, value)
        else:
            vacancy.addresses.append(VacancyAddress(position=position, **address))
    for surplus in rows[len(addresses) :]:
        vacancy.addresses.remove(surplus)


def _address_values(address: _Address) -> dict[str, Any]:
    assert address.point is not None
    return {
        "line1": address.line1,
        "line2": address.line2,
        "line3": address.line3,
        "line4": address.line4,
        "postcode": address.postcode,
        "latitude": address.point[0],
        "longitude": address.point[1],
    }


def _stored_address(address: VacancyAddress) -> dict[str, Any]:
    return {
        "line1": address.line1,
        "line2": address.line2,
        "line3": address.line3,
        "line4": address.line4,
        "postcode": address.postcode,
        "latitude": address.latitude,
        "longitude": address.longitude,
    }
