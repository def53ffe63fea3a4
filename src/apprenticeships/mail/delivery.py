"""Delivering the outbox: claim what is due, send it, record how it went.

Sending happens outside any transaction (a slow server holds no lock): a claim commits
first, each result commits after its send. A failed send is retried after 30 s, 1, 2, 4
minutes and so on (at most an hour apart), and given up after ``MAX_ATTEMPTS``; each
failure is logged, and giving up is logged as an error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.background import Stopping
from apprenticeships.mail.repository import ClaimedEmail, OutboundEmailRepository
from apprenticeships.mail.senders import Sender, build_message
from apprenticeships.storage.engine import unit_of_work

log = structlog.get_logger("apprenticeships.mail")

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 10
# How long a claimed email is left to the process that claimed it before another may
# send it: far longer than a send may take (the SMTP timeout is 20 s).
CLAIM = timedelta(minutes=5)
BATCH = 50


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # will be retried
    given_up: int = 0

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(
            self.sent + other.sent, self.failed + other.failed, self.given_up + other.given_up
        )


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return min(FIRST_RETRY * (1 << min(attempts - 1, 20)), LONGEST_WAIT)


async def deliver_pending(
    sessions: async_sessionmaker[AsyncSession],
    sender: Sender,
    from_address: str,
    now: datetime,
    *,
    limit: int = BATCH,
) -> DeliveryReport:
    """Send up to ``limit`` emails that are due at ``now``."""
    async with unit_of_work(sessions) as session:
        claimed = await OutboundEmailRepository(session).claim_due(now, now + CLAIM, limit)
    report = DeliveryReport()
    for email in claimed:
        report += await _deliver(sessions, sender, from_address, email, now)
    return report


async def _deliver(
    sessions: async_sessionmaker[AsyncSession],
    sender: Sender,
    from_address: str,
    email: ClaimedEmail,
    now: datetime,
) -> DeliveryReport:
    try:
        await sender.send(build_message(email, from_address))
    except Exception as error:  # any failure of any sender: recorded, retried, logged
        attempts = email.attempts + 1
        reason = f"{type(error).__name__}: {' '.join(str(error).split())}"[:1000]
        retry_at = now + retry_delay(attempts) if attempts < MAX_ATTEMPTS else None
        async with unit_of_work(sessions) as session:
            await OutboundEmailRepository(session).mark_failed(email.id, now, reason, retry_at)
        if retry_at is None:
            log.error(
                "mail_given_up",
                email_id=email.id,
                attempts=attempts,
                error=reason,
                sender=sender.description,
            )
            return DeliveryReport(given_up=1)
        log.warning(
            "mail_send_failed",
            email_id=email.id,
            attempts=attempts,
            error=reason,
            retry_at=retry_at.isoformat(),
            sender=sender.description,
        )
        return DeliveryReport(failed=1)
    async with unit_of_work(sessions) as session:
        await OutboundEmailRepository(session).mark_sent(email.id, now)
    return DeliveryReport(sent=1)


class MailWorker:
    """Delivers the outbox in the background of a server process: every
    ``poll_seconds``, or at once when ``wake()`` is called after a commit that enqueued
    mail. Several processes may run one each: a claim goes to one of them."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sender: Sender,
        from_address: str,
        *,
        poll_seconds: float = 2.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sessions = sessions
        self.sender = sender
        self.from_address = from_address
        self.poll_seconds = poll_seconds
        self.clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stopping: Stopping) -> None:
        while not stopping.asked:
            self._wake.clear()
            try:
                report = await deliver_pending(
                    self.sessions, self.sender, self.from_address, self.clock()
                )
            except Exception:  # the database is away: try again next time
                log.exception("mail_delivery_failed", sender=self.sender.description)
                report = DeliveryReport()
            if report.sent + report.failed + report.given_up >= BATCH:
                continue  # more may be waiting
            await stopping.pause(self.poll_seconds, or_when=self._wake)
