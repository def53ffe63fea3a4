"""The portal's use cases for adverts: employers' Owners and Transactors review the
adverts a provider created under ``RecruitmentRequiresReview``; platform admins review
submitted adverts; both may close a live advert early.

Each writing method is one unit of work: it asks the review service who the person may
act as (checked against the database on every call, never taken from the session),
makes the change through the same service as the CLI (which writes the change event
and queues the email to the submitter), and writes the audit entry, all in one
transaction. Reads use a plain session of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.acting import Acting, PlatformAdmin
from apprenticeships.audit.service import Actor, AuditService
from apprenticeships.audit.vocabulary import AuditAction
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.portal.web import Identity
from apprenticeships.recruitment.review import AdvertView, AwaitingReview, ReviewService
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import Vacancy
from apprenticeships.vacancies.vocabulary import AdvertStatus


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of an advert: its reference and its status now."""

    reference: int
    status: AdvertStatus


class PortalReview:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        mail_sent: Callable[[], None],
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.mail_sent = mail_sent

    # -- employers: adverts a provider created that wait for them ----------------------

    async def employer_queue(self, identity: Identity) -> list[AwaitingReview]:
        """The employer's adverts waiting for its review, oldest first."""
        async with self.sessions() as session:
            review = ReviewService(session)
            employer = await review.reviewing_employer(_acting(identity))
            return await review.awaiting((AdvertStatus.REVIEW,), employer_id=employer.id)

    async def employer_advert(self, identity: Identity, reference: str) -> AdvertView:
        """One of the employer's adverts; another employer's is ``NotFound``."""
        async with self.sessions() as session:
            review = ReviewService(session)
            employer = await review.reviewing_employer(_acting(identity))
            return await review.advert(reference, employer_id=employer.id)

    async def employer_decide(
        self, identity: Identity, reference: str, approve: bool, reason: str, address: str
    ) -> Outcome:
        """Approve (on to the platform's reviewers) or reject an advert in Review."""
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            review = ReviewService(session)
            employer = await review.reviewing_employer(_acting(identity))
            vacancy = await review.employer_review(
                employer.public_id, reference, approve, now, reason
            )
            await _audit(session, identity, address, vacancy, now, approve)
        self.mail_sent()
        return Outcome(vacancy.reference, AdvertStatus(vacancy.status))

    async def employer_close(self, identity: Identity, reference: str, address: str) -> Outcome:
        """Close one of the employer's live adverts early."""
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            review = ReviewService(session)
            employer = await review.reviewing_employer(_acting(identity))
            vacancy = await review.close(reference, now, employer_id=employer.id)
            await _audit(session, identity, address, vacancy, now, None)
        self.mail_sent()
        return Outcome(vacancy.reference, AdvertStatus(vacancy.status))

    # -- platform admins: submitted adverts --------------------------------------------

    async def admin_queue(self, identity: Identity) -> list[AwaitingReview]:
        """Submitted adverts, oldest first."""
        async with self.sessions() as session:
            review = ReviewService(session)
            await review.platform_reviewer(PlatformAdmin(identity.user_id))
            return await review.awaiting((AdvertStatus.SUBMITTED,))

    async def admin_advert(self, identity: Identity, reference: str) -> AdvertView:
        async with self.sessions() as session:
            review = ReviewService(session)
            await review.platform_reviewer(PlatformAdmin(identity.user_id))
            return await review.advert(reference)

    async def admin_decide(
        self, identity: Identity, reference: str, approve: bool, reason: str, address: str
    ) -> Outcome:
        """Approve a submitted advert (live at once, on every process) or reject it."""
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            review = ReviewService(session)
            reviewer = await review.platform_reviewer(PlatformAdmin(identity.user_id))
            if approve:
                vacancy = await review.approve(reference, reviewer, now)
            else:
                vacancy = await review.reject(reference, reason, reviewer, now)
            await _audit(session, identity, address, vacancy, now, approve)
        self.mail_sent()
        return Outcome(vacancy.reference, AdvertStatus(vacancy.status))

    async def admin_close(self, identity: Identity, reference: str, address: str) -> Outcome:
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            review = ReviewService(session)
            await review.platform_reviewer(PlatformAdmin(identity.user_id))
            vacancy = await review.close(reference, now)
            await _audit(session, identity, address, vacancy, now, None)
        self.mail_sent()
        return Outcome(vacancy.reference, AdvertStatus(vacancy.status))


def _acting(identity: Identity) -> Acting:
    # The route lets only members acting for an organisation in; the service checks the
    # membership and its role again.
    assert identity.organisation_id is not None
    return Acting(identity.user_id, identity.organisation_id)


async def _audit(
    session: AsyncSession,
    identity: Identity,
    address: str,
    vacancy: Vacancy,
    at: datetime,
    approved: bool | None,
) -> None:
    """One entry for the advert's employer, and one for the training provider that
    created it (each organisation's Owners see what happened to its adverts).
    ``approved`` None: the advert was closed."""
    if approved is None:
        action = AuditAction.ADVERT_CLOSED
    else:
        action = AuditAction.ADVERT_APPROVED if approved else AuditAction.ADVERT_REJECTED
    details = {"reference": f"VAC{vacancy.reference}", "status": vacancy.status}
    if action is AuditAction.ADVERT_REJECTED:
        details["reason"] = vacancy.rejection_reason or ""
    organisations = [vacancy.employer_id]
    if vacancy.owner_kind == OwnerKind.PROVIDER:
        organisations.append(vacancy.provider_id)
    audit = AuditService(session)
    actor = Actor(identity.user_id, identity.email, address)
    for organisation_id in organisations:
        await audit.record(
            action, at, actor=actor, organisation_id=organisation_id, details=details
        )
