"""The demo's people: passwords made once and kept private, people who can sign in with
them, on SQLite and PostgreSQL; and `demo sign-ins`."""

from __future__ import annotations

import asyncio
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.people import PeopleService
from apprenticeships.accounts.vocabulary import Role
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.demo.people import DEMO_PEOPLE, load_or_create_passwords, load_passwords
from apprenticeships.demo.service import seed
from apprenticeships.storage.engine import create_engine, session_factory, unit_of_work
from apprenticeships.storage.models import User
from tests.accounts.conftest import cheap_passwords
from tests.support.cli import Run, cli_runner

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)


def test_passwords_are_made_once_kept_private_and_good(tmp_path: Path) -> None:
    assert load_passwords(tmp_path) is None
    first = load_or_create_passwords(tmp_path)
    path = tmp_path / "demo-passwords.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(first) == {person.key for person in DEMO_PEOPLE}
    assert len(set(first.values())) == len(DEMO_PEOPLE)
    assert all(len(password) >= 12 for password in first.values())
    assert load_or_create_passwords(tmp_path) == first
    # A person added to the demo later gets a password; the others keep theirs.
    del first["platform-admin"]
    path.write_text(json.dumps(first), encoding="utf-8")
    path.chmod(0o644)
    again = load_or_create_passwords(tmp_path)
    assert {k: again[k] for k in first} == first and "platform-admin" in again
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_seeded_people_sign_in_with_their_passwords_in_their_roles(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    passwords = load_or_create_passwords(tmp_path)
    hasher = cheap_passwords()
    for _ in range(2):  # the second run changes nothing
        async with unit_of_work(sessions) as session:
            await seed(session, NOW, vacancies=0, people=passwords, passwords=hasher)
    async with sessions() as session:
        hashes = dict((await session.execute(select(User.email, User.password_hash))).all())
        people = PeopleService(session, "http://127.0.0.1:8000", hasher)
        results = {
            person.key: await people.sign_in(person.email, passwords[person.key], "127.0.0.1", NOW)
            for person in DEMO_PEOPLE
        }
    assert all(result.signed_in for result in results.values()), results
    assert [(m.kind, m.role) for m in results["employer-owner"].memberships] == [
        (OwnerKind.EMPLOYER, Role.OWNER)
    ]
    assert results["employer-owner"].memberships[0].public_id == "MJ7YVK"
    assert [(m.public_id, m.role) for m in results["provider-account-owner"].memberships] == [
        ("10000001", Role.ACCOUNT_OWNER)
    ]
    assert [(m.kind, m.role) for m in results["developer"].memberships] == [
        (OwnerKind.DEVELOPER, Role.DEVELOPER)
    ]
    admin = results["platform-admin"]
    assert admin.person is not None and admin.person.is_platform_admin and not admin.memberships
    # A password changed in the portal is put back by the next seed; others untouched.
    async with unit_of_work(sessions) as session:
        await PeopleService(session, "http://x", hasher).change_password(
            results["developer"].person.id,  # type: ignore[union-attr]
            passwords["developer"],
            "a different long password",
            NOW,
        )
        await seed(session, NOW, vacancies=0, people=passwords, passwords=hasher)
    async with sessions() as session:
        after = dict((await session.execute(select(User.email, User.password_hash))).all())
        assert (
            await PeopleService(session, "http://x", hasher).sign_in(
                "dev@example.com", passwords["developer"], "127.0.0.1", NOW
            )
        ).signed_in
    assert {e: h for e, h in after.items() if e != "dev@example.com"} == {
        e: h for e, h in hashes.items() if e != "dev@example.com"
    }


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_url: str) -> Run:
    monkeypatch.setenv("APPRENTICESHIPS_PUBLIC_URL", "http://127.0.0.1:8123")
    return cli_runner(monkeypatch, tmp_path, sqlite_url)


def test_demo_sign_ins_prints_the_portal_and_working_sign_ins(
    cli: Run, tmp_path: Path, sqlite_url: str
) -> None:
    assert cli("demo", "sign-ins", ok=False).stderr == (
        "error: no demo sign-ins yet: run `apprenticeships demo seed` first\n"
    )
    cli("demo", "seed", "--vacancies", "0")
    shown = cli("demo", "sign-ins").stdout
    assert "Portal: http://127.0.0.1:8123/portal\n" in shown
    passwords = json.loads((tmp_path / "var" / "demo-passwords.json").read_text("utf-8"))
    for person in DEMO_PEOPLE:
        assert f"{person.email}  " in shown and passwords[person.key] in shown
    cli("demo", "seed", "--vacancies", "0")
    assert cli("demo", "sign-ins").stdout == shown  # re-seeding keeps them

    async def sign_in() -> bool:
        engine = create_engine(sqlite_url)
        try:
            async with session_factory(engine)() as session:
                result = await PeopleService(session, "http://x").sign_in(
                    "owner@quillfeather.example", passwords["employer-owner"], "127.0.0.1", NOW
                )
        finally:
            await engine.dispose()
        return result.signed_in

    assert asyncio.run(sign_in())
