"""Forgetting what accounts no longer need: sign-in failures older than a day (the
lockout and throttle look back 30 minutes at most), emailed links a week after they
expired, and sent or abandoned email a day on (its links hold tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.repository import AccountTokenRepository, SignInFailureRepository
from apprenticeships.mail.repository import OutboundEmailRepository

KEEP_FAILURES = timedelta(days=1)
KEEP_EXPIRED_TOKENS = timedelta(days=7)
KEEP_SENT_EMAIL = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Pruned:
    failures: int
    tokens: int
    emails: int


async def prune_accounts(session: AsyncSession, now: datetime) -> Pruned:
    return Pruned(
        await SignInFailureRepository(session).prune(now - KEEP_FAILURES),
        await AccountTokenRepository(session).prune(now - KEEP_EXPIRED_TOKENS),
        await OutboundEmailRepository(session).prune(now - KEEP_SENT_EMAIL),
    )
