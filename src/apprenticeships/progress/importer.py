"""``apprenticeships import FILE``: apprenticeship records from JSON lines.

One record per line::

    {"uln": 1234567890, "plannedStartDate": "2026-01", "ukprn": 10000001,
     "employerAccountId": "MJ7YVK", "larsCode": 2, "option": null,
     "deliveryModel": "PortableFlexiJob", "status": "Live",
     "startDate": "2026-01-12", "stopDate": null}

``startDate`` (the actual start, in the planned month) defaults to the planned month's
first day. A record is the same record when provider, ULN, planned month, standard and
start date match: importing a file again updates what changed and adds nothing. Every bad
line is reported with its number, and a file with any bad line loads nothing unless the
caller chooses to skip them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships import jsontext
from apprenticeships.accounts.repository import OrganisationRepository
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import OperationError
from apprenticeships.progress.repository import ApprenticeshipRepository
from apprenticeships.progress.vocabulary import ApprenticeshipStatus, DeliveryModel
from apprenticeships.referencedata.repository import ReferenceDataRepository
from apprenticeships.storage.models import Apprenticeship, Standard

_MONTH = re.compile(r"(\d{4})-(\d{2})(?:-01)?")
RecordKey = tuple[int, int, date, int, date]


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ImportFileError(OperationError):
    def __init__(self, message: str, bad: Iterable[BadLine] = ()) -> None:
        super().__init__(message)
        self.bad = list(bad)


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: list[BadLine] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"Apprenticeship records: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )
        if self.bad:
            text += f"; {len(self.bad)} bad lines skipped"
        return text + "."


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    uln: int
    planned_start: date
    ukprn: str
    employer: str
    lars_code: int
    option: str | None
    delivery_model: str
    status: str
    start_date: date
    stop_date: date | None


async def import_apprenticeships(
    session: AsyncSession, lines: Iterable[bytes], now: datetime, *, skip_invalid: bool = False
) -> ImportReport:
    """Load records; raises ``ImportFileError`` (and loads nothing) for a file with bad
    lines unless ``skip_invalid``. Never commits."""
    report = ImportReport()
    parsed: list[_Line] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            parsed.append(_parse(number, raw))
        except ValueError as error:
            report.bad.append(BadLine(number, str(error)))

    organisations = OrganisationRepository(session)
    providers = {
        u: await organisations.find(OwnerKind.PROVIDER, u) for u in {p.ukprn for p in parsed}
    }
    employers = {
        e: await organisations.find(OwnerKind.EMPLOYER, e) for e in {p.employer for p in parsed}
    }
    standards = await ReferenceDataRepository(session).standards_by_code(
        {p.lars_code for p in parsed}
    )
    valid: list[tuple[_Line, RecordKey, int, int]] = []
    seen: dict[RecordKey, int] = {}
    for line in parsed:
        provider, employer = providers[line.ukprn], employers[line.employer]
        problem = _check_references(line, provider is not None, employer is not None, standards)
        if problem is None:
            assert provider is not None and employer is not None
            key = (provider.id, line.uln, line.planned_start, line.lars_code, line.start_date)
            if key in seen:
                problem = f"the same record as line {seen[key]}"
            else:
                seen[key] = line.number
                valid.append((line, key, provider.id, employer.id))
        if problem is not None:
            report.bad.append(BadLine(line.number, problem))
    report.bad.sort(key=lambda bad: bad.line)
    if report.bad and not skip_invalid:
        raise ImportFileError(
            f"{len(report.bad)} of the file's lines are not valid, so nothing was loaded "
            "(fix them, or load the rest with --skip-invalid)",
            report.bad,
        )

    repository = ApprenticeshipRepository(session)
    existing = await repository.existing(key for _, key, _, _ in valid)
    for line, key, provider_id, employer_id in valid:
        values = {
            "employer_id": employer_id,
            "option": line.option,
            "delivery_model": line.delivery_model,
            "status": line.status,
            "stop_date": line.stop_date,
        }
        record = existing.get(key)
        if record is None:
            repository.add(
                Apprenticeship(
                    uln=line.uln,
                    planned_start=line.planned_start,
                    provider_id=provider_id,
                    lars_code=line.lars_code,
                    start_date=line.start_date,
                    created_at=now,
                    **values,
                )
            )
            report.added += 1
        elif any(getattr(record, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(record, name, value)
            report.updated += 1
        else:
            report.unchanged += 1
    await repository.flush()
    return report


def _parse(number: int, raw: bytes) -> _Line:
    try:
        item = jsontext.parse(raw)
    except jsontext.InvalidJson as error:
        raise ValueError(f"not JSON: {error}") from None
    if not isinstance(item, dict):
        raise ValueError("not a JSON object")
    uln = _integer(item.get("uln"))
    if uln is None or not 1_000_000_000 <= uln <= 9_999_999_999:
        raise ValueError("uln must be a 10-digit unique learner number")
    month = _MONTH.fullmatch(str(item.get("plannedStartDate") or ""))
    planned_start = _day(f"{month[1]}-{month[2]}-01") if month else None
    if planned_start is None:
        raise ValueError("plannedStartDate must be yyyy-MM (or yyyy-MM-01)")
    ukprn = _integer(item.get("ukprn"))
    if ukprn is None or not 10_000_000 <= ukprn <= 99_999_999:
        raise ValueError("ukprn must be 8 digits")
    employer = str(item.get("employerAccountId") or "").strip().upper()
    if not employer:
        raise ValueError("employerAccountId is required")
    lars_code = _integer(item.get("larsCode"))
    if lars_code is None or lars_code <= 0:
        raise ValueError("larsCode must be a positive whole number")
    option = item.get("option")
    if option is not None and (not isinstance(option, str) or len(option) > 255):
        raise ValueError("option must be a string (at most 255 characters) or null")
    delivery_model = item.get("deliveryModel")
    if delivery_model not in set(DeliveryModel):
        raise ValueError(f"deliveryModel must be one of {', '.join(DeliveryModel)}")
    status = item.get("status")
    if status not in set(ApprenticeshipStatus):
        raise ValueError(f"status must be one of {', '.join(ApprenticeshipStatus)}")
    start_date = planned_start
    if item.get("startDate") is not None:
        actual = _day(item["startDate"])
        if actual is None or actual.replace(day=1) != planned_start:
            raise ValueError("startDate must be a date (yyyy-MM-dd) in the planned start month")
        start_date = actual
    stop_date = None
    if item.get("stopDate") is not None:
        stop_date = _day(item["stopDate"])
        if stop_date is None or stop_date < start_date:
            raise ValueError("stopDate must be a date (yyyy-MM-dd) on or after the start date")
    return _Line(
        number,
        uln,
        planned_start,
        str(ukprn),
        employer,
        lars_code,
        (option.strip() or None) if isinstance(option, str) else None,
        delivery_model,
        status,
        start_date,
        stop_date,
    )


def _check_references(
    line: _Line, provider: bool, employer: bool, standards: dict[int, Standard]
) -> str | None:
    if not provider:
        return f"no training provider with UKPRN {line.ukprn}"
    if not employer:
        return f"no employer account {line.employer}"
    standard = standards.get(line.lars_code)
    if standard is None:
        return f"no standard with LARS code {line.lars_code}"
    if line.option not in (None, "core") and line.option not in (standard.options or []):
        known = ", ".join(standard.options or []) or "none"
        return f"{line.option!r} is not an option of LARS code {line.lars_code} (options: {known})"
    return None


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10]) if len(value.strip()) == 10 else None
    except ValueError:
        return None
