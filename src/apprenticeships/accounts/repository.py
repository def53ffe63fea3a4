"""SQL for organisations and people."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.catalog.products import OwnerKind
from apprenticeships.storage.models import LegalEntity, Organisation, ProviderPermission, User


class OrganisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, organisation: Organisation) -> Organisation:
        self.session.add(organisation)
        await self.session.flush()
        return organisation

    async def find(self, kind: OwnerKind, public_id: str) -> Organisation | None:
        return await self.session.scalar(
            select(Organisation).where(
                Organisation.kind == kind, Organisation.public_id == public_id
            )
        )

    async def find_by_email(self, email: str) -> Organisation | None:
        return await self.session.scalar(select(Organisation).where(Organisation.email == email))

    async def by_id(self, organisation_id: int) -> Organisation | None:
        return await self.session.get(Organisation, organisation_id)

    async def public_id_taken(self, kind: OwnerKind, public_id: str) -> bool:
        return await self.find(kind, public_id) is not None


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == email))

    async def add(self, user: User) -> User:
        self.session.add(user)
        await self.session.flush()
        return user


class LegalEntityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, legal_entity: LegalEntity) -> LegalEntity:
        self.session.add(legal_entity)
        await self.session.flush()
        return legal_entity

    async def by_hashed_id(self, public_hashed_id: str) -> LegalEntity | None:
        return await self.session.scalar(
            select(LegalEntity).where(LegalEntity.public_hashed_id == public_hashed_id)
        )

    async def hashed_id_taken(self, public_hashed_id: str) -> bool:
        return await self.by_hashed_id(public_hashed_id) is not None

    async def linked(
        self, kind: OwnerKind, public_id: str
    ) -> list[tuple[LegalEntity, Organisation]]:
        """Legal entities an owner may act for: an employer's own, or those that gave a
        provider either recruitment permission. Empty for anyone else."""
        query = select(LegalEntity, Organisation).join(
            Organisation, LegalEntity.organisation_id == Organisation.id
        )
        if kind == OwnerKind.EMPLOYER:
            query = query.where(
                Organisation.kind == OwnerKind.EMPLOYER, Organisation.public_id == public_id
            )
        elif kind == OwnerKind.PROVIDER:
            provider = (
                select(Organisation.id)
                .where(Organisation.kind == OwnerKind.PROVIDER, Organisation.public_id == public_id)
                .scalar_subquery()
            )
            query = query.join(
                ProviderPermission, ProviderPermission.legal_entity_id == LegalEntity.id
            ).where(ProviderPermission.provider_id == provider)
        else:
            return []
        result = await self.session.execute(query.order_by(LegalEntity.name, LegalEntity.id))
        return [(legal_entity, organisation) for legal_entity, organisation in result.all()]

    async def permission(self, provider_id: int, legal_entity_id: int) -> ProviderPermission | None:
        return await self.session.scalar(
            select(ProviderPermission).where(
                ProviderPermission.provider_id == provider_id,
                ProviderPermission.legal_entity_id == legal_entity_id,
            )
        )

    async def add_permission(self, permission: ProviderPermission) -> None:
        self.session.add(permission)
        await self.session.flush()
