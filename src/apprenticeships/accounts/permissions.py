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
    legal_entity_name: str = ""
    provider_name: str = ""


@dataclass(frozen=True, slots=True)
class HeldPermission:
    """What one training provider may do for one legal entity."""

    public_hashed_id: str
    legal_entity_name: str
    ukprn: str
    provider_name: str
    permission: Permission


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

    async def held(
        self, caller: Acting | Operator, legal_entity: str, ukprn: str
    ) -> HeldPermission:
        """The permission a provider holds for a legal entity; ``NotFound`` if none (or
        the legal entity is another employer's)."""
        entity = await self._legal_entity(caller, legal_entity)
        provider, existing = await self._existing(entity, ukprn)
        return HeldPermission(
            entity.public_hashed_id,
            entity.name,
            provider.public_id,
            provider.name,
            Permission(existing.permission),
        )

    async def grant(
        self,
        caller: Acting | Operator,
        legal_entity: str,
        ukprn: str,
        permission: str,
        now: datetime,
    ) -> PermissionChange:
        """Let a provider recruit for a legal entity, or change how. Every problem with
        the input is reported at once, by field; a legal entity that is named but is not
        (the caller's employer's) is ``NotFound``."""
        problems: list[FieldProblem] = []
        entity: LegalEntity | None = None
        if legal_entity.strip():
            entity = await self._legal_entity(caller, legal_entity)
        else:
            if isinstance(caller, Acting):
                await self._employer(caller)
            problems.append(FieldProblem(LEGAL_ENTITY, "Select a legal entity"))
        chosen = _permission(permission, problems)
        provider = await self._provider(ukprn, problems)
        if problems:
            raise InvalidInput(problems=problems)
        assert entity is not None and provider is not None and chosen is not None
        existing = await self.entities.permission(provider.id, entity.id)
        if existing is not None:
            return await self._change(entity, provider, existing, chosen)
        await self.entities.add_permission(
            ProviderPermission(
                provider_id=provider.id,
                legal_entity_id=entity.id,
                permission=chosen,
                created_at=now,
            )
        )
        return PermissionChange(
            entity.public_hashed_id, provider.public_id, None, chosen, entity.name, provider.name
        )

    async def change(
        self,
        caller: Acting | Operator,
        legal_entity: str,
        ukprn: str,
        permission: str,
        now: datetime,
    ) -> PermissionChange:
        """Change the permission a provider already holds (``NotFound`` if it holds
        none: it may have been removed meanwhile)."""
        entity = await self._legal_entity(caller, legal_entity)
        provider, existing = await self._existing(entity, ukprn)
        problems: list[FieldProblem] = []
        chosen = _permission(permission, problems)
        if chosen is None:
            raise InvalidInput(problems=problems)
        return await self._change(entity, provider, existing, chosen)

    async def revoke(
        self, caller: Acting | Operator, legal_entity: str, ukprn: str, now: datetime
    ) -> PermissionChange:
        """Stop a provider recruiting for a legal entity (adverts it made stay)."""
        entity = await self._legal_entity(caller, legal_entity)
        provider, existing = await self._existing(entity, ukprn)
        before = Permission(existing.permission)
        await self.entities.remove_permission(existing)
        return PermissionChange(
            entity.public_hashed_id, provider.public_id, before, None, entity.name, provider.name
        )

    async def _change(
        self,
        entity: LegalEntity,
        provider: Organisation,
        existing: ProviderPermission,
        chosen: Permission,
    ) -> PermissionChange:
        before = Permission(existing.permission)
        existing.permission = chosen
        await self.entities.session.flush()
        return PermissionChange(
            entity.public_hashed_id, provider.public_id, before, chosen, entity.name, provider.name
        )

    async def _existing(
        self, entity: LegalEntity, ukprn: str
    ) -> tuple[Organisation, ProviderPermission]:
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
        return provider, existing

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


def _permission(value: str, problems: list[FieldProblem]) -> Permission | None:
    chosen = next((p for p in Permission if p.value == value.strip()), None)
    if chosen is None:
        names = " or ".join(p.value for p in Permission)
        problems.append(FieldProblem(PERMISSION, f"Select a permission ({names})"))
    return chosen
