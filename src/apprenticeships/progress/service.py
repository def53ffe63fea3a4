"""Recording apprentices' progress against their standard's KSBs.

The request has been bound first (``binding.py``: the ULN, the planned start date and the
body, as the real API's ASP.NET controller binds them). The rules then run in the real
API's order and stop at the first of steps 2 to 7; step 8's problems are all reported
together. A provider only ever finds its own apprentices: any other is
``NoSuchApprenticeship`` exactly as a record that does not exist.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import FieldProblem, InvalidInput, NotFound
from apprenticeships.gateway.context import SubscriptionContext
from apprenticeships.jsontext import canonical_guid
from apprenticeships.progress.repository import ApprenticeshipRepository, ProgressRepository
from apprenticeships.progress.vocabulary import ApprenticeshipStatus, DeliveryModel
from apprenticeships.referencedata.repository import KsbRepository, ksb_order
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import (
    Apprenticeship,
    Ksb,
    ProgressSubmission,
    ProgressValue,
    Standard,
)

CORE = "core"
START_NOT_FIRST = "Invalid start date (must start on the 1st)"
FAILED = "Failed to record progress due to one or more validation errors"
STATUS = (
    "Apprentice status must be Live, Paused, Stopped (provided some delivery took place) "
    "or Complete."
)
MULTIPLE = "Multiple apprenticeship records exist"
OPTION_REQUIRED = "This apprenticeship requires an option to be set to record progress against it"
PROGRESS_REQUIRED = "Progress must be present"
KSBS_REQUIRED = "KSBs are required"
NULL_IDS = "KSB Ids cannot be null"
DUPLICATE = "Ensure that there are no duplicate GUIDs in the progress submission"
PORTABLE_ONLY = "Must be a portable flexi-job"
OPTION_MISMATCH = "This KSB does not match the course option"
SANDBOX_PROGRESS_ID = 999


def check_planned_start(planned_start: date) -> None:
    """Step 2: progress is recorded against the month an apprenticeship starts in."""
    if planned_start.day != 1:
        raise InvalidInput(START_NOT_FIRST)


def value_out_of_range(value: int | None) -> str:
    shown = "" if value is None else str(value)
    return (
        f"The progress value ({shown}) associated with this KSB must be in the range of 0 to "
        "100 (inclusive)"
    )


class NoSuchApprenticeship(NotFound):
    """No record of this apprentice starting in this month with the caller's provider
    (also when another provider has one)."""

    def __init__(self) -> None:
        super().__init__("no such apprenticeship for this provider")


@dataclass(frozen=True, slots=True)
class SubmittedKsb:
    """One item of a submission as sent; either part may be missing (None)."""

    id: str | None
    value: int | None


@dataclass(frozen=True, slots=True)
class SubmittedProgress:
    """A submission's ``progress``: its KSBs as sent, None where the list is missing or
    an item is null."""

    ksbs: tuple[SubmittedKsb | None, ...] | None


@dataclass(frozen=True, slots=True)
class CheckedProgress:
    apprenticeship: Apprenticeship
    provider_id: int
    values: list[tuple[str, int]]  # (KSB id, value), in the order sent


@dataclass(frozen=True, slots=True)
class LatestValue:
    ksb: Ksb
    value: int
    progress_id: int
    submitted_at: datetime


@dataclass(frozen=True, slots=True)
class History:
    """The caller's submissions for an apprenticeship, newest first, and the latest value
    recorded for each KSB, in the standard's KSB order."""

    apprenticeship: Apprenticeship  # the newest of the apprentice's records
    submissions: list[ProgressSubmission]
    latest: list[LatestValue]


@dataclass(frozen=True, slots=True)
class CourseKsbs:
    standard: Standard
    ksbs: list[Ksb]  # knowledge, then skills, then behaviours


class ProgressService:
    """The Track progress API's use cases. Each method opens its own session; the one
    that writes commits it (see ``storage/engine.py``)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def record_progress(
        self,
        caller: SubscriptionContext,
        uln: int,
        planned_start: date,
        progress: SubmittedProgress | None,
        now: datetime,
    ) -> int:
        """Check a submission and store it; its progress id, once committed. The checks
        and the write are one transaction. In the sandbox the same checks run against the
        same records and nothing is written."""
        async with unit_of_work(self.sessions) as session:
            checked = await ProgressRules(session).check(caller, uln, planned_start, progress)
            if caller.is_sandbox:
                return SANDBOX_PROGRESS_ID
            submission = ProgressSubmission(
                apprenticeship_id=checked.apprenticeship.id,
                provider_id=checked.provider_id,
                submitted_at=now,
            )
            submission.values = [
                ProgressValue(position=position, ksb_id=ksb_id, value=value)
                for position, (ksb_id, value) in enumerate(checked.values)
            ]
            return await ProgressRepository(session).add(submission)

    async def history(self, caller: SubscriptionContext, uln: int, planned_start: date) -> History:
        """What the caller has recorded for the apprentice (reads only)."""
        async with self.sessions() as session:
            rules = ProgressRules(session)
            provider_id, records = await rules.records(caller, uln, planned_start)
            submissions = await ProgressRepository(session).for_apprenticeships(
                [r.id for r in records], provider_id
            )
            ksbs = await rules.ksbs.by_ids(v.ksb_id for s in submissions for v in s.values)
        latest: dict[str, LatestValue] = {}
        for submission in submissions:  # newest first: the first value seen is the latest
            for item in submission.values:
                if item.ksb_id not in latest and item.ksb_id in ksbs:
                    latest[item.ksb_id] = LatestValue(
                        ksbs[item.ksb_id], item.value, submission.id, submission.submitted_at
                    )
        order = {
            ksb.id: position for position, ksb in enumerate(sorted(ksbs.values(), key=ksb_order))
        }
        return History(
            records[-1], submissions, sorted(latest.values(), key=lambda v: order[v.ksb.id])
        )

    async def course_ksbs(self, lars_code: int) -> CourseKsbs:
        """A standard's KSBs, for building submissions."""
        async with self.sessions() as session:
            ksbs = KsbRepository(session)
            standard = await ksbs.standard(lars_code)
            if standard is None:
                raise NotFound(f"There is no standard with LARS code {lars_code}.")
            return CourseKsbs(standard, await ksbs.for_standard(lars_code))


