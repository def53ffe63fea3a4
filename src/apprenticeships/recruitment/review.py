"""Reviewing adverts created through the Recruitment API.

``Submitted`` adverts wait for the platform's reviewers; approving one makes it ``Live``
(the Display advert API shows it at once, on every process, through a ``vacancies``
cache event) and rejecting it records why. An advert from a provider that holds only
``RecruitmentRequiresReview`` starts as ``Review`` and waits for its employer, who sends
it on to the reviewers (``Submitted``) or turns it down (``Rejected``). A live advert can
be closed early (``Closed``), by the platform or by its employer.

The CLI (the operator), platform admins and employers' Owners and Transactors in the
portal call the same methods; the portal first asks ``platform_reviewer`` or
``reviewing_employer`` who the person may act as, in the same unit of work. Every
outcome is emailed to the advert's submitter contact through the outbox, so the email
is sent exactly when the outcome is committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.acting import Acting, PlatformAdmin, authorise, authorise_admin
from apprenticeships.accounts.repository import (
    MembershipRepository,
    OrganisationRepository,
    UserRepository,
)
from apprenticeships.accounts.vocabulary import can_review
from apprenticeships.catalog.products import Environment, OwnerKind
from apprenticeships.errors import Conflict, Forbidden, InvalidInput, NotFound
from apprenticeships.mail.outbox import Outbox
from apprenticeships.recruitment import emails
from apprenticeships.recruitment.schemas import EmployerNameOption
from apprenticeships.storage.events import CacheEventRepository, EventKind
from apprenticeships.storage.models import Organisation, Vacancy
from apprenticeships.vacancies.html import plain_text
from apprenticeships.vacancies.repository import VacancyRepository
from apprenticeships.vacancies.service import REFERENCE
from apprenticeships.vacancies.vocabulary import AdvertStatus

MAX_REASON = 1000
REASON = "reason"
REVIEWERS_ONLY = "Only the employer's Owners and Transactors can review its adverts"
ADMINS_ONLY = "Only platform admins can review submitted adverts"


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


@dataclass(frozen=True, slots=True)
class AdvertView:
    """One advert as a reviewer reads it before deciding."""

    reference: int
    status: AdvertStatus
    title: str
    # The name the advert shows (registered, trading, or the anonymous description).
    employer_name: str
    anonymous: bool
    employer_account: str
    legal_entity: str
    provider_name: str
    ukprn: str
    course: str
    # The short description, as text.
    summary: str
    number_of_positions: int
    wage_type: str  # as stored: Custom, ApprenticeshipMinimum, NationalMinimum, CompetitiveSalary
    wage_amount: Decimal | None
    wage_unit: str
    wage_additional_information: str | None
    working_week: str
    hours_per_week: Decimal
    duration: int
    duration_unit: str
    start_date: date
    closing_date: date
    submitted_at: datetime | None
    posted_at: datetime | None
    # Each address on one line; empty when recruiting nationally.
    locations: tuple[str, ...]
    national_details: str | None
    submitter_name: str | None
    rejection_reason: str | None


class ReviewService:
    def __init__(self, session: AsyncSession) -> None:
        self.vacancies = VacancyRepository(session)
        self.organisations = OrganisationRepository(session)
        self.memberships = MembershipRepository(session)
        self.users = UserRepository(session)
        self.events = CacheEventRepository(session)
        self.outbox = Outbox(session)

    # -- who may review -----------------------------------------------------------------

    async def platform_reviewer(self, admin: PlatformAdmin) -> str:
        """How a platform admin is recorded as an advert's reviewer (their email), if
        they still are one; otherwise ``Forbidden``."""
        person = await authorise_admin(self.users, admin, ADMINS_ONLY)
        return person.email

    async def reviewing_employer(self, acting: Acting) -> Organisation:
        """The employer an Owner or Transactor reviews and closes adverts for; anyone
        else (another role, a provider, a suspended employer) is ``Forbidden``."""
        _, organisation = await authorise(self.memberships, acting, can_review, REVIEWERS_ONLY)
        if organisation.kind != OwnerKind.EMPLOYER:
            raise Forbidden(REVIEWERS_ONLY)
        return organisation

    # -- reading ------------------------------------------------------------------------

    async def awaiting(
        self,
        statuses: tuple[AdvertStatus, ...] = (AdvertStatus.SUBMITTED,),
        employer_id: int | None = None,
    ) -> list[AwaitingReview]:
        """Live-environment adverts in these states (of one employer, if given), oldest
        submission first."""
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
                Environment.LIVE, statuses, employer_id=employer_id
            )
        ]

    async def advert(self, reference: str, employer_id: int | None = None) -> AdvertView:
        """One live-environment advert in any state. With ``employer_id``, only that
        employer's: another employer's advert is ``NotFound``, like one that does not
        exist."""
        match = REFERENCE.match(reference.strip())
        row = (
            await self.vacancies.with_parties(Environment.LIVE, int(match.group(1)))
            if match
            else None
        )
        if row is None or (employer_id is not None and row.vacancy.employer_id != employer_id):
            raise NotFound(f"there is no advert {reference.strip()}")
        vacancy = row.vacancy
        return AdvertView(
            reference=vacancy.reference,
            status=AdvertStatus(vacancy.status),
            title=vacancy.title,
            employer_name=vacancy.employer_name,
            anonymous=vacancy.employer_name_option == EmployerNameOption.ANONYMOUS,
            employer_account=row.employer_account,
            legal_entity=row.legal_entity,
            provider_name=row.provider_name,
            ukprn=row.ukprn,
            course=f"{row.course_title} (level {row.course_level})",
            summary=plain_text(vacancy.short_description),
            number_of_positions=vacancy.number_of_positions,
            wage_type=vacancy.wage_type,
            wage_amount=vacancy.wage_amount,
            wage_unit=vacancy.wage_unit,
            wage_additional_information=vacancy.wage_additional_information,
            working_week=vacancy.working_week_description,
            hours_per_week=vacancy.hours_per_week,
            duration=vacancy.duration,
            duration_unit=vacancy.duration_unit,
            start_date=vacancy.start_date,
            closing_date=vacancy.closing_date,
            submitted_at=vacancy.submitted_at,
            posted_at=vacancy.posted_at,
            locations=tuple(
                ", ".join(part for part in (a.line1, a.line2, a.line3, a.line4, a.postcode) if part)
                for a in vacancy.addresses
            ),
            national_details=(
                plain_text(vacancy.national_details or "") if vacancy.is_national else None
            ),
            submitter_name=vacancy.submitter_name,
            rejection_reason=vacancy.rejection_reason,
        )

    # -- the platform's review ----------------------------------------------------------

    async def approve(self, reference: str, reviewer: str, now: datetime) -> Vacancy:
        """Make a submitted advert live from now until its closing date."""
        vacancy = await self._find(reference)
        self._require(vacancy, AdvertStatus.SUBMITTED, "approved")
        if vacancy.closing_date < now.date():
            raise Conflict(
                f"VAC{vacancy.reference} closed on {vacancy.closing_date.isoformat()}; "
                "reject it instead"
            )
        await self._hold(vacancy, AdvertStatus.SUBMITTED)
        vacancy.status = AdvertStatus.LIVE
        vacancy.posted_at = now
        self._reviewed(vacancy, reviewer, now)
        await self.events.add(EventKind.VACANCIES, now)
        await self._tell_submitter(
            vacancy, emails.approved(_advert(vacancy), vacancy.closing_date), now
        )
        return vacancy

    async def reject(self, reference: str, reason: str, reviewer: str, now: datetime) -> Vacancy:
        """Turn a submitted advert down, saying why (the submitter is told)."""
        vacancy = await self._find(reference)
        self._require(vacancy, AdvertStatus.SUBMITTED, "rejected")
        why = _reason(reason)
        await self._hold(vacancy, AdvertStatus.SUBMITTED)
        vacancy.status = AdvertStatus.REJECTED
        vacancy.rejection_reason = why
        self._reviewed(vacancy, reviewer, now)
        await self._tell_submitter(vacancy, emails.rejected(_advert(vacancy), why), now)
        return vacancy

    async def close(self, reference: str, now: datetime, employer_id: int | None = None) -> Vacancy:
        """Close a live advert before its closing date: it leaves the Display advert API
        at once, on every process. With ``employer_id``, only that employer's advert."""
        vacancy = await self._find(reference, employer_id)
        self._require(vacancy, AdvertStatus.LIVE, "closed")
        if vacancy.closing_date < now.date():
            raise Conflict(
                f"VAC{vacancy.reference} closed on {vacancy.closing_date.isoformat()} already"
            )
        await self._hold(vacancy, AdvertStatus.LIVE)
        vacancy.status = AdvertStatus.CLOSED
        vacancy.updated_at = now
        await self.events.add(EventKind.VACANCIES, now)
        await self._tell_submitter(vacancy, emails.closed(_advert(vacancy), now.date()), now)
        return vacancy

    # -- the employer's review ----------------------------------------------------------

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
        why = "" if approve else _reason(reason)
        await self._hold(vacancy, AdvertStatus.REVIEW)
        if approve:
            vacancy.status = AdvertStatus.SUBMITTED
            vacancy.submitted_at = now
            email = emails.employer_approved(_advert(vacancy))
        else:
            vacancy.status = AdvertStatus.REJECTED
            vacancy.rejection_reason = why
            self._reviewed(vacancy, f"employer:{employer_public_id}", now)
            email = emails.employer_rejected(_advert(vacancy), why)
        vacancy.updated_at = now
        await self._tell_submitter(vacancy, email, now)
        return vacancy

    async def _find(self, reference: str, employer_id: int | None = None) -> Vacancy:
        match = REFERENCE.match(reference.strip())
        vacancy = (
            await self.vacancies.by_reference(Environment.LIVE, int(match.group(1)))
            if match
            else None
        )
        if vacancy is None or (employer_id is not None and vacancy.employer_id != employer_id):
            # Another employer's advert gets the same answer as one that does not exist.
            raise NotFound(f"there is no advert {reference.strip()}")
        return vacancy

    async def _tell_submitter(self, vacancy: Vacancy, email: emails.Email, now: datetime) -> None:
        """Queue the outcome for the advert's submitter contact (adverts made another
        way, such as demo data, have none)."""
        if vacancy.submitter_email:
            await self.outbox.enqueue(vacancy.submitter_email, email.subject, email.body, now=now)

    async def _hold(self, vacancy: Vacancy, status: AdvertStatus) -> None:
        """Before the writes: the advert is still in ``status`` and stays so until this
        transaction ends (of two reviewers acting at the same moment, the second gets
        the ``Conflict``)."""
        if not await self.vacancies.hold_in_status(vacancy.id, status):
            raise Conflict(
                f"VAC{vacancy.reference} was changed by someone else a moment ago; look at it again"
            )

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


def _advert(vacancy: Vacancy) -> emails.Advert:
    return emails.Advert(
        vacancy.reference, vacancy.title, vacancy.employer_name, vacancy.submitter_name or ""
    )


def _reason(reason: str) -> str:
    """The reason for rejecting, whitespace collapsed: the submitter reads it."""
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise InvalidInput.of(REASON, "Enter a reason for rejecting the advert")
    if len(cleaned) > MAX_REASON:
        raise InvalidInput.of(
            REASON, f"Reason for rejecting must be {MAX_REASON} characters or fewer"
        )
    return cleaned
