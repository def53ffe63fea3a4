"""SQL for organisations and people."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.storage.models import Organisation, User


class OrganisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, organisation: Organisation) -> Organisation:
        self.session.add(organisation)
        await self.session.flush()
        return organisation

    async def find(self, kind: str, public_id: str) -> Organisation | None:
        return await self.session.scalar(
            select(Organisation).where(
                Organisation.kind == kind, Organisation.public_id == public_id
            )
        )

    async def find_by_email(self, email: str) -> Organisation | None:
        return await self.session.scalar(select(Organisation).where(Organisation.email == email))

    async def public_id_taken(self, kind: str, public_id: str) -> bool:
        return await self.find(kind, public_id) is not None

    async def all(self, kind: str | None = None) -> list[Organisation]:
        query = select(Organisation).order_by(Organisation.kind, Organisation.public_id)
        if kind is not None:
            query = query.where(Organisation.kind == kind)
        return list(await self.session.scalars(query))


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == email))

    async def add(self, user: User) -> User:
        self.session.add(user)
        await self.session.flush()
        return user