class ProgressRules:
    """Who may record progress for which apprentice, and what a valid submission is,
    checked with the reads of one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.apprenticeships = ApprenticeshipRepository(session)
        self.ksbs = KsbRepository(session)

    async def records(
        self, caller: SubscriptionContext, uln: int, planned_start: date
    ) -> tuple[int, list[Apprenticeship]]:
        """Steps 2 and 3: the caller's provider id and its records for this apprentice."""
        check_planned_start(planned_start)
        if caller.owner_kind is not OwnerKind.PROVIDER:
            raise NoSuchApprenticeship()
        provider_id = await self.apprenticeships.provider_id(caller.owner_id)
        if provider_id is None:
            raise NoSuchApprenticeship()
        records = await self.apprenticeships.find(provider_id, uln, planned_start)
        if not records:
            raise NoSuchApprenticeship()
        return provider_id, records

    async def check(
        self,
        caller: SubscriptionContext,
        uln: int,
        planned_start: date,
        progress: SubmittedProgress | None,
    ) -> CheckedProgress:
        """Steps 2 to 8 (see the module's docstring); what to store."""
        provider_id, records = await self.records(caller, uln, planned_start)
        delivered = [r for r in records if r.stop_date is None or r.stop_date != r.start_date]
        if not delivered:
            raise InvalidInput(FAILED, [FieldProblem("ApprenticeshipStatus", STATUS)])
        if len(delivered) > 1:
            raise InvalidInput(MULTIPLE)
        (record,) = delivered
        standard = await self.ksbs.standard(record.lars_code)
        option = (record.option or "").strip()
        if standard is not None and standard.options and option in ("", CORE):
            raise InvalidInput(OPTION_REQUIRED)

        if progress is None:
            raise InvalidInput(PROGRESS_REQUIRED)
        items = progress.ksbs
        if not items:
            raise InvalidInput(KSBS_REQUIRED)

        errors: list[FieldProblem] = []
        values: list[tuple[str, int]] = []
        given: list[tuple[str, str | None]] = []  # (id as sent, canonical id)
        # A null item is a null id here (the real API fails with a 500 on it).
        if any(item is None or item.id is None for item in items):
            errors.append(FieldProblem("KSBs", NULL_IDS))
        for item in items:
            if item is None or item.id is None:
                continue
            sent = item.id
            canonical = canonical_guid(sent)
            if canonical is None:
                errors.append(FieldProblem(sent, f"{sent} is not a valid guid"))
            if item.value is None or not 0 <= item.value <= 100:
                errors.append(FieldProblem(sent, value_out_of_range(item.value)))
            elif canonical is not None:
                values.append((canonical, item.value))
            given.append((sent, canonical))
        counts = Counter(canonical for _, canonical in given if canonical is not None)
        reported: set[str] = set()
        for sent, canonical in given:
            if canonical is not None and counts[canonical] > 1 and canonical not in reported:
                reported.add(canonical)
                errors.append(FieldProblem(sent, DUPLICATE))
        if record.delivery_model != DeliveryModel.PORTABLE_FLEXI_JOB:
            errors.append(FieldProblem("DeliveryModel", PORTABLE_ONLY))
        if record.status == ApprenticeshipStatus.WAITING_TO_START:
            errors.append(FieldProblem("ApprenticeshipStatus", STATUS))
        known = await self.ksbs.by_ids(c for _, c in given if c is not None)
        for sent, canonical in given:
            ksb = known.get(canonical) if canonical is not None else None
            if ksb is None or not _in_option(ksb, record):
                errors.append(FieldProblem(sent, OPTION_MISMATCH))
        if errors:
            raise InvalidInput(FAILED, errors)
        return CheckedProgress(record, provider_id, values)


def _in_option(ksb: Ksb, record: Apprenticeship) -> bool:
    if ksb.lars_code != record.lars_code:
        return False
    option = (record.option or "").strip()
    return CORE in ksb.options or (bool(option) and option in ksb.options)
