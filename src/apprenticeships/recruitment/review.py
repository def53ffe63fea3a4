"""Reviewing adverts created through the Recruitment API.

``Submitted`` adverts wait for the platform's reviewers; approving one makes it ``Live``
(the Display advert API shows it at once, on every process, through a ``vacancies``
cache event) and rejecting it records why. An advert from a provider that holds only
``RecruitmentRequiresReview`` starts as ``Review`` and waits for its employer, who sends
it on to the reviewers (``Submitted``) or turns it down (``Rejected``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.repository import OrganisationRepository
from apprenticeships.catalog.products import Environment, OwnerKind
from apprenticeships.errors import Conflict, InvalidInput, NotFound
from apprenticeships.storage.events import CacheEventRepository, EventKind
from apprenticeships.storage.models import Vacancy
from apprenticeships.vacancies.repository import VacancyRepository
from apprenticeships.vacancies.service import REFERENCE
from apprenticeships.vacancies.vocabulary import AdvertStatus

MAX_REASON = 1000


@dataclass(frozen=True, slots=True)
class AwaitingReview:
    reference: int
    status: str
    title: str
    employer: str
    provider: str
    owner_kind: str
    submitted_at: datetime | None
    closing_date: str


class ReviewService:
    def __init__(self, session: AsyncSession) -> None:
        self.vacancies = VacancyRepository(session)
        self.organisations = OrganisationRepository(session)
        self.events = CacheEventRepository(session)

    async def awaiting(
        self, statuses: tuple[AdvertStatus, ...] = (AdvertStatus.SUBMITTED,)
    ) -> list[AwaitingReview]:
        """Live-environment adverts in these states, oldest submission first."""
        return [
            AwaitingReview(
                reference=vacancy.reference,
                status=vacancy.status,
                title=vacancy.title,
                employer=employer,
                provider=provider,
                owner_kind=vacancy.owner_kind or "",
                submitted_at=vacancy.submitted_at,
                closing_date=vacancy.closing_date.isoformat(),
            )
            for vacancy, employer, provider in await self.vacancies.with_status(
                Environment.LIVE, statuses
            )
        ]

    async def approve(self, reference: str, reviewer: str, now: datetime) -> Vacancy:
        """Make a submitted advert live from now until its closing date."""
        vacancy = await self._find(reference)
        self._require(vacancy, AdvertStatus.SUBMITTED, "approved")
        if vacancy.closing_date < now.date():
            raise Conflict(
                f"VAC{vacancy.reference} closed on {vacancy.closing_date.isoformat()}; "
                "reject it instead"
            )
        vacancy.status = AdvertStatus.LIVE
        vacancy.posted_at = now
        self._reviewed(vacancy, reviewer, now)
        await self.events.add(EventKind.VACANCIES, now)
        return vacancy

    async def reject(self, reference: str, reason: str, reviewer: str, now: datetime) -> Vacancy:
        vacancy = await self._find(reference)
        self._require(vacancy, AdvertStatus.SUBMITTED, "rejected")
        vacancy.status = AdvertStatus.REJECTED
        vacancy.rejection_reason = _reason(reason)
        self._reviewed(vacancy, reviewer, now)
        return vacancy

    async def employer_review(
        self,
        employer_public_id: str,
        reference: str,
        approve: bool,
        now: datetime,
        reason: str = "",
    ) -> Vacancy:
        """The employer's answer to a provider's advert waiting in ``Review``: send it to
        the reviewers, or turn it down. Only the advert's own employer may answer."""
        vacancy = await self._find(reference)
        employer = await self.organisations.find(OwnerKind.EMPLOYER, employer_public_id)
        if employer is None or employer.id != vacancy.employer_id:
            # The same answer as for a reference that does not exist.
            raise NotFound(f"there is no advert {reference.strip()}")
        self._require(vacancy, AdvertStatus.REVIEW, "reviewed by the employer")
        if approve:
            vacancy.status = AdvertStatus.SUBMITTED
            vacancy.submitted_at = now
        else:
            vacancy.status = AdvertStatus.REJECTED
            vacancy.rejection_reason = _reason(reason)
            self._reviewed(vacancy, f"employer:{employer_public_id}", now)
        vacancy.updated_at = now
        return vacancy

    async def _find(self, reference: str) -> Vacancy:
        match = REFERENCE.match(reference.strip())
        vacancy = (
            await self.vacancies.by_reference(Environment.LIVE, int(match.group(1)))
            if match
            else None
        )
        if vacancy is None:
            raise NotFound(f"there is no advert {reference.strip()}")
        return vacancy

    @staticmethod
    def _require(vacancy: Vacancy, status: AdvertStatus, action: str) -> None:
        if vacancy.status != status:
            waiting = (
                " (it is waiting for the employer's review)"
                if vacancy.status == AdvertStatus.REVIEW
                else ""
            )
            raise Conflict(
                f"VAC{vacancy.reference} is {vacancy.status}{waiting}; only {status} adverts "
                f"can be {action}"
            )

    @staticmethod
    def _reviewed(vacancy: Vacancy, reviewer: str, now: datetime) -> None:
        vacancy.reviewed_at = now
        vacancy.reviewed_by = reviewer[:320]
        vacancy.updated_at = now


def _reason(reason: str) -> str:
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise InvalidInput("give a reason (--reason): the advert's owner sees it")
    if len(cleaned) > MAX_REASON:
        raise InvalidInput(f"the reason must be at most {MAX_REASON} characters")
    return cleaned
