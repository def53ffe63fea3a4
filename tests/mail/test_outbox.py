"""The outbox: an email is stored with the transaction that sent it, delivered once,
retried with back-off, and given up on in the end; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.background import Stopping, stop_all
from apprenticeships.mail.delivery import (
    MAX_ATTEMPTS,
    DeliveryReport,
    MailWorker,
    deliver_pending,
    retry_delay,
)
from apprenticeships.mail.outbox import Outbox, mail_was_enqueued
from apprenticeships.mail.repository import OutboundEmailRepository
from apprenticeships.storage.engine import create_engine, session_factory, unit_of_work
from apprenticeships.storage.models import OutboundEmail
from tests.conftest import PlatformFactory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FROM = "Apprenticeship Service API <no-reply@apprenticeships.example>"


class RecordingSender:
    """A sender that keeps what it is given, and fails the first ``failures`` sends."""

    description = "recording"

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError(111, "Connection refused")
        self.sent.append(message)


async def enqueue(
    sessions: async_sessionmaker[AsyncSession], count: int = 1, now: datetime = NOW
) -> list[int]:
    async with unit_of_work(sessions) as session:
        return [
            await Outbox(session).enqueue(
                f"person{i}@example.com", f"Message {i}", f"Hello {i}\n", now=now
            )
            for i in range(count)
        ]


async def stored(sessions: async_sessionmaker[AsyncSession], email_id: int) -> OutboundEmail:
    async with sessions() as session:
        email = await session.get(OutboundEmail, email_id)
    assert email is not None
    return email


async def test_an_email_enqueued_in_a_rolled_back_transaction_is_never_sent(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async def failing_use_case() -> None:
        async with unit_of_work(sessions) as session:
            await Outbox(session).enqueue("a@example.com", "Lost", "Never sent", now=NOW)
            assert mail_was_enqueued(session)
            raise RuntimeError("the use case failed")

    with pytest.raises(RuntimeError):
        await failing_use_case()
    sender = RecordingSender()
    assert await deliver_pending(sessions, sender, FROM, NOW) == DeliveryReport()
    assert sender.sent == []


async def test_a_committed_email_is_delivered_once_with_its_headers(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    [email_id] = await enqueue(sessions)
    sender = RecordingSender()
    assert await deliver_pending(sessions, sender, FROM, NOW) == DeliveryReport(sent=1)
    assert await deliver_pending(sessions, sender, FROM, NOW + timedelta(hours=1)) == (
        DeliveryReport()
    )
    [message] = sender.sent
    assert message["To"] == "person0@example.com"
    assert message["From"] == FROM
    assert message["Subject"] == "Message 0"
    assert (
        message["Message-ID"]
        == f"<{(await stored(sessions, email_id)).message_id}@apprenticeships.example>"
    )
    assert message.get_content() == "Hello 0\n"
    row = await stored(sessions, email_id)
    assert (row.sent_at, row.next_attempt_at, row.attempts, row.last_error) == (NOW, None, 1, None)


async def test_a_failed_send_is_retried_with_growing_waits_and_then_given_up(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    [email_id] = await enqueue(sessions)
    sender = RecordingSender(failures=MAX_ATTEMPTS)
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS):
        assert await deliver_pending(sessions, sender, FROM, now) == DeliveryReport(failed=1)
        row = await stored(sessions, email_id)
        assert row.attempts == attempt
        assert row.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"
        assert row.next_attempt_at == now + retry_delay(attempt)
        # Not due a moment before its time.
        wait = retry_delay(attempt)
        assert await deliver_pending(sessions, sender, FROM, now + wait - timedelta(seconds=1)) == (
            DeliveryReport()
        )
        now += wait
    assert await deliver_pending(sessions, sender, FROM, now) == DeliveryReport(given_up=1)
    row = await stored(sessions, email_id)
    assert (row.attempts, row.next_attempt_at, row.failed_at) == (MAX_ATTEMPTS, None, now)
    assert await deliver_pending(sessions, sender, FROM, now + timedelta(days=1)) == (
        DeliveryReport()
    )
    assert sender.sent == []


def test_retries_wait_longer_each_time_up_to_an_hour() -> None:
    waits = [retry_delay(n) for n in range(1, MAX_ATTEMPTS)]
    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert waits[-1] == timedelta(hours=1)
    assert waits == sorted(waits)


async def test_a_failure_then_success_sends_the_email_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    [email_id] = await enqueue(sessions)
    sender = RecordingSender(failures=1)
    assert await deliver_pending(sessions, sender, FROM, NOW) == DeliveryReport(failed=1)
    later = NOW + retry_delay(1)
    assert await deliver_pending(sessions, sender, FROM, later) == DeliveryReport(sent=1)
    assert len(sender.sent) == 1
    row = await stored(sessions, email_id)
    assert (row.attempts, row.sent_at, row.last_error) == (2, later, None)


async def test_a_claimed_email_is_not_sent_by_another_process_until_its_claim_lapses(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A process that claimed an email and died leaves it claimed for five minutes;
    then another process sends it."""
    [email_id] = await enqueue(sessions)
    async with unit_of_work(sessions) as session:
        [claimed] = await OutboundEmailRepository(session).claim_due(
            NOW, NOW + timedelta(minutes=5), 10
        )
    assert claimed.id == email_id
    sender = RecordingSender()
    assert await deliver_pending(sessions, sender, FROM, NOW + timedelta(minutes=4)) == (
        DeliveryReport()
    )
    assert await deliver_pending(sessions, sender, FROM, NOW + timedelta(minutes=5)) == (
        DeliveryReport(sent=1)
    )


