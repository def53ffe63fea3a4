"""The demo's people: one to sign in as for each kind of portal user, with passwords
generated at the first seed and kept in ``var/demo-passwords.json`` (mode 600), so
re-seeding keeps them and ``demo sign-ins`` can print them."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.passwords import Passwords, password_problem
from apprenticeships.accounts.repository import (
    MembershipRepository,
    OrganisationRepository,
    UserRepository,
)
from apprenticeships.accounts.vocabulary import Role
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.demo.organisations import DEVELOPER_EMAIL, DEVELOPER_NAME, EMPLOYERS, PROVIDERS
from apprenticeships.errors import OperationError
from apprenticeships.storage.models import Membership, User

PASSWORDS_FILE = "demo-passwords.json"


@dataclass(frozen=True, slots=True)
class DemoPerson:
    key: str  # their entry in the passwords file
    email: str
    name: str
    # What `demo sign-ins` says they are.
    description: str
    # The organisation they act for (None: a platform admin with none), and their role.
    kind: OwnerKind | None = None
    public_id: str = ""
    role: Role | None = None
    platform_admin: bool = False


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        "employer-owner",
        f"owner@{EMPLOYERS[0].domain}",
        "Priya Shah",
        f"Employer Owner, {EMPLOYERS[0].name} ({EMPLOYERS[0].account_id})",
        OwnerKind.EMPLOYER,
        EMPLOYERS[0].account_id,
        Role.OWNER,
    ),
    DemoPerson(
        "provider-account-owner",
        "accounts@northmere-college.example",
        "Tom Okafor",
        f"Training provider Account owner, {PROVIDERS[0].name} (UKPRN {PROVIDERS[0].ukprn})",
        OwnerKind.PROVIDER,
        PROVIDERS[0].ukprn,
        Role.ACCOUNT_OWNER,
    ),
    DemoPerson(
        "developer",
        DEVELOPER_EMAIL,
        DEVELOPER_NAME,
        "Independent developer",
        OwnerKind.DEVELOPER,
        DEVELOPER_EMAIL,
        Role.DEVELOPER,
    ),
    DemoPerson(
        "platform-admin",
        "admin@apprenticeships.example",
        "Alex Morgan",
        "Platform admin (reviews adverts, sees the audit log)",
        platform_admin=True,
    ),
)


class DemoPasswordsError(OperationError):
    """The passwords file cannot be read or written."""


def load_passwords(var_dir: Path) -> dict[str, str] | None:
    """The demo people's passwords by key, or None before the first seed."""
    path = var_dir / PASSWORDS_FILE
    try:
        loaded = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise DemoPasswordsError(f"cannot read {path}: {error}") from None
    if not isinstance(loaded, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in loaded.items()
    ):
        raise DemoPasswordsError(f"{path} is not a JSON object of passwords")
    return loaded


def load_or_create_passwords(var_dir: Path) -> dict[str, str]:
    """The passwords, generating (and keeping) any the file does not have yet."""
    passwords = load_passwords(var_dir) or {}
    missing = [person.key for person in DEMO_PEOPLE if person.key not in passwords]
    for key in missing:
        passwords[key] = _new_password()
    path = var_dir / PASSWORDS_FILE
    try:
        if missing:
            _write_private(path, json.dumps(passwords, indent=2) + "\n")
        elif path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError as error:
        raise DemoPasswordsError(f"cannot write {path}: {error.strerror or error}") from None
    return passwords


def _new_password() -> str:
    while True:
        candidate = secrets.token_urlsafe(12)  # 16 characters, 96 random bits
        if password_problem(candidate) is None:
            return candidate


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


async def ensure_people(
    session: AsyncSession,
    now: datetime,
    passwords: Mapping[str, str],
    hasher: Passwords | None = None,
) -> None:
    """Make each demo person exist, confirmed, with their password from ``passwords``
    and their role. Someone who changed a demo password in the portal gets the file's
    back; nothing else is touched. The demo organisations must exist. Never commits."""
    hasher = hasher or Passwords()
    users = UserRepository(session)
    organisations = OrganisationRepository(session)
    memberships = MembershipRepository(session)
    for person in DEMO_PEOPLE:
        password = passwords[person.key]
        user = await users.find_by_email(person.email)
        if user is None:
            user = await users.add(
                User(
                    email=person.email,
                    name=person.name,
                    password_hash=await hasher.hash(password),
                    is_platform_admin=person.platform_admin,
                    created_at=now,
                    email_confirmed_at=now,
                    password_changed_at=now,
                )
            )
        elif not (await hasher.verify(user.password_hash, password)).ok:
            user.password_hash = await hasher.hash(password)
            user.password_changed_at = now
        user.email_confirmed_at = user.email_confirmed_at or now
        user.is_platform_admin = user.is_platform_admin or person.platform_admin
        await users.save()
        if person.kind is None or person.role is None:
            continue
        organisation = (
            await organisations.find_by_email(person.public_id)
            if person.kind is OwnerKind.DEVELOPER
            else await organisations.find(person.kind, person.public_id)
        )
        if organisation is None:
            raise OperationError(f"the demo {person.kind.value} {person.public_id} is missing")
        membership = await memberships.find(user.id, organisation.id)
        if membership is None:
            await memberships.add(
                Membership(
                    user_id=user.id,
                    organisation_id=organisation.id,
                    role=person.role,
                    created_at=now,
                )
            )
        elif membership.role != person.role:
            membership.role = person.role
            await memberships.save()
