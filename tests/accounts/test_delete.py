"""A developer deletes their account: its keys stop at once on every process, and the
email can register again. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from apprenticeships.accounts.acting import Acting
from apprenticeships.accounts.service import OwnerRef
from apprenticeships.accounts.vocabulary import OrganisationStatus, SignInOutcome
from apprenticeships.catalog.products import DISPLAY_ADVERT, Environment, OwnerKind
from apprenticeships.errors import Forbidden
from apprenticeships.keys.service import KeyService
from apprenticeships.settings import RateLimitRule
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import ApiKey, CacheEvent, Organisation, User
from tests.accounts.conftest import NOW, PASSWORD, World

SECRET = b"test-secret"


async def test_deleting_a_developer_account_revokes_its_keys_everywhere_at_once(
    world: World,
) -> None:
    acting = await world.developer("dee@example.com")
    async with unit_of_work(world.sessions) as session:
        organisation = await session.get(Organisation, acting.organisation_id)
        assert organisation is not None
        owner = OwnerRef(OwnerKind.DEVELOPER, "dee@example.com")
        keys = KeyService(session, SECRET)
        live = await keys.issue(
            owner, DISPLAY_ADVERT, Environment.LIVE, NOW, "Live", acting.person_id
        )
        sandbox = await keys.issue(owner, DISPLAY_ADVERT, Environment.SANDBOX, NOW)
    async with world.sessions() as session:
        stored = await session.get(ApiKey, live.key_id)
        assert stored is not None and stored.created_by_user_id == acting.person_id
        hashes = [stored.key_hash, (await session.get(ApiKey, sandbox.key_id)).key_hash]  # type: ignore[union-attr]
        before = [e.id for e in await session.scalars(select(CacheEvent))]
    async with unit_of_work(world.sessions) as session:
        deleted = await world.people(session).delete_developer_account(
            acting, NOW, KeyService(session, SECRET)
        )
    assert (deleted.keys_revoked, deleted.person_deleted) == (2, True)
    async with world.sessions() as session:
        keys = KeyService(session, SECRET)
        for key_hash in hashes:
            assert await keys.snapshot(key_hash, RateLimitRule(150, 300), NOW) is None
        events = [
            e.key_hash for e in await session.scalars(select(CacheEvent)) if e.id not in before
        ]
        organisation = await session.get(Organisation, acting.organisation_id)
        person = await session.get(User, acting.person_id)
    # Every process's gateway drops these keys from its cache when it reads the events.
    assert sorted(events) == sorted(hashes)  # type: ignore[type-var]
    assert organisation is not None and person is not None
    assert (organisation.status, organisation.email) == (OrganisationStatus.DELETED, None)
    assert "dee" not in organisation.name
    assert (person.email, person.name, person.password_hash) == (
        f"deleted-{person.id}@deleted.invalid",
        "",
        None,
    )
    assert person.password_changed_at == NOW  # sessions end
    assert (await world.outbox("dee@example.com"))[-1].subject == (
        "Your developer account has been deleted"
    )
    async with world.sessions() as session:
        gone = await world.people(session).sign_in("dee@example.com", PASSWORD, "192.0.2.1", NOW)
    assert gone.outcome is SignInOutcome.FAILED
    # The email is free again.
    again = await world.developer("dee@example.com")
    assert again.organisation_id != acting.organisation_id


async def test_only_a_developer_can_delete_their_account(world: World) -> None:
    organisation_id, employer = await world.employer()
    person_id = await world.member(OwnerKind.EMPLOYER, employer, "owner@acme.example", "Owner")
    developer = await world.developer("dee@example.com")
    async with world.sessions() as session:
        people = world.people(session)
        with pytest.raises(Forbidden):
            await people.delete_developer_account(
                Acting(person_id, organisation_id), NOW, KeyService(session, SECRET)
            )
        with pytest.raises(Forbidden):
            await people.delete_developer_account(
                Acting(person_id, developer.organisation_id), NOW, KeyService(session, SECRET)
            )


async def test_a_developer_who_is_also_an_admin_stays_a_person(world: World) -> None:
    acting = await world.developer("dee@example.com")
    async with unit_of_work(world.sessions) as session:
        await world.team(session).add_admin("dee@example.com", NOW)
    async with unit_of_work(world.sessions) as session:
        deleted = await world.people(session).delete_developer_account(
            acting, NOW, KeyService(session, SECRET)
        )
    assert (deleted.keys_revoked, deleted.person_deleted) == (0, False)
    async with world.sessions() as session:
        result = await world.people(session).sign_in("dee@example.com", PASSWORD, "192.0.2.1", NOW)
    assert result.signed_in and result.memberships == ()
