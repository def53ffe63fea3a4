"""SQL for apprenticeship records and progress submissions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from apprenticeships.catalog.products import OwnerKind
from apprenticeships.storage.models import (
    Apprenticeship,
    Organisation,
    ProgressSubmission,
)


class ApprenticeshipRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def provider_id(self, ukprn: str) -> int | None:
        found = await self.session.scalar(
            select(Organisation.id).where(
                Organisation.kind == OwnerKind.PROVIDER, Organisation.public_id == ukprn
            )
        )
        return int(found) if found is not None else None

    async def find(self, provider_id: int, uln: int, planned_start: date) -> list[Apprenticeship]:
        """The provider's records for this learner starting in this month, oldest first."""
        return list(
            await self.session.scalars(
                select(Apprenticeship)
                .where(
                    Apprenticeship.provider_id == provider_id,
                    Apprenticeship.uln == uln,
                    Apprenticeship.planned_start == planned_start,
                )
                .order_by(Apprenticeship.id)
            )
        )

    async def existing(
        self, keys: Iterable[tuple[int, int, date, int, date]]
    ) -> dict[tuple[int, int, date, int, date], Apprenticeship]:
        """Records by (provider id, ULN, planned start, LARS code, start date)."""
        wanted = set(keys)
        if not wanted:
            return {}
        ulns = {key[1] for key in wanted}
        found: dict[tuple[int, int, date, int, date], Apprenticeship] = {}
        ordered = sorted(ulns)
        for start in range(0, len(ordered), 500):
            rows = await self.session.scalars(
                select(Apprenticeship).where(Apprenticeship.uln.in_(ordered[start : start + 500]))
            )
            for row in rows:
                key = (row.provider_id, row.uln, row.planned_start, row.lars_code, row.start_date)
                if key in wanted:
                    found[key] = row
        return found

    def add(self, record: Apprenticeship) -> None:
        self.session.add(record)

    async def flush(self) -> None:
        await self.session.flush()


class ProgressRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, submission: ProgressSubmission) -> int:
        self.session.add(submission)
        await self.session.flush()
        return submission.id

    async def for_apprenticeships(
        self, apprenticeship_ids: Sequence[int], provider_id: int
    ) -> list[ProgressSubmission]:
        """The provider's submissions for these records, newest first, with their values."""
        if not apprenticeship_ids:
            return []
        return list(
            await self.session.scalars(
                select(ProgressSubmission)
                .options(selectinload(ProgressSubmission.values))
                .where(
                    ProgressSubmission.apprenticeship_id.in_(list(apprenticeship_ids)),
                    ProgressSubmission.provider_id == provider_id,
                )
                .order_by(ProgressSubmission.id.desc())
            )
        )
