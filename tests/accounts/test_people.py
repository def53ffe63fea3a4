"""Registration, email confirmation, invitation and reset links, forgotten and changed
passwords: on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from apprenticeships.accounts.passwords import Passwords
from apprenticeships.accounts.people import LINK_NOT_VALID, LinkNotValid, Registration
from apprenticeships.accounts.vocabulary import Role, SignInOutcome, TokenPurpose
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import FieldProblem, InvalidInput
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import (
    AccountToken,
    Membership,
    Organisation,
    OutboundEmail,
    User,
)
from tests.accounts.conftest import NOW, PASSWORD, PUBLIC_URL, World

NEW_PASSWORD = "velvet thunder pancake 7"


async def counts(world: World) -> dict[str, int]:
    async with world.sessions() as session:
        return {
            model.__tablename__: int(
                await session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in (Organisation, User, Membership, AccountToken)
        }


class CountingPasswords(Passwords):
    hashed = 0

    async def hash(self, password: str) -> str:
        self.hashed += 1
        return await super().hash(password)


# -- registration ----------------------------------------------------------------------


async def test_registration_makes_an_unconfirmed_developer_and_emails_a_24_hour_link(
    world: World,
) -> None:
    async with unit_of_work(world.sessions) as session:
        result = await world.people(session).register_developer(
            " Dee  Veloper ", " Dee@Example.COM ", PASSWORD, NOW
        )
    assert result == Registration("dee@example.com")
    async with world.sessions() as session:
        person = await session.scalar(select(User).where(User.email == "dee@example.com"))
        assert person is not None
        assert (person.name, person.email_confirmed_at, person.is_platform_admin) == (
            "Dee Veloper",
            None,
            False,
        )
        assert person.password_hash is not None and person.password_hash.startswith("$argon2id$")
        [(membership, organisation)] = (
            await session.execute(
                select(Membership, Organisation)
                .join(Organisation)
                .where(Membership.user_id == person.id)
            )
        ).all()
        assert membership.role == Role.DEVELOPER
        assert (organisation.kind, organisation.email, organisation.name) == (
            "developer",
            "dee@example.com",
            "Dee Veloper",
        )
        [token] = await session.scalars(select(AccountToken))
        assert (token.purpose, token.expires_at) == ("confirm", NOW + timedelta(hours=24))
    [email] = await world.outbox()
    assert (email.to_address, email.subject) == ("dee@example.com", "Confirm your email address")
    link_token = await world.last_link("dee@example.com")
    assert f"{PUBLIC_URL}/portal/confirm/{link_token}" in email.body
    assert link_token not in token.token_hash  # only a hash is stored


async def test_registering_a_known_email_makes_nothing_and_tells_the_owner_instead(
    world: World,
) -> None:
    counting = CountingPasswords(world.passwords.hasher)
    world.passwords = counting
    await world.developer("dee@example.com")
    before = await counts(world)
    hashed_before = counting.hashed
    async with unit_of_work(world.sessions) as session:
        again = await world.people(session).register_developer(
            "Someone Else", "DEE@example.com", "another long passphrase", NOW
        )
    assert again == Registration("dee@example.com")  # exactly what a new email gets
    assert await counts(world) == before
    # The password was hashed all the same, so the answer takes as long.
    assert counting.hashed == hashed_before + 1
    notice = (await world.outbox("dee@example.com"))[-1]
    assert notice.subject == "Someone tried to create an account with your email address"
    assert f"{PUBLIC_URL}/portal/forgot-password" in notice.body
    assert "/confirm/" not in notice.body and "/set-password/" not in notice.body


async def test_an_email_known_only_as_a_cli_developer_account_is_known_too(world: World) -> None:
    async with unit_of_work(world.sessions) as session:
        await world.team(session).add_developer("ops-dev@example.com", "", NOW)
    before = await counts(world)
    async with unit_of_work(world.sessions) as session:
        await world.people(session).register_developer("Dee", "ops-dev@example.com", PASSWORD, NOW)
    assert await counts(world) == before


async def test_registration_reports_every_field_problem_by_form_name(world: World) -> None:
    async with world.sessions() as session:
        with pytest.raises(InvalidInput) as refused:
            await world.people(session).register_developer("  ", "not-an-email", "short", NOW)
    assert refused.value.problems == (
        FieldProblem("name", "Enter a full name"),
        FieldProblem(
            "email", "Enter an email address in the correct format, like name@example.com"
        ),
        FieldProblem("password", "Password must be 12 characters or more"),
    )
    async with world.sessions() as session:
        with pytest.raises(InvalidInput) as refused:
            await world.people(session).register_developer("Dee", "", "1q2w3e4r5t6y", NOW)
    assert refused.value.grouped() == {
        "email": ["Enter an email address"],
        "password": ["Choose a password that is harder to guess"],
    }
    assert await world.outbox() == []


# -- confirmation ----------------------------------------------------------------------


async def test_confirming_works_once_and_lets_the_developer_sign_in(world: World) -> None:
    await world.developer("dee@example.com", confirm=False)
    token = await world.last_link("dee@example.com")
    async with world.sessions() as session:
        before = await world.people(session).sign_in("dee@example.com", PASSWORD, "192.0.2.1", NOW)
    assert before.outcome is SignInOutcome.UNCONFIRMED
    async with unit_of_work(world.sessions) as session:
        confirmed = await world.people(session).confirm_email(token, NOW + timedelta(hours=1))
    assert confirmed.email == "dee@example.com"
    async with unit_of_work(world.sessions) as session:
        with pytest.raises(LinkNotValid, match=LINK_NOT_VALID):
            await world.people(session).confirm_email(token, NOW + timedelta(hours=1))
    async with world.sessions() as session:
        after = await world.people(session).sign_in("dee@example.com", PASSWORD, "192.0.2.1", NOW)
        person = await session.get(User, confirmed.person_id)
    assert after.signed_in
    assert person is not None and person.email_confirmed_at == NOW + timedelta(hours=1)


async def test_a_confirmation_link_lasts_exactly_24_hours(world: World) -> None:
    await world.developer("dee@example.com", confirm=False)
    token = await world.last_link("dee@example.com")
    async with unit_of_work(world.sessions) as session:
        with pytest.raises(LinkNotValid):
            await world.people(session).confirm_email(token, NOW + timedelta(hours=24))
    async with unit_of_work(world.sessions) as session:
        await world.people(session).confirm_email(
            token, NOW + timedelta(hours=24) - timedelta(seconds=1)
        )


@pytest.mark.parametrize("token", ["", "nonsense", "A" * 43])
async def test_unknown_links_are_not_valid(world: World, token: str) -> None:
    async with world.sessions() as session:
        with pytest.raises(LinkNotValid):
            await world.people(session).confirm_email(token, NOW)
        with pytest.raises(LinkNotValid):
            await world.people(session).password_link(token, NOW)


async def test_a_link_is_good_only_for_its_own_purpose(world: World) -> None:
    await world.developer("dee@example.com", confirm=False)
    confirm = await world.last_link("dee@example.com")
    async with world.sessions() as session:
        with pytest.raises(LinkNotValid):
            await world.people(session).set_password(confirm, NEW_PASSWORD, NOW)
    _, employer = await world.employer()
    await world.member(OwnerKind.EMPLOYER, employer, "sam@acme.example", "Owner", password=None)
    invite = await world.last_link("sam@acme.example")
    async with world.sessions() as session:
        with pytest.raises(LinkNotValid):
            await world.people(session).confirm_email(invite, NOW)


# -- invitation and reset links --------------------------------------------------------


async def test_an_invitation_sets_a_password_once_within_seven_days(world: World) -> None:
    _, employer = await world.employer()
    person_id = await world.member(
        OwnerKind.EMPLOYER, employer, "sam@acme.example", "Owner", password=None
    )
    token = await world.last_link("sam@acme.example")
    later = NOW + timedelta(days=7) - timedelta(seconds=1)
    async with world.sessions() as session:
        link = await world.people(session).password_link(token, later)
    assert (link.purpose, link.email, link.name) == (
        TokenPurpose.INVITE,
        "sam@acme.example",
        "Sam Jones",
    )
    async with world.sessions() as session:
        with pytest.raises(LinkNotValid):
            await world.people(session).password_link(token, NOW + timedelta(days=7))
    async with world.sessions() as session:
        with pytest.raises(InvalidInput) as refused:
            await world.people(session).set_password(token, "too short", later)
    assert refused.value.problems == (
        FieldProblem("password", "Password must be 12 characters or more"),
    )
    async with unit_of_work(world.sessions) as session:
        changed = await world.people(session).set_password(token, NEW_PASSWORD, later)
    assert (changed.person_id, changed.at) == (person_id, later)
    async with unit_of_work(world.sessions) as session:
        with pytest.raises(LinkNotValid):
            await world.people(session).set_password(token, "another new password", later)
    async with world.sessions() as session:
        person = await session.get(User, person_id)
        signed_in = await world.people(session).sign_in(
            "sam@acme.example", NEW_PASSWORD, "192.0.2.1", later
        )
    assert person is not None
    assert (person.email_confirmed_at, person.password_changed_at) == (later, later)
    assert signed_in.signed_in
    assert [(m.kind, m.public_id, m.role) for m in signed_in.memberships] == [
        (OwnerKind.EMPLOYER, employer, Role.OWNER)
    ]


async def test_forgotten_password_answers_the_same_and_emails_only_an_account(
    world: World,
) -> None:
    await world.developer("dee@example.com")
    async with unit_of_work(world.sessions) as session:
        known = await world.people(session).forgot_password(" DEE@example.com", NOW)
        unknown = await world.people(session).forgot_password("nobody@example.com", NOW)
    assert known is None and unknown is None
    assert await world.outbox("nobody@example.com") == []
    reset = (await world.outbox("dee@example.com"))[-1]
    assert reset.subject == "Reset your password"
    token = await world.last_link("dee@example.com")
    async with world.sessions() as session:
        assert (await world.people(session).password_link(token, NOW)).purpose is (
            TokenPurpose.RESET
        )
        with pytest.raises(LinkNotValid):
            await world.people(session).password_link(token, NOW + timedelta(hours=1))
    async with unit_of_work(world.sessions) as session:
        await world.people(session).set_password(token, NEW_PASSWORD, NOW + timedelta(minutes=59))
    async with world.sessions() as session:
        old = await world.people(session).sign_in("dee@example.com", PASSWORD, "192.0.2.1", NOW)
        new = await world.people(session).sign_in("dee@example.com", NEW_PASSWORD, "192.0.2.1", NOW)
    assert (old.outcome, new.outcome) == (SignInOutcome.FAILED, SignInOutcome.SIGNED_IN)


async def test_setting_a_password_ends_every_other_outstanding_link(world: World) -> None:
    await world.developer("dee@example.com")
    async with unit_of_work(world.sessions) as session:
        await world.people(session).forgot_password("dee@example.com", NOW)
    first = await world.last_link("dee@example.com")
    async with unit_of_work(world.sessions) as session:
        await world.people(session).forgot_password("dee@example.com", NOW)
    second = await world.last_link("dee@example.com")
    async with unit_of_work(world.sessions) as session:
        await world.people(session).set_password(second, NEW_PASSWORD, NOW)
    async with world.sessions() as session:
        with pytest.raises(LinkNotValid):
            await world.people(session).password_link(first, NOW)


async def test_at_most_three_reset_emails_an_hour_go_to_one_person(world: World) -> None:
    await world.developer("dee@example.com")
    sent_before = len(await world.outbox("dee@example.com"))
    for minute in range(5):
        async with unit_of_work(world.sessions) as session:
            await world.people(session).forgot_password(
                "dee@example.com", NOW + timedelta(minutes=minute)
            )
    assert len(await world.outbox("dee@example.com")) == sent_before + 3
    async with unit_of_work(world.sessions) as session:
        await world.people(session).forgot_password("dee@example.com", NOW + timedelta(hours=1))
    assert len(await world.outbox("dee@example.com")) == sent_before + 4


async def test_forgotten_password_checks_the_email_field(world: World) -> None:
    async with world.sessions() as session:
        with pytest.raises(InvalidInput) as refused:
            await world.people(session).forgot_password("   ", NOW)
    assert refused.value.problems == (FieldProblem("email", "Enter an email address"),)


# -- changing a password ---------------------------------------------------------------


async def test_changing_a_password_needs_the_current_one_and_a_good_new_one(
    world: World,
) -> None:
    acting = await world.developer("dee@example.com")
    async with world.sessions() as session:
        with pytest.raises(InvalidInput) as refused:
            await world.people(session).change_password(
                acting.person_id, "not my password", "password1234", NOW
            )
    assert refused.value.problems == (
        FieldProblem("current_password", "Your current password is incorrect"),
        FieldProblem("new_password", "Choose a new password that is harder to guess"),
    )
    async with world.sessions() as session:
        with pytest.raises(InvalidInput) as refused:
            await world.people(session).change_password(acting.person_id, "", "", NOW)
    assert refused.value.grouped() == {
        "current_password": ["Enter your current password"],
        "new_password": ["Enter a new password"],
    }


async def test_a_changed_password_ends_earlier_sessions_and_is_emailed(world: World) -> None:
    acting = await world.developer("dee@example.com")
    later = NOW + timedelta(minutes=30)
    async with unit_of_work(world.sessions) as session:
        changed = await world.people(session).change_password(
            acting.person_id, PASSWORD, NEW_PASSWORD, later
        )
    assert (changed.person_id, changed.at) == (acting.person_id, later)
    async with world.sessions() as session:
        person = await world.people(session).person(acting.person_id)
        old = await world.people(session).sign_in("dee@example.com", PASSWORD, "192.0.2.1", later)
        new = await world.people(session).sign_in(
            "dee@example.com", NEW_PASSWORD, "192.0.2.1", later
        )
    assert person is not None and person.password_changed_at == later
    assert (old.outcome, new.outcome) == (SignInOutcome.FAILED, SignInOutcome.SIGNED_IN)
    emailed: OutboundEmail = (await world.outbox("dee@example.com"))[-1]
    assert emailed.subject == "Your password has been changed"
    assert NEW_PASSWORD not in emailed.body