async def test_concurrent_deliveries_send_every_email_exactly_once(database_url: str) -> None:
    engines = [create_engine(database_url) for _ in range(3)]
    try:
        factories = [session_factory(engine) for engine in engines]
        ids = await enqueue(factories[0], count=30)
        senders = [RecordingSender() for _ in engines]
        reports = await asyncio.gather(
            *(
                deliver_pending(factory, sender, FROM, NOW, limit=4)
                for _ in range(4)
                for factory, sender in zip(factories, senders, strict=True)
            )
        )
        # Whatever the four rounds of three left, one more pass sends.
        reports.append(await deliver_pending(factories[0], senders[0], FROM, NOW))
    finally:
        for engine in engines:
            await engine.dispose()
    subjects = [str(m["Subject"]) for sender in senders for m in sender.sent]
    assert sorted(subjects) == sorted(f"Message {i}" for i in range(30))
    assert sum(report.sent for report in reports) == len(ids) == 30


@pytest.mark.postgres
async def test_on_postgresql_a_second_claimer_skips_locked_rows_instead_of_waiting(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)
    try:
        sessions = session_factory(engine)
        await enqueue(sessions, count=4)
        async with sessions() as first, first.begin():
            mine = await OutboundEmailRepository(first).claim_due(
                NOW, NOW + timedelta(minutes=5), 2
            )
            # The first claim is not committed: its rows stay locked meanwhile.
            async with sessions() as second, second.begin():
                theirs = await asyncio.wait_for(
                    OutboundEmailRepository(second).claim_due(NOW, NOW + timedelta(minutes=5), 10),
                    timeout=5,
                )
        assert len(mine) == 2
        assert len(theirs) == 2
        assert {e.id for e in mine}.isdisjoint(e.id for e in theirs)
    finally:
        await engine.dispose()


async def test_prune_forgets_sent_and_given_up_emails_but_keeps_waiting_ones(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    sent, failing, waiting = await enqueue(sessions, count=3)
    async with unit_of_work(sessions) as session:
        repository = OutboundEmailRepository(session)
        await repository.mark_sent(sent, NOW)
        await repository.mark_failed(failing, NOW, "gave up", None)
    async with unit_of_work(sessions) as session:
        assert await OutboundEmailRepository(session).prune(NOW) == 0
        assert await OutboundEmailRepository(session).prune(NOW + timedelta(seconds=1)) == 2
    async with sessions() as session:
        left = (await session.scalars(select(OutboundEmail.id))).all()
        assert list(left) == [waiting]
        assert await OutboundEmailRepository(session).waiting() == 1


async def test_the_worker_delivers_when_woken_without_waiting_for_its_poll(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    sender = RecordingSender()
    worker = MailWorker(sessions, sender, FROM, poll_seconds=3600, clock=lambda: NOW)
    stopping = Stopping()
    task = asyncio.create_task(worker.run(stopping))
    try:
        await enqueue(sessions, count=2)
        worker.wake()
        async with asyncio.timeout(10):
            while len(sender.sent) < 2:
                await asyncio.sleep(0.01)
    finally:
        await stop_all(stopping, [task])
    assert task.done() and not task.cancelled()
    assert sorted(str(m["Subject"]) for m in sender.sent) == ["Message 0", "Message 1"]


@pytest.mark.parametrize(
    ("to", "subject"),
    [
        ("a@example.com\r\nBcc: x@example.com", "Hi"),
        ("a@example.com", "Hi\nBcc: x@example.com"),
        ("", "Hi"),
        ("a@example.com", "x" * 256),
    ],
)
async def test_enqueue_refuses_header_injection_and_what_it_cannot_store(
    sessions: async_sessionmaker[AsyncSession], to: str, subject: str
) -> None:
    async with sessions() as session:
        with pytest.raises(ValueError, match="one non-empty line"):
            await Outbox(session).enqueue(to, subject, "body", now=NOW)


async def test_a_running_platform_delivers_queued_mail_in_the_background(
    platform_factory: PlatformFactory, tmp_path: Path
) -> None:
    async with platform_factory() as platform:
        async with unit_of_work(platform.sessions) as session:
            await Outbox(session).enqueue("a@example.com", "Hello", "Hi there\n", now=NOW)
        platform.mail.wake()
        directory = platform.settings.resolved_mail_dir
        assert directory == tmp_path / "var" / "mail"
        async with asyncio.timeout(10):
            while not (directory.exists() and list(directory.glob("*.eml"))):
                await asyncio.sleep(0.01)
        [written] = directory.glob("*.eml")
        assert b"Subject: Hello" in written.read_bytes()
