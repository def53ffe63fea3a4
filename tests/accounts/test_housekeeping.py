"""Housekeeping forgets old sign-in failures, expired links and sent email, and keeps
what the lockout, the links and the outbox still need. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from apprenticeships.accounts.housekeeping import prune_accounts
from apprenticeships.accounts.repository import SignInFailureRepository
from apprenticeships.mail.repository import OutboundEmailRepository
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import AccountToken, OutboundEmail, SignInFailure
from tests.accounts.conftest import NOW, World


async def test_housekeeping_forgets_only_what_nothing_needs(world: World) -> None:
    await world.developer("dee@example.com")  # a confirmation link, used; an email
    async with unit_of_work(world.sessions) as session:
        failures = SignInFailureRepository(session)
        await failures.add("old@example.com", "192.0.2.1", NOW - timedelta(days=2))
        await failures.add("new@example.com", "192.0.2.1", NOW - timedelta(hours=1))
        [confirmation] = await OutboundEmailRepository(session).claim_due(NOW, NOW, 10)
        await OutboundEmailRepository(session).mark_sent(confirmation.id, NOW)
    async with unit_of_work(world.sessions) as session:
        await world.people(session).forgot_password("dee@example.com", NOW)  # waiting
    # A week and a day on: the link expired 24 h after NOW, more than 7 days ago.
    later = NOW + timedelta(days=8, hours=1)
    async with unit_of_work(world.sessions) as session:
        pruned = await prune_accounts(session, later)
    assert (pruned.failures, pruned.tokens, pruned.emails) == (2, 2, 1)
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(SignInFailure)) == 0
        assert await session.scalar(select(func.count()).select_from(AccountToken)) == 0
        assert [e.subject for e in await session.scalars(select(OutboundEmail))] == [
            "Reset your password"
        ]
    async with unit_of_work(world.sessions) as session:
        await SignInFailureRepository(session).add("x@example.com", "192.0.2.1", NOW)
    async with unit_of_work(world.sessions) as session:
        assert (await prune_accounts(session, NOW + timedelta(hours=23))).failures == 0
