"""The portal's use cases for an employer's legal entities and the training providers
that may recruit for them: each runs in one unit of work, calls
``ProviderPermissionService`` (which checks that the acting person is the employer's
Owner and that the legal entity is the employer's own) and writes the audit entry in
the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.permissions import (
    HeldPermission,
    LegalEntityPermissions,
    PermissionChange,
    ProviderPermissionService,
)
from apprenticeships.audit.service import AuditService
from apprenticeships.audit.vocabulary import AuditAction
from apprenticeships.portal.team import acting, actor
from apprenticeships.portal.web import Identity
from apprenticeships.storage.engine import unit_of_work


class PortalProviders:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]
    ) -> None:
        self.sessions = sessions
        self.clock = clock

    async def legal_entities(self, identity: Identity) -> list[LegalEntityPermissions]:
        async with self.sessions() as session:
            return await ProviderPermissionService(session).legal_entities(acting(identity))

    async def held(self, identity: Identity, legal_entity: str, ukprn: str) -> HeldPermission:
        async with self.sessions() as session:
            return await ProviderPermissionService(session).held(
                acting(identity), legal_entity, ukprn
            )

    async def grant(
        self, identity: Identity, legal_entity: str, ukprn: str, permission: str, address: str
    ) -> PermissionChange:
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            change = await ProviderPermissionService(session).grant(
                acting(identity), legal_entity, ukprn, permission, now
            )
            await _record(session, identity, address, change, now)
        return change

    async def change(
        self, identity: Identity, legal_entity: str, ukprn: str, permission: str, address: str
    ) -> PermissionChange:
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            change = await ProviderPermissionService(session).change(
                acting(identity), legal_entity, ukprn, permission, now
            )
            await _record(session, identity, address, change, now)
        return change

    async def revoke(
        self, identity: Identity, legal_entity: str, ukprn: str, address: str
    ) -> PermissionChange:
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            change = await ProviderPermissionService(session).revoke(
                acting(identity), legal_entity, ukprn, now
            )
            await _record(session, identity, address, change, now)
        return change


async def _record(
    session: AsyncSession,
    identity: Identity,
    address: str,
    change: PermissionChange,
    now: datetime,
) -> None:
    """The entry for a change in the employer's log; none when nothing changed (the same
    permission given again)."""
    if change.before == change.after:
        return
    details = {
        "legal entity": f"{change.legal_entity_name} ({change.public_hashed_id})",
        "training provider": f"{change.provider_name} ({change.ukprn})",
    }
    if change.before is None:
        action = AuditAction.PERMISSION_GRANTED
    elif change.after is None:
        action = AuditAction.PERMISSION_REVOKED
    else:
        action = AuditAction.PERMISSION_CHANGED
    if change.before is not None:
        details["was"] = change.before.label
    if change.after is not None:
        details["now"] = change.after.label
    await AuditService(session).record(
        action, now, actor=actor(identity, address),
        organisation_id=identity.organisation_id, details=details,
    )  # fmt: skip
