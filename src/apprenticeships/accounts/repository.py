"""SQL for organisations and people."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.catalog.products import OwnerKind
from apprenticeships.storage.models import (
    AccountToken,
    LegalEntity,
    Membership,
    Organisation,
    ProviderPermission,
    SignInFailure,
    User,
)


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

    async def by_id(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def add(self, user: User) -> User:
        self.session.add(user)
        await self.session.flush()
        return user

    async def save(self) -> None:
        """Write changes made to loaded people (within the caller's transaction)."""
        await self.session.flush()


class MembershipRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, membership: Membership) -> Membership:
        self.session.add(membership)
        await self.session.flush()
        return membership

    async def find(self, user_id: int, organisation_id: int) -> Membership | None:
        return await self.session.scalar(
            select(Membership).where(
                Membership.user_id == user_id, Membership.organisation_id == organisation_id
            )
        )

    async def with_organisation(
        self, user_id: int, organisation_id: int
    ) -> tuple[Membership, Organisation] | None:
        row = (
            await self.session.execute(
                select(Membership, Organisation)
                .join(Organisation, Membership.organisation_id == Organisation.id)
                .where(Membership.user_id == user_id, Membership.organisation_id == organisation_id)
            )
        ).first()
        return (row[0], row[1]) if row is not None else None

    async def of_person(self, user_id: int) -> list[tuple[Membership, Organisation]]:
        """Every organisation a person belongs to, by name."""
        result = await self.session.execute(
            select(Membership, Organisation)
            .join(Organisation, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user_id)
            .order_by(Organisation.name, Organisation.id)
        )
        return [(membership, organisation) for membership, organisation in result.all()]

    async def team(self, organisation_id: int) -> list[tuple[Membership, User]]:
        """An organisation's people, by name then email."""
        result = await self.session.execute(
            select(Membership, User)
            .join(User, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id)
            .order_by(User.name, User.email)
        )
        return [(membership, user) for membership, user in result.all()]

    async def holding(
        self, organisation_id: int, roles: Collection[str], *, lock: bool = False
    ) -> list[Membership]:
        """The memberships with one of ``roles``. ``lock`` holds their rows until the
        transaction ends (PostgreSQL), so two people removing the last two owners at
        once queue instead of both succeeding."""
        query = select(Membership).where(
            Membership.organisation_id == organisation_id, Membership.role.in_(list(roles))
        )
        if lock:
            query = query.with_for_update()
        return list(await self.session.scalars(query.order_by(Membership.id)))

    async def count_of_person(self, user_id: int) -> int:
        return int(
            await self.session.scalar(
                select(func.count()).select_from(Membership).where(Membership.user_id == user_id)
            )
            or 0
        )

    async def remove(self, membership: Membership) -> None:
        await self.session.delete(membership)
        await self.session.flush()

    async def save(self) -> None:
        await self.session.flush()


class AccountTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, token: AccountToken) -> None:
        self.session.add(token)
        await self.session.flush()

    async def by_hash(self, token_hash: str) -> AccountToken | None:
        return await self.session.scalar(
            select(AccountToken).where(AccountToken.token_hash == token_hash)
        )

    async def use(self, token_id: int, now: datetime) -> bool:
        """Mark a token used, if nobody used it first; whether this call did."""
        result = await self.session.execute(
            update(AccountToken)
            .where(AccountToken.id == token_id, AccountToken.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def use_all(self, user_id: int, purposes: Collection[str], now: datetime) -> None:
        """End a person's unused links of these kinds."""
        await self.session.execute(
            update(AccountToken)
            .where(
                AccountToken.user_id == user_id,
                AccountToken.purpose.in_(list(purposes)),
                AccountToken.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )

    async def issued_since(self, user_id: int, purpose: str, since: datetime) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(AccountToken)
                .where(
                    AccountToken.user_id == user_id,
                    AccountToken.purpose == purpose,
                    AccountToken.created_at > since,
                )
            )
            or 0
        )

    async def prune(self, expired_before: datetime) -> int:
        result = await self.session.execute(
            delete(AccountToken).where(AccountToken.expires_at < expired_before)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class SignInFailureRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, email: str, client_address: str, at: datetime) -> None:
        self.session.add(SignInFailure(email=email, client_address=client_address, at=at))
        await self.session.flush()

    async def times_for_email(self, email: str, after: datetime) -> list[datetime]:
        """When sign-in with this submitted email failed after ``after``, oldest first."""
        result = await self.session.scalars(
            select(SignInFailure.at)
            .where(SignInFailure.email == email, SignInFailure.at > after)
            .order_by(SignInFailure.at)
        )
        return list(result)

    async def count_for_address(self, client_address: str, after: datetime) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(SignInFailure)
                .where(SignInFailure.client_address == client_address, SignInFailure.at > after)
            )
            or 0
        )

    async def prune(self, before: datetime) -> int:
        result = await self.session.execute(delete(SignInFailure).where(SignInFailure.at < before))
        return int(getattr(result, "rowcount", 0) or 0)


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

    async def named(self, names: Iterable[str]) -> list[tuple[LegalEntity, Organisation]]:
        """Legal entities whose name is one of ``names`` (ignoring ASCII case), with their
        employer accounts, in the order they were added."""
        wanted = sorted({name.lower() for name in names})
        if not wanted:
            return []
        result = await self.session.execute(
            select(LegalEntity, Organisation)
            .join(Organisation, LegalEntity.organisation_id == Organisation.id)
            .where(func.lower(LegalEntity.name).in_(wanted))
            .order_by(LegalEntity.id)
        )
        return [(entity, organisation) for entity, organisation in result.all()]

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

    async def remove_permission(self, permission: ProviderPermission) -> None:
        await self.session.delete(permission)
        await self.session.flush()

    async def of_employer(self, organisation_id: int) -> list[LegalEntity]:
        return list(
            await self.session.scalars(
                select(LegalEntity)
                .where(LegalEntity.organisation_id == organisation_id)
                .order_by(LegalEntity.name, LegalEntity.id)
            )
        )

    async def permissions_for(
        self, legal_entity_ids: Collection[int]
    ) -> list[tuple[ProviderPermission, Organisation]]:
        """The permissions these legal entities gave, with the provider, by provider name."""
        if not legal_entity_ids:
            return []
        result = await self.session.execute(
            select(ProviderPermission, Organisation)
            .join(Organisation, ProviderPermission.provider_id == Organisation.id)
            .where(ProviderPermission.legal_entity_id.in_(list(legal_entity_ids)))
            .order_by(Organisation.name, Organisation.public_id)
        )
        return [(permission, provider) for permission, provider in result.all()]
