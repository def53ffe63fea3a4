"""Sign-in: the lockout and its window's edges (an injected clock), the per-address
throttle, unconfirmed and suspended accounts, no account enumeration; on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from apprenticeships.accounts.passwords import Passwords
from apprenticeships.accounts.people import (
    ADDRESS_FAILURES,
    LOCKED,
    THROTTLED,
    WRONG_CREDENTIALS,
    SignInResult,
    locked_until,
)
from apprenticeships.accounts.service import OwnerRef
from apprenticeships.accounts.vocabulary import Role, SignInOutcome
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import FieldProblem, InvalidInput
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import Organisation, SignInFailure, User
from tests.accounts.conftest import NOW, PASSWORD, World

ADDRESS = "192.0.2.10"
WRONG = "not the password at all"


async def sign_in(
    world: World,
    email: str,
    password: str,
    at: datetime,
    address: str = ADDRESS,
) -> SignInResult:
    """One attempt in its own unit of work, as the portal runs it."""
    async with unit_of_work(world.sessions) as session:
        return await world.people(session).sign_in(email, password, address, at)


async def test_the_right_password_signs_in_with_every_active_organisation(world: World) -> None:
    _, employer = await world.employer("Acme Engineering Ltd")
    await world.provider("10000001", "Northfield College")
    person_id = await world.member(OwnerKind.EMPLOYER, employer, "sam@acme.example", "Viewer")
    async with unit_of_work(world.sessions) as session:
        await world.team(session).add_person(
            OwnerRef(OwnerKind.PROVIDER, "10000001"), "sam@acme.example", "Sam", "AccountOwner", NOW
        )
    result = await sign_in(world, " SAM@acme.example ", PASSWORD, NOW)
    assert result.outcome is SignInOutcome.SIGNED_IN and result.signed_in
    assert result.message is None
    assert result.person is not None and result.person.id == person_id
    assert result.email == "sam@acme.example"
    assert [(m.name, m.kind, m.public_id, m.role, m.role.label) for m in result.memberships] == [
        ("Acme Engineering Ltd", OwnerKind.EMPLOYER, employer, Role.VIEWER, "Viewer"),
        ("Northfield College", OwnerKind.PROVIDER, "10000001", Role.ACCOUNT_OWNER, "Account owner"),
    ]
    assert result.audit_person_id == person_id
    assert set(result.audit_organisation_ids) == {m.organisation_id for m in result.memberships}


async def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(world: World) -> None:
    await world.developer("dee@example.com")
    wrong = await sign_in(world, "dee@example.com", WRONG, NOW)
    unknown = await sign_in(world, "nobody@example.com", WRONG, NOW)
    assert (wrong.outcome, wrong.message) == (SignInOutcome.FAILED, WRONG_CREDENTIALS)
    assert (unknown.outcome, unknown.message) == (SignInOutcome.FAILED, WRONG_CREDENTIALS)
    assert wrong.person is None and wrong.memberships == ()
    # Only the audit log learns whose account it was.
    assert wrong.audit_person_id is not None and unknown.audit_person_id is None
    async with world.sessions() as session:
        failures = (
            await session.execute(select(SignInFailure.email, SignInFailure.client_address))
        ).all()
    assert sorted(failures) == [("dee@example.com", ADDRESS), ("nobody@example.com", ADDRESS)]


async def test_empty_fields_are_form_problems_and_not_failures(world: World) -> None:
    async with world.sessions() as session:
        with pytest.raises(InvalidInput) as refused:
            await world.people(session).sign_in(" ", "", ADDRESS, NOW)
        assert refused.value.problems == (
            FieldProblem("email", "Enter your email address"),
            FieldProblem("password", "Enter your password"),
        )
        assert await session.scalar(select(SignInFailure.id)) is None


@pytest.mark.parametrize("account", [True, False], ids=["existing account", "no account"])
async def test_five_failures_lock_the_email_for_fifteen_minutes_even_for_the_right_password(
    world: World, account: bool
) -> None:
    email = "dee@example.com" if account else "ghost@example.com"
    if account:
        await world.developer(email)
    outcomes = [
        (await sign_in(world, email, WRONG, NOW + timedelta(minutes=minute))).outcome
        for minute in range(5)
    ]
    assert outcomes == [SignInOutcome.FAILED] * 4 + [SignInOutcome.LOCKED_OUT]
    fifth = NOW + timedelta(minutes=4)
    sixth = await sign_in(world, email, PASSWORD, fifth + timedelta(seconds=1))
    assert (sixth.outcome, sixth.message) == (SignInOutcome.REFUSED_LOCKED, LOCKED)
    # The same refusal whether or not the account exists or the password is right.
    assert (
        await sign_in(world, email, WRONG, fifth + timedelta(minutes=14, seconds=59))
    ).message == LOCKED
    # Refused attempts are not failures: the lock still ends 15 minutes after the fifth.
    after = await sign_in(world, email, PASSWORD, fifth + timedelta(minutes=15))
    assert after.outcome is (SignInOutcome.SIGNED_IN if account else SignInOutcome.FAILED)
    # Case and spaces do not make another email.
    if not account:
        assert (
            await sign_in(world, " GHOST@example.com", WRONG, fifth + timedelta(minutes=1))
        ).outcome is SignInOutcome.REFUSED_LOCKED


async def test_five_failures_spread_over_fifteen_minutes_or_more_lock_nothing(
    world: World,
) -> None:
    await world.developer("dee@example.com")
    # 0, 4, 8, 12 and 15 minutes: the first and the fifth are 15 minutes apart.
    for minute in (0, 4, 8, 12, 15):
        result = await sign_in(world, "dee@example.com", WRONG, NOW + timedelta(minutes=minute))
        assert result.outcome is SignInOutcome.FAILED
    assert (
        await sign_in(world, "dee@example.com", PASSWORD, NOW + timedelta(minutes=15, seconds=1))
    ).signed_in


async def test_when_a_lock_ends_the_next_failure_does_not_lock_again(world: World) -> None:
    await world.developer("dee@example.com")
    for minute in range(5):
        await sign_in(world, "dee@example.com", WRONG, NOW + timedelta(minutes=minute))
    # Locked until 19 min; a failure then is 15 minutes after the fifth, so it is
    # counted with none of the earlier ones.
    first_after = await sign_in(world, "dee@example.com", WRONG, NOW + timedelta(minutes=19))
    assert first_after.outcome is SignInOutcome.FAILED
    assert (
        await sign_in(world, "dee@example.com", PASSWORD, NOW + timedelta(minutes=19))
    ).signed_in


def test_the_lock_rule_on_its_own() -> None:
    minute = timedelta(minutes=1)
    assert locked_until([NOW + n * minute for n in range(4)]) is None
    assert locked_until([NOW + n * minute for n in range(5)]) == NOW + 19 * minute
    assert locked_until([NOW, *(NOW + (11 + n) * minute for n in range(4))]) == NOW + 29 * minute
    spread = [NOW + n * timedelta(minutes=3, seconds=45) for n in range(5)]  # 15 min apart
    assert locked_until(spread) is None
    # The latest fifth-within-15-minutes decides.
    many = [NOW + n * minute for n in range(8)]
    assert locked_until(many) == NOW + 22 * minute


async def test_an_address_with_twenty_failures_in_fifteen_minutes_is_throttled(
    world: World,
) -> None:
    await world.developer("dee@example.com")
    # Twenty different emails, four failures each at most, so none is locked.
    for attempt in range(ADDRESS_FAILURES):
        result = await sign_in(
            world, f"guess{attempt}@example.com", WRONG, NOW + timedelta(seconds=attempt)
        )
        assert result.outcome is SignInOutcome.FAILED
    throttled = await sign_in(world, "dee@example.com", PASSWORD, NOW + timedelta(minutes=1))
    assert (throttled.outcome, throttled.message) == (SignInOutcome.THROTTLED, THROTTLED)
    assert throttled.audit_person_id is not None  # logged against the account tried
    # Another address is not throttled, and the first recovers as its failures age.
    assert (
        await sign_in(
            world, "dee@example.com", PASSWORD, NOW + timedelta(minutes=1), "198.51.100.7"
        )
    ).signed_in
    # Failures count for 15 minutes: (now - 15 min, now].
    last_moment = NOW + timedelta(minutes=15) - timedelta(microseconds=1)
    assert (await sign_in(world, "dee@example.com", PASSWORD, last_moment)).outcome is (
        SignInOutcome.THROTTLED
    )
    assert (
        await sign_in(world, "dee@example.com", PASSWORD, NOW + timedelta(minutes=15))
    ).signed_in


async def test_an_unconfirmed_developer_cannot_sign_in_and_gets_a_new_link(world: World) -> None:
    await world.developer("dee@example.com", confirm=False)
    first_link = await world.last_link("dee@example.com")
    soon = await sign_in(world, "dee@example.com", PASSWORD, NOW + timedelta(minutes=5))
    assert soon.outcome is SignInOutcome.UNCONFIRMED and soon.person is None
    # A new link only every 10 minutes, however often someone tries.
    assert await world.last_link("dee@example.com") == first_link
    later = await sign_in(world, "dee@example.com", PASSWORD, NOW + timedelta(minutes=11))
    assert later.outcome is SignInOutcome.UNCONFIRMED
    new_link = await world.last_link("dee@example.com")
    assert new_link != first_link
    async with unit_of_work(world.sessions) as session:
        await world.people(session).confirm_email(new_link, NOW + timedelta(minutes=12))
    assert (
        await sign_in(world, "dee@example.com", PASSWORD, NOW + timedelta(minutes=12))
    ).signed_in
    # The wrong password for an unconfirmed account is a plain failure.
    assert (
        await sign_in(world, "dee@example.com", WRONG, NOW + timedelta(minutes=13))
    ).outcome is (SignInOutcome.FAILED)


async def test_people_of_a_suspended_organisation_cannot_act_for_it(world: World) -> None:
    employer_id, employer = await world.employer("Acme Engineering Ltd")
    other_id, other = await world.employer("Bolt Logistics")
    await world.member(OwnerKind.EMPLOYER, employer, "sam@acme.example", "Owner")
    async with unit_of_work(world.sessions) as session:
        await world.team(session).add_person(
            OwnerRef(OwnerKind.EMPLOYER, other), "sam@acme.example", "Sam", "Viewer", NOW
        )
        await session.execute(
            update(Organisation).where(Organisation.id == employer_id).values(status="suspended")
        )
    both = await sign_in(world, "sam@acme.example", PASSWORD, NOW)
    assert both.signed_in
    assert [m.organisation_id for m in both.memberships] == [other_id]
    async with world.sessions() as session:
        people = world.people(session)
        assert both.person is not None
        assert await people.membership(both.person.id, employer_id) is None
        assert (await people.membership(both.person.id, other_id)) is not None
    async with unit_of_work(world.sessions) as session:
        await session.execute(
            update(Organisation).where(Organisation.id == other_id).values(status="suspended")
        )
    none_left = await sign_in(world, "sam@acme.example", PASSWORD, NOW)
    assert none_left.outcome is SignInOutcome.NO_ACCESS and none_left.person is None


async def test_a_platform_admin_with_no_organisation_signs_in(world: World) -> None:
    async with unit_of_work(world.sessions) as session:
        await world.team(session).add_admin("ops@example.com", NOW, "Olu Ops")
    async with unit_of_work(world.sessions) as session:
        await world.people(session).set_password(
            await world.last_link("ops@example.com"), PASSWORD, NOW
        )
    result = await sign_in(world, "ops@example.com", PASSWORD, NOW)
    assert result.signed_in and result.memberships == ()
    assert result.person is not None and result.person.is_platform_admin


async def test_an_invited_person_without_a_password_cannot_sign_in(world: World) -> None:
    _, employer = await world.employer()
    await world.member(OwnerKind.EMPLOYER, employer, "sam@acme.example", "Owner", password=None)
    assert (await sign_in(world, "sam@acme.example", WRONG, NOW)).outcome is SignInOutcome.FAILED


async def test_signing_in_replaces_a_hash_made_with_older_parameters(world: World) -> None:
    await world.developer("dee@example.com")
    world.passwords = Passwords(PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    assert (await sign_in(world, "dee@example.com", PASSWORD, NOW)).signed_in
    async with world.sessions() as session:
        stored = await session.scalar(
            select(User.password_hash).where(User.email == "dee@example.com")
        )
    assert stored is not None and "m=2048,t=2,p=1" in stored
    assert (await sign_in(world, "dee@example.com", PASSWORD, NOW)).signed_in
