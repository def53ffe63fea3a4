"""Writing email to the outbox, in the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.mail.repository import OutboundEmailRepository
from apprenticeships.storage.models import OutboundEmail

# Set in ``session.info`` once anything was enqueued, so whoever commits the session (a
# CLI command) knows to deliver straight afterwards.
ENQUEUED = "apprenticeships.mail.enqueued"


def mail_was_enqueued(session: AsyncSession) -> bool:
    return bool(session.info.get(ENQUEUED))


class Outbox:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.emails = OutboundEmailRepository(session)

    async def enqueue(self, to: str, subject: str, body: str, *, now: datetime) -> int:
        """Queue a plain-text email to one address; it is sent after the caller's
        transaction commits, and never if it rolls back. Returns its id."""
        for name, value, longest in (("to", to, 320), ("subject", subject, 255)):
            if not value or "\r" in value or "\n" in value or len(value) > longest:
                # Callers pass checked addresses and fixed subjects: this is a bug.
                raise ValueError(
                    f"an email's {name} is one non-empty line of {longest} characters or fewer"
                )
        email_id = await self.emails.add(
            OutboundEmail(
                to_address=to,
                subject=subject,
                body=body,
                message_id=uuid.uuid4().hex,
                created_at=now,
                next_attempt_at=now,
                attempts=0,
            )
        )
        self.session.info[ENQUEUED] = True
        return email_id
