"""SQL for the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.storage.models import OutboundEmail


@dataclass(frozen=True, slots=True)
class ClaimedEmail:
    """An email this process has claimed and now sends."""

    id: int
    to_address: str
    subject: str
    body: str
    message_id: str
    created_at: datetime
    attempts: int


class OutboundEmailRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, email: OutboundEmail) -> int:
        self.session.add(email)
        await self.session.flush()
        return email.id

    async def claim_due(
        self, now: datetime, claimed_until: datetime, limit: int
    ) -> list[ClaimedEmail]:
        """Take up to ``limit`` emails due by ``now``, oldest first, by moving their next
        attempt to ``claimed_until``: no other process sees them as due until then, so
        each is sent by one process (and again only if that one died mid-send).

        One statement, so the claim is atomic on both databases: on PostgreSQL the rows
        are locked with SKIP LOCKED, so concurrent claimers take different rows instead
        of queueing; SQLite runs one writer at a time anyway.
        """
        due = (
            select(OutboundEmail.id)
            .where(OutboundEmail.next_attempt_at <= now)
            .order_by(OutboundEmail.next_attempt_at, OutboundEmail.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        result = await self.session.execute(
            update(OutboundEmail)
            .where(OutboundEmail.id.in_(due))
            .values(next_attempt_at=claimed_until)
            .returning(
                OutboundEmail.id,
                OutboundEmail.to_address,
                OutboundEmail.subject,
                OutboundEmail.body,
                OutboundEmail.message_id,
                OutboundEmail.created_at,
                OutboundEmail.attempts,
            )
            .execution_options(synchronize_session=False)
        )
        claimed = [ClaimedEmail(*row) for row in result.all()]
        return sorted(claimed, key=lambda email: (email.created_at, email.id))

    async def mark_sent(self, email_id: int, now: datetime) -> None:
        await self.session.execute(
            update(OutboundEmail)
            .where(OutboundEmail.id == email_id)
            .values(
                sent_at=now,
                next_attempt_at=None,
                attempts=OutboundEmail.attempts + 1,
                last_error=None,
            )
        )

    async def mark_failed(
        self, email_id: int, now: datetime, error: str, retry_at: datetime | None
    ) -> None:
        """Record a failed attempt: due again at ``retry_at``, or given up (None)."""
        await self.session.execute(
            update(OutboundEmail)
            .where(OutboundEmail.id == email_id)
            .values(
                next_attempt_at=retry_at,
                failed_at=now if retry_at is None else None,
                attempts=OutboundEmail.attempts + 1,
                last_error=error,
            )
        )

    async def waiting(self) -> int:
        """Emails not yet sent nor given up on (claimed ones included)."""
        return int(
            await self.session.scalar(
                select(func.count()).where(OutboundEmail.next_attempt_at.is_not(None))
            )
            or 0
        )

    async def prune(self, before: datetime) -> int:
        """Forget emails sent or given up on before ``before`` (their links hold tokens)."""
        result = await self.session.execute(
            delete(OutboundEmail).where(
                or_(OutboundEmail.sent_at < before, OutboundEmail.failed_at < before)
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)
