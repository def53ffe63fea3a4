"""Creating organisations and people, and naming owners the way the CLI and docs do."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.repository import (
    LegalEntityRepository,
    OrganisationRepository,
)
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import OperationError
from apprenticeships.storage.models import LegalEntity, Organisation, ProviderPermission

# Employer accounts are named by six characters from the alphabet the Apprenticeship
# Service's hashed ids use (no vowels, so no words, and no look-alike characters).
HASHED_ID_ALPHABET = "46789BCDFGHJKLMNPRSTVWXY"
HASHED_ID = re.compile(r"^[A-Z0-9]{6}$")
UKPRN = re.compile(r"^1\d{7}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")


class AccountError(OperationError):
    """Bad input or a conflict; the message is safe to show to the operator."""


@dataclass(frozen=True, slots=True)
class OwnerRef:
    """``employer:<hashed id>``, ``provider:<ukprn>`` or ``developer:<email>``."""

    kind: OwnerKind
    value: str

    @classmethod
    def parse(cls, text: str) -> OwnerRef:
        kind_text, sep, value = text.partition(":")
        kinds = {k.value: k for k in OwnerKind}
        if not sep or kind_text not in kinds or not value:
            raise AccountError(
                f"owner must be employer:<hashed id>, provider:<ukprn> or developer:<email>, "
                f"not {text!r}"
            )
        kind = kinds[kind_text]
        if kind is OwnerKind.EMPLOYER:
            value = value.upper()
        elif kind is OwnerKind.DEVELOPER:
            value = value.lower()
        return cls(kind, value)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.value}"


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AccountError(f"{email!r} is not an email address")
    return email


class AccountService:
    def __init__(self, session: AsyncSession) -> None:
        self.organisations = OrganisationRepository(session)
        self.legal_entities = LegalEntityRepository(session)

    async def add_employer(
        self, name: str, now: datetime, hashed_id: str | None = None
    ) -> Organisation:
        name = _clean_name(name)
        if hashed_id is None:
            hashed_id = await self._new_hashed_id()
        elif not HASHED_ID.match(hashed_id):
            raise AccountError("an employer account id is 6 upper-case letters and digits")
        elif await self.organisations.public_id_taken(OwnerKind.EMPLOYER, hashed_id):
            raise AccountError(f"employer account {hashed_id} already exists")
        return await self.organisations.add(
            Organisation(kind=OwnerKind.EMPLOYER, public_id=hashed_id, name=name, created_at=now)
        )

    async def add_provider(self, ukprn: str, name: str, now: datetime) -> Organisation:
        ukprn = ukprn.strip()
        if not UKPRN.match(ukprn):
            raise AccountError(f"a UKPRN is 8 digits starting with 1, not {ukprn!r}")
        if await self.organisations.public_id_taken(OwnerKind.PROVIDER, ukprn):
            raise AccountError(f"provider {ukprn} already exists")
        return await self.organisations.add(
            Organisation(
                kind=OwnerKind.PROVIDER, public_id=ukprn, name=_clean_name(name), created_at=now
            )
        )

    async def add_developer(self, email: str, now: datetime, name: str = "") -> Organisation:
        email = normalise_email(email)
        if await self.organisations.find_by_email(email) is not None:
            raise AccountError(f"a developer with email {email} already exists")
        return await self.organisations.add(
            Organisation(
                kind=OwnerKind.DEVELOPER,
                public_id=str(uuid.uuid4()),
                name=name.strip() or email,
                email=email,
                created_at=now,
            )
        )

    async def find_owner(self, owner: OwnerRef) -> Organisation:
        if owner.kind is OwnerKind.DEVELOPER:
            found = await self.organisations.find_by_email(owner.value)
        else:
            found = await self.organisations.find(owner.kind, owner.value)
        if found is None or found.kind != owner.kind:
            raise AccountError(f"no {owner.kind.value} {owner.value!r}")
        return found

    async def add_legal_entity(
        self, employer: OwnerRef, name: str, now: datetime, public_hashed_id: str | None = None
    ) -> LegalEntity:
        if employer.kind is not OwnerKind.EMPLOYER:
            raise AccountError("legal entities belong to employer accounts")
        organisation = await self.find_owner(employer)
        if public_hashed_id is None:
            for _ in range(100):
                public_hashed_id = _random_hashed_id()
                if not await self.legal_entities.hashed_id_taken(public_hashed_id):
                    break
        elif not HASHED_ID.match(public_hashed_id):
            raise AccountError("a legal entity id is 6 upper-case letters and digits")
        elif await self.legal_entities.hashed_id_taken(public_hashed_id):
            raise AccountError(f"legal entity {public_hashed_id} already exists")
        return await self.legal_entities.add(
            LegalEntity(
                organisation_id=organisation.id,
                public_hashed_id=public_hashed_id,
                name=_clean_name(name),
                created_at=now,
            )
        )

    async def grant_permission(
        self, provider: OwnerRef, legal_entity_hashed_id: str, permission: str, now: datetime
    ) -> ProviderPermission:
        """Let a provider recruit for a legal entity (with or without employer review)."""
        if permission not in ("Recruitment", "RecruitmentRequiresReview"):
            raise AccountError("permission is Recruitment or RecruitmentRequiresReview")
        if provider.kind is not OwnerKind.PROVIDER:
            raise AccountError("permissions are given to training providers")
        organisation = await self.find_owner(provider)
        legal_entity = await self.legal_entities.by_hashed_id(legal_entity_hashed_id)
        if legal_entity is None:
            raise AccountError(f"no legal entity {legal_entity_hashed_id!r}")
        existing = await self.legal_entities.permission(organisation.id, legal_entity.id)
        if existing is not None:
            existing.permission = permission
            return existing
        granted = ProviderPermission(
            provider_id=organisation.id,
            legal_entity_id=legal_entity.id,
            permission=permission,
            created_at=now,
        )
        await self.legal_entities.add_permission(granted)
        return granted

    async def _new_hashed_id(self) -> str:
        for _ in range(100):
            candidate = _random_hashed_id()
            if not await self.organisations.public_id_taken(OwnerKind.EMPLOYER, candidate):
                return candidate
        raise AccountError("could not find a free employer account id")  # pragma: no cover


def _random_hashed_id() -> str:
    return "".join(secrets.choice(HASHED_ID_ALPHABET) for _ in range(6))


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 255:
        raise AccountError("a name is 1 to 255 characters")
    return name
