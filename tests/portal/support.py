"""Helpers for portal tests over HTTP (httpx against the ASGI app): forms with their
CSRF token, people made directly in the database, sign-in, and the mail the platform
wrote as .eml files."""

from __future__ import annotations

import asyncio
import email
import email.policy
import html
import re
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import httpx
from argon2 import PasswordHasher, Type

from apprenticeships.accounts.passwords import normalise
from apprenticeships.accounts.service import AccountService, OwnerRef
from apprenticeships.accounts.vocabulary import Role
from apprenticeships.app import Platform
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import Membership, User

PASSWORD = "correct horse battery staple"
# Cheap Argon2id parameters for people the tests make directly (the portal's own hashing
# keeps its real parameters; a cheaper stored hash still verifies, and is re-hashed).
_FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
MAIL_TIMEOUT_SECONDS = 15.0


def csrf_token(page: str) -> str:
    match = _CSRF.search(page)
    assert match, "no CSRF token on the page"
    return html.unescape(match.group(1))


async def submit(
    client: httpx.AsyncClient, path: str, data: dict[str, str], *, form_page: str | None = None
) -> httpx.Response:
    """GET the form's page (``form_page``, default ``path``) for its token, then POST."""
    page = await client.get(form_page or path)
    assert page.status_code == 200, (form_page or path, page.status_code)
    return await client.post(path, data={**data, "csrf_token": csrf_token(page.text)})


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    password: str
    organisation_id: int | None
    public_id: str | None


async def make_person(
    platform: Platform,
    email_address: str,
    *,
    kind: OwnerKind | None = None,
    role: Role | None = None,
    organisation_public_id: str | None = None,
    admin: bool = False,
    password: str = PASSWORD,
    name: str = "Test Person",
) -> Person:
    """A confirmed person with a password, in a new (or the named) organisation."""
    now = datetime.now(UTC)
    async with unit_of_work(platform.sessions) as session:
        accounts = AccountService(session)
        organisation = None
        if kind is not None and organisation_public_id is not None:
            organisation = await accounts.find_owner(OwnerRef(kind, organisation_public_id))
        elif kind is OwnerKind.EMPLOYER:
            organisation = await accounts.add_employer(f"{name}'s employer", now)
        elif kind is OwnerKind.PROVIDER:
            # A UKPRN of its own, the same every run.
            ukprn = str(10_000_000 + zlib.crc32(email_address.encode()) % 9_000_000)
            organisation = await accounts.add_provider(ukprn, f"{name} Ltd", now)
        elif kind is OwnerKind.DEVELOPER:
            organisation = await accounts.add_developer(email_address, now, name)
        person = User(
            email=email_address.lower(),
            name=name,
            password_hash=_FAST.hash(normalise(password)),
            is_platform_admin=admin,
            created_at=now,
            email_confirmed_at=now,
            password_changed_at=now,
        )
        session.add(person)
        await session.flush()
        if organisation is not None:
            assert role is not None
            session.add(
                Membership(
                    user_id=person.id, organisation_id=organisation.id, role=role, created_at=now
                )
            )
        return Person(
            person.id,
            person.email,
            password,
            organisation.id if organisation else None,
            organisation.public_id if organisation else None,
        )


async def sign_in(client: httpx.AsyncClient, person: Person | tuple[str, str]) -> httpx.Response:
    address, password = (person.email, person.password) if isinstance(person, Person) else person
    response = await submit(client, "/portal/sign-in", {"email": address, "password": password})
    return response


@dataclass
class Mailbox:
    """The .eml files the platform's mail worker writes (the default sender)."""

    directory: Path
    seen: set[str] = field(default_factory=set)

    def unread_to(self, address: str, subject_contains: str = "") -> EmailMessage | None:
        """The oldest email to ``address`` not returned before, if one has arrived."""
        for path in sorted(self.directory.glob("*.eml"), key=lambda p: (p.stat().st_mtime, p)):
            if path.name in self.seen:
                continue
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            if address.lower() in str(message["To"]).lower() and subject_contains in str(
                message["Subject"]
            ):
                self.seen.add(path.name)
                return message
        return None

    async def next_to(self, address: str, subject_contains: str = "") -> EmailMessage:
        """Waits for the outbox to send it, up to a generous deadline."""
        deadline = time.monotonic() + MAIL_TIMEOUT_SECONDS
        while (message := self.unread_to(address, subject_contains)) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"no email to {address} ({subject_contains!r}) arrived")
            await asyncio.sleep(0.02)
        return message

    def all_to(self, address: str) -> list[EmailMessage]:
        found = []
        for path in sorted(self.directory.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            if address.lower() in str(message["To"]).lower():
                found.append(message)
        return found


def link_in(message: EmailMessage, path_part: str) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    match = re.search(rf"https?://\S*{re.escape(path_part)}\S*", text)
    assert match, f"no link containing {path_part!r} in:\n{text}"
    return match.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def error_summary(page: httpx.Response) -> list[str]:
    """The messages in a page's error summary, as read (tags and spacing gone)."""
    parts = page.text.split("govuk-error-summary__list", 1)
    assert len(parts) == 2, "the page has no error summary"
    summary = parts[1].split("</ul>", 1)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(r"<li[^>]*>(.*?)</li>", summary, re.DOTALL)
    ]
