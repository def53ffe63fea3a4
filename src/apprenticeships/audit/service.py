"""Writing the audit log in the caller's transaction, and reading it a page at a time."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.audit.repository import AuditRepository
from apprenticeships.audit.vocabulary import AuditAction
from apprenticeships.errors import InvalidInput
from apprenticeships.storage.models import AuditEvent

MAX_PAGE_SIZE = 200
DETAIL_LENGTH = 200
EMAIL_LENGTH = 320
ADDRESS_LENGTH = 100

# Details name things (a key's name and product, a role, an advert reference); a detail
# that looks like a secret is a bug in the caller, refused before it is stored.
_SECRET_NAME = re.compile(r"password|secret|token", re.IGNORECASE)
_API_KEY = re.compile(r"appr_(live|sandbox)_", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted and from where. A failed sign-in's actor is the email that was tried
    (``user_id`` None when nobody has it); an operator at the CLI is no actor at all."""

    user_id: int | None
    email: str | None
    address: str | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    action: AuditAction
    # None once the person is deleted; their email stays.
    actor_user_id: int | None
    actor_email: str | None
    organisation_id: int | None
    organisation_name: str | None
    details: Mapping[str, str]
    address: str | None


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page, newest first. Pages are numbered from 1; whether there is a next page
    is found by reading one entry more, so no page ever counts the whole log."""

    entries: tuple[AuditEntry, ...]
    page: int
    page_size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


class AuditService:
    def __init__(self, session: AsyncSession) -> None:
        self.events = AuditRepository(session)

    async def record(
        self,
        action: AuditAction,
        at: datetime,
        *,
        actor: Actor | None = None,
        organisation_id: int | None = None,
        details: Mapping[str, str] | None = None,
    ) -> None:
        """Add an entry in the caller's transaction, so it is stored exactly when what it
        describes is. ``details`` say what was acted on (a key's name and product, a
        role, an advert reference), never a key or a password: a detail named like a
        secret, or holding something like an API key, is a bug and raises ValueError."""
        checked = _checked_details(details or {})
        await self.events.add(
            AuditEvent(
                at=at,
                action=AuditAction(action).value,
                actor_user_id=actor.user_id if actor else None,
                actor_email=actor.email[:EMAIL_LENGTH] if actor and actor.email else None,
                organisation_id=organisation_id,
                details=checked,
                address=actor.address[:ADDRESS_LENGTH] if actor and actor.address else None,
            )
        )

    async def list_for_organisation(
        self, organisation_id: int, page: int = 1, page_size: int = 50
    ) -> AuditPage:
        """One organisation's log, for its Owners / Account owners."""
        return await self._page(organisation_id, page, page_size)

    async def list_all(self, page: int = 1, page_size: int = 50) -> AuditPage:
        """Every organisation's log (and entries of none), for platform admins."""
        return await self._page(None, page, page_size)

    async def _page(self, organisation_id: int | None, page: int, page_size: int) -> AuditPage:
        problems: dict[str, list[str]] = {}
        if page < 1:
            problems["page"] = ["Page must be 1 or more"]
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            problems["page_size"] = [f"Page size must be between 1 and {MAX_PAGE_SIZE}"]
        if problems:
            raise InvalidInput.by_field(problems)
        rows = await self.events.newest(organisation_id, (page - 1) * page_size, page_size + 1)
        entries = tuple(_entry(event, name) for event, name in rows[:page_size])
        return AuditPage(entries, page, page_size, has_next=len(rows) > page_size)


def _checked_details(details: Mapping[str, str]) -> dict[str, str]:
    checked: dict[str, str] = {}
    for name, value in details.items():
        if _SECRET_NAME.search(name) or _API_KEY.search(value):
            raise ValueError(f"audit detail {name!r} looks like a secret; secrets are never logged")
        checked[name] = value[:DETAIL_LENGTH]
    return checked


def _entry(event: AuditEvent, organisation_name: str | None) -> AuditEntry:
    return AuditEntry(
        id=event.id,
        at=event.at,
        action=AuditAction(event.action),
        actor_user_id=event.actor_user_id,
        actor_email=event.actor_email,
        organisation_id=event.organisation_id,
        organisation_name=organisation_name,
        details=dict(event.details),
        address=event.address,
    )
