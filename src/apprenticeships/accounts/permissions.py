"""Legal entities and provider permissions: which training providers may recruit for
which of an employer's legal entities. The operator's CLI and employer Owners' portal
page call the same methods; for an ``Acting`` person the legal entity must be their own
employer's, checked here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.acting import Acting, Operator, authorise
from apprenticeships.accounts.repository import (
    LegalEntityRepository,
    MembershipRepository,
    OrganisationRepository,
)
from apprenticeships.accounts.service import UKPRN
from apprenticeships.accounts.vocabulary import Permission, can_manage_providers
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import FieldProblem, InvalidInput, NotFound
from apprenticeships.storage.models import LegalEntity, Organisation, ProviderPermission

LEGAL_ENTITY = "legal_entity"
UKPRN_FIELD = "ukprn"
PERMISSION = "permission"
OWNERS_ONLY = "Only the employer's Owners can manage training providers' permissions"


@dataclass(frozen=True, slots=True)
class ProviderGrant:
    ukprn: str
    provider_name: str
    permission: Permission


@dataclass(frozen=True, slots=True)
class LegalEntityPermissions:
    public_hashed_id: str
    name: str
    grants: tuple[ProviderGrant, ...]  # by provider name


@dataclass(frozen=True, slots=True)
class PermissionChange:
    public_hashed_id: str
    ukprn: str
    # None: there was none (granted) / there is none now (revoked).
    before: Permission | None
    after: Permission | None


class ProviderPermissionService:
    def __init__(self, session: AsyncSession) -> None:
        self.entities = LegalEntityRepository(session)
        self.organisations = OrganisationRepository(session)
        self.memberships = MembershipRepository(session)

    async def legal_entities(self, acting: Acting) -> list[LegalEntityPermissions]:
        """An employer Owner's legal entities, each with the providers that may recruit
        for it."""
        organisation = await self._employer(acting)
        entities = await self.entities.of_employer(organisation.id)
        grants: dict[int, list[ProviderGrant]] = {entity.id: [] for entity in entities}
        for permission, provider in await self.entities.permissions_for(list(grants)):
            grants[permission.legal_entity_id].append(
                ProviderGrant(provider.public_id, provider.name, Permission(permission.permission))
            )
        return [
            LegalEntityPermissions(entity.public_hashed_id, entity.name, tuple(grants[entity.id]))
            for entity in entities
        ]

    async def grant(
        self,
        caller: Acting | Operator,
        legal_entity: str,
        ukprn: str,
        permission: str,
        now: datetime,
    ) -> PermissionChange:
        """Let a provider recruit for a legal entity, or change how."""
        entity = await self._legal_entity(caller, legal_entity)
        problems: list[FieldProblem] = []
        chosen = next((p for p in Permission if p.value == permission.strip()), None)
        if chosen is None:
            names = " or ".join(p.value for p in Permission)
            problems.append(FieldProblem(PERMISSION, f"Select a permission ({names})"))
        provider = await self._provider(ukprn, problems)
        if problems:
            raise InvalidInput(problems=problems)
        assert provider is not None and chosen is not None
        existing = await self.entities.permission(provider.id, entity.id)
        if existing is not None:
            before = Permission(existing.permission)
            existing.permission = chosen
            await self.entities.session.flush()
            return PermissionChange(entity.public_hashed_id, provider.public_id, before, chosen)
        await self.entities.add_permission(
            ProviderPermission(
                provider_id=provider.id,
                legal_entity_id=entity.id,
                permission=chosen,
                created_at=now,
            )
        )
        return PermissionChange(entity.public_hashed_id, provider.public_id, None, chosen)

    async def revoke(
        self, caller: Acting | Operator, legal_entity: str, ukprn: str, now: datetime
    ) -> PermissionChange:
        """Stop a provider recruiting for a legal entity (adverts it made stay)."""
        entity = await self._legal_entity(caller, legal_entity)
        problems: list[FieldProblem] = []
        provider = await self._provider(ukprn, problems)
        if problems:
            raise InvalidInput(problems=problems)
        assert provider is not None
        existing = await self.entities.permission(provider.id, entity.id)
        if existing is None:
            raise NotFound(
                f"training provider {provider.public_id} has no permission for legal entity "
                f"{entity.public_hashed_id}"
            )
        before = Permission(existing.permission)
        await self.entities.remove_permission(existing)
        return PermissionChange(entity.public_hashed_id, provider.public_id, before, None)

    async def _employer(self, acting: Acting) -> Organisation:
        _, organisation = await authorise(
            self.memberships, acting, can_manage_providers, OWNERS_ONLY
        )
        if organisation.kind != OwnerKind.EMPLOYER:
            raise NotFound(OWNERS_ONLY)
        return organisation

    async def _legal_entity(self, caller: Acting | Operator, public_hashed_id: str) -> LegalEntity:
        employer = await self._employer(caller) if isinstance(caller, Acting) else None
        entity = await self.entities.by_hashed_id(public_hashed_id.strip().upper())
        # Another employer's legal entity looks exactly like one that does not exist.
        if entity is None or (employer is not None and entity.organisation_id != employer.id):
            raise NotFound(f"no legal entity {public_hashed_id.strip()!r}")
        return entity

    async def _provider(self, ukprn: str, problems: list[FieldProblem]) -> Organisation | None:
        ukprn = ukprn.strip()
        if not UKPRN.match(ukprn):
            problems.append(FieldProblem(UKPRN_FIELD, "Enter a UKPRN: 8 digits, starting with 1"))
            return None
        provider = await self.organisations.find(OwnerKind.PROVIDER, ukprn)
        if provider is None:
            problems.append(FieldProblem(UKPRN_FIELD, f"No training provider has UKPRN {ukprn}"))
        return provider
