"""Request bodies for the Recruitment API: one valid advert, changed per test."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any


def today() -> date:
    return datetime.now(UTC).date()


def valid_body(legal_entity: str = "ABC123", ukprn: int | None = 10000001) -> dict[str, Any]:
    day = today()
    body: dict[str, Any] = {
        "title": "Apprentice Software Developer",
        "numberOfPositions": 2,
        "closingDate": f"{day + timedelta(days=14)}T00:00:00Z",
        "startDate": f"{day + timedelta(days=60)}T00:00:00Z",
        "contractingParties": {"accountLegalEntityPublicHashedId": legal_entity},
        "wage": {
            "wageType": "FixedWage",
            "fixedWageYearlyAmount": 25000,
            "weeklyHours": 37.5,
            "workingWeekDescription": "Monday to Friday, 9am to 5pm",
            "duration": 18,
            "durationUnit": "Month",
            "wageAdditionalInformation": "Reviewed every year",
            "companyBenefitsInformation": "<ul><li>25 days holiday</li><li>Pension</li></ul>",
        },
        "address": {"addressLine1": "1 Park Row", "addressLine4": "Leeds", "postcode": "ls15ab"},
        "shortDescription": "Join our software team and learn to build web applications while you study.",
        "description": "<p>You will write and test code.</p><p>You will join the daily stand-up.</p>",
        "outcomeDescription": "<p>A permanent role as a developer.</p>",
        "trainingDescription": "<p>Day release at Northfield College.</p>",
        "standardLarsCode": 2,
        "employerDescription": "<p>We build software for the NHS.</p>",
        "employerWebsiteUrl": "https://acme.example.com",
        "disabilityConfident": "Yes",
        "submitterContactDetails": {
            "name": "Sam Jones",
            "email": "sam@acme.example.com",
            "phone": "0113 496 0000",
        },
        "skills": ["IT skills", "Team working"],
        "qualifications": [
            {
                "qualificationType": "GCSE",
                "subject": "Maths",
                "grade": "4 (C) or above",
                "weighting": "Essential",
            }
        ],
        "applicationMethod": "ThroughFindAnApprenticeship",
        "additionalQuestion1": "Why do you want this job?",
    }
    if ukprn is not None:
        body["contractingParties"]["ukprn"] = ukprn
    return body


def changed(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``body`` with the value at a dotted path replaced (``...`` removes it)."""
    result = copy.deepcopy(body)
    *parents, last = path.split(".")
    target = result
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return result
