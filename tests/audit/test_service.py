"""The audit log through its service and repository, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.audit.service import Actor, AuditPage, AuditService
from apprenticeships.audit.vocabulary import AuditAction
from apprenticeships.errors import InvalidInput
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import AuditEvent, Organisation, User

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _organisation(sessions: async_sessionmaker[AsyncSession], name: str, code: str) -> int:
    async with unit_of_work(sessions) as session:
        organisation = Organisation(kind="employer", public_id=code, name=name, created_at=START)
        session.add(organisation)
        await session.flush()
        return organisation.id


async def _person(sessions: async_sessionmaker[AsyncSession], email: str) -> int:
    async with unit_of_work(sessions) as session:
        user = User(email=email, created_at=START)
        session.add(user)
        await session.flush()
        return user.id


async def _count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _actions(page: AuditPage) -> list[tuple[AuditAction, str]]:
    return [(entry.action, entry.details.get("n", "")) for entry in page.entries]


async def test_an_entry_is_stored_with_who_what_where_and_when(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    acme = await _organisation(sessions, "Acme Engineering Ltd", "ACME01")
    owner = await _person(sessions, "owner@acme.example")
    async with unit_of_work(sessions) as session:
        await AuditService(session).record(
            AuditAction.KEY_ISSUED,
            START,
            actor=Actor(owner, "owner@acme.example", "2001:db8::7"),
            organisation_id=acme,
            details={"name": "Job board", "product": "display-advert"},
        )

    async with sessions() as session:
        page = await AuditService(session).list_for_organisation(acme)
    (entry,) = page.entries
    assert entry.action is AuditAction.KEY_ISSUED
    assert entry.action.label == "Key issued"
    assert entry.at == START
    assert (entry.actor_user_id, entry.actor_email, entry.address) == (
        owner,
        "owner@acme.example",
        "2001:db8::7",
    )
    assert (entry.organisation_id, entry.organisation_name) == (acme, "Acme Engineering Ltd")
    assert entry.details == {"name": "Job board", "product": "display-advert"}


async def test_an_entry_is_written_in_the_callers_transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await AuditService(session).record(AuditAction.ROLE_CHANGED, START)
        # Visible inside the transaction, gone with it when the use case fails.
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == 1
        await session.rollback()

    assert await _count(sessions) == 0


async def test_an_organisations_log_is_its_own_newest_first_a_page_at_a_time(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    acme = await _organisation(sessions, "Acme Engineering Ltd", "ACME01")
    other = await _organisation(sessions, "Other Ltd", "OTHR01")
    async with unit_of_work(sessions) as session:
        audit = AuditService(session)
        for n in range(5):
            await audit.record(
                AuditAction.SIGN_IN,
                START + timedelta(minutes=n),
                organisation_id=acme,
                details={"n": str(n)},
            )
        await audit.record(
            AuditAction.KEY_DELETED, START + timedelta(hours=1), organisation_id=other
        )
        await audit.record(AuditAction.FAILED_SIGN_IN, START + timedelta(hours=2))
        # Two entries at the same moment come newest written first.
        await audit.record(
            AuditAction.LOCKOUT,
            START + timedelta(minutes=4),
            organisation_id=acme,
            details={"n": "4b"},
        )

    async with sessions() as session:
        audit = AuditService(session)
        first = await audit.list_for_organisation(acme, page=1, page_size=2)
        second = await audit.list_for_organisation(acme, page=2, page_size=2)
        last = await audit.list_for_organisation(acme, page=3, page_size=2)
        beyond = await audit.list_for_organisation(acme, page=4, page_size=2)

    assert _actions(first) == [(AuditAction.LOCKOUT, "4b"), (AuditAction.SIGN_IN, "4")]
    assert _actions(second) == [(AuditAction.SIGN_IN, "3"), (AuditAction.SIGN_IN, "2")]
    assert _actions(last) == [(AuditAction.SIGN_IN, "1"), (AuditAction.SIGN_IN, "0")]
    assert beyond.entries == ()
    assert (first.has_previous, first.has_next) == (False, True)
    assert (second.has_previous, second.has_next) == (True, True)
    assert (last.has_previous, last.has_next) == (True, False)


async def test_platform_admins_see_every_entry_with_its_organisations_name(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    acme = await _organisation(sessions, "Acme Engineering Ltd", "ACME01")
    college = await _organisation(sessions, "Northfield College", "NRTH01")
    async with unit_of_work(sessions) as session:
        audit = AuditService(session)
        await audit.record(AuditAction.KEY_ROTATED, START, organisation_id=acme)
        await audit.record(
            AuditAction.PERMISSION_GRANTED, START + timedelta(seconds=1), organisation_id=college
        )
        # A failed sign-in for an email nobody has: no person, no organisation.
        await audit.record(
            AuditAction.FAILED_SIGN_IN,
            START + timedelta(seconds=2),
            actor=Actor(None, "nobody@example.com", "198.51.100.4"),
        )

    async with sessions() as session:
        everything = await AuditService(session).list_all(page=1, page_size=10)
        first_two = await AuditService(session).list_all(page=1, page_size=2)

    assert [(e.action, e.organisation_name) for e in everything.entries] == [
        (AuditAction.FAILED_SIGN_IN, None),
        (AuditAction.PERMISSION_GRANTED, "Northfield College"),
        (AuditAction.KEY_ROTATED, "Acme Engineering Ltd"),
    ]
    failed = everything.entries[0]
    assert (failed.actor_user_id, failed.actor_email, failed.address) == (
        None,
        "nobody@example.com",
        "198.51.100.4",
    )
    assert not everything.has_next
    assert len(first_two.entries) == 2 and first_two.has_next


async def test_an_entry_outlives_the_person_who_acted(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    acme = await _organisation(sessions, "Acme Engineering Ltd", "ACME01")
    person = await _person(sessions, "leaver@acme.example")
    async with unit_of_work(sessions) as session:
        await AuditService(session).record(
            AuditAction.KEY_DELETED,
            START,
            actor=Actor(person, "leaver@acme.example", "203.0.113.9"),
            organisation_id=acme,
            details={"name": "Old integration", "product": "recruitment"},
        )

    async with unit_of_work(sessions) as session:
        await session.execute(delete(User).where(User.id == person))

    async with sessions() as session:
        (entry,) = (await AuditService(session).list_for_organisation(acme)).entries
    assert entry.actor_user_id is None
    assert entry.actor_email == "leaver@acme.example"
    assert entry.details == {"name": "Old integration", "product": "recruitment"}


@pytest.mark.parametrize(
    "details",
    [
        {"password": "correct horse battery staple"},
        {"new_password": "x"},
        {"reset_token": "abc"},
        {"client_secret": "abc"},
        {"name": "appr_live_3kT9cQ2mVd8ZyXwB1nR6pLhG4sJ0aEfU7oKiYtMb"},
        {"note": "rotated APPR_SANDBOX_abc"},
    ],
)
async def test_details_that_look_like_secrets_are_refused(
    sessions: async_sessionmaker[AsyncSession], details: dict[str, str]
) -> None:
    async with unit_of_work(sessions) as session:
        with pytest.raises(ValueError, match="looks like a secret"):
            await AuditService(session).record(AuditAction.KEY_ISSUED, START, details=details)
    assert await _count(sessions) == 0


async def test_every_action_is_stored_and_read_back_with_a_label(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        for n, action in enumerate(AuditAction):
            await AuditService(session).record(action, START + timedelta(seconds=n))

    async with sessions() as session:
        page = await AuditService(session).list_all(page_size=len(AuditAction))
    assert [entry.action for entry in page.entries] == list(reversed(AuditAction))
    labels = [action.label for action in AuditAction]
    assert all(labels) and len(set(labels)) == len(labels)


async def test_long_details_addresses_and_emails_are_cut_to_fit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as session:
        await AuditService(session).record(
            AuditAction.INVITATION_SENT,
            START,
            actor=Actor(None, "a" * 400 + "@example.com", "f" * 300),
            details={"name": "n" * 1000},
        )
    async with sessions() as session:
        (entry,) = (await AuditService(session).list_all()).entries
    assert entry.details == {"name": "n" * 200}
    assert entry.actor_email == "a" * 320
    assert entry.address == "f" * 100


@pytest.mark.parametrize(
    ("page", "page_size", "fields"),
    [(0, 10, ["page"]), (1, 0, ["page_size"]), (-1, 1000, ["page", "page_size"])],
)
async def test_pages_out_of_range_are_invalid_input(
    sessions: async_sessionmaker[AsyncSession], page: int, page_size: int, fields: list[str]
) -> None:
    async with sessions() as session:
        with pytest.raises(InvalidInput) as raised:
            await AuditService(session).list_all(page=page, page_size=page_size)
    assert list(raised.value.grouped()) == fields
