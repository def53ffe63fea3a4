"""The demo's apprenticeship records: one for each Track progress rule a client meets.

Their standards are ones whose real KSBs ship with the platform (``referencedata/data/
ksbs.json``): Content creator (174), Adult care worker (119) and Data technician (576)
have no options; Carpentry and joinery (239) and Horticulture or landscape construction
operative (181) have two each.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

NORTHMERE = "10000001"
RIVERSTONE = "10000002"


@dataclass(frozen=True, slots=True)
class DemoApprenticeship:
    case: str  # what a client can try with it
    uln: int
    planned_start: str  # yyyy-MM
    ukprn: str
    employer: str
    lars_code: int
    option: str | None
    delivery_model: str
    status: str
    start_day: int = 1
    stop_day: int | None = None

    def json_line(self) -> bytes:
        return json.dumps(
            {
                "uln": self.uln,
                "plannedStartDate": self.planned_start,
                "ukprn": int(self.ukprn),
                "employerAccountId": self.employer,
                "larsCode": self.lars_code,
                "option": self.option,
                "deliveryModel": self.delivery_model,
                "status": self.status,
                "startDate": f"{self.planned_start}-{self.start_day:02d}",
                "stopDate": f"{self.planned_start}-{self.stop_day:02d}" if self.stop_day else None,
            }
        ).encode()


APPRENTICESHIPS: tuple[DemoApprenticeship, ...] = (
    DemoApprenticeship(
        "a portable flexi-job apprenticeship: progress is recorded",
        7010000001, "2026-01", NORTHMERE, "MJ7YVK", 174, None, "PortableFlexiJob", "Live",
    ),
    DemoApprenticeship(
        "a portable flexi-job apprenticeship with an option: only core and that option's KSBs",
        7010000002, "2026-02", NORTHMERE, "MJ7YVK", 239, "Site Carpenter", "PortableFlexiJob", "Live",
    ),
    DemoApprenticeship(
        "a regular apprenticeship: 400 'Must be a portable flexi-job'",
        7010000003, "2026-01", NORTHMERE, "MJ7YVK", 119, None, "Regular", "Live",
    ),
    DemoApprenticeship(
        "waiting to start: 400 about the apprentice status",
        7010000004, "2027-03", NORTHMERE, "MJ7YVK", 576, None, "PortableFlexiJob", "WaitingToStart",
    ),
    DemoApprenticeship(
        "a standard with options but none set: 400 'requires an option'",
        7010000005, "2026-03", NORTHMERE, "MJ7YVK", 181, None, "PortableFlexiJob", "Live",
    ),
    DemoApprenticeship(
        "two records in one month: 400 'Multiple apprenticeship records exist'",
        7010000006, "2026-04", NORTHMERE, "MJ7YVK", 174, None, "PortableFlexiJob", "Live",
    ),
    DemoApprenticeship(
        "two records in one month: 400 'Multiple apprenticeship records exist'",
        7010000006, "2026-04", NORTHMERE, "MJ7YVK", 174, None, "PortableFlexiJob", "Live",
        start_day=15,
    ),
    DemoApprenticeship(
        "stopped on its start day (no delivery): 400 about the apprentice status",
        7010000007, "2026-05", NORTHMERE, "MJ7YVK", 119, None, "PortableFlexiJob", "Stopped",
        start_day=6, stop_day=6,
    ),
    DemoApprenticeship(
        "another provider's apprentice: 404 for Northmere College's key",
        7010000008, "2026-01", RIVERSTONE, "MJ7YVK", 174, None, "PortableFlexiJob", "Live",
    ),
)  # fmt: skip
