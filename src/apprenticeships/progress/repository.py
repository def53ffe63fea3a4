"""SQL for apprenticeship records, KSBs and progress submissions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from apprenticeships.storage.models import (
    Apprenticeship,
    Ksb,
    Organisation,
    ProgressSubmission,
    ProgressValue,
    Standard,
)

# Ids per IN (...) list: well inside every database's limit on parameters.
_SLICE = 500


class ApprenticeshipRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def provider_id(self, ukprn: str) -> int | None:
        found = await self.session.scalar(
            select(Organisation.id).where(
                Organisation.kind == "provider", Organisation.public_id == ukprn
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


class KsbRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def standard(self, lars_code: int) -> Standard | None:
        return await self.session.get(Standard, lars_code)

    async def for_standard(self, lars_code: int) -> list[Ksb]:
        """A standard's KSBs: knowledge, then skills, then behaviours, each by number."""
        ksbs = await self.session.scalars(select(Ksb).where(Ksb.lars_code == lars_code))
        return sorted(ksbs, key=ksb_order)

    async def by_ids(self, ids: Iterable[str]) -> dict[str, Ksb]:
        wanted = sorted(set(ids))
        found: dict[str, Ksb] = {}
        # In slices: a submission may name any number of ids, and databases cap the
        # number of parameters in one statement.
        for start in range(0, len(wanted), _SLICE):
            chosen = wanted[start : start + _SLICE]
            found |= {
                k.id: k for k in await self.session.scalars(select(Ksb).where(Ksb.id.in_(chosen)))
            }
        return found

    async def standards_with_ksbs(self, lars_codes: Iterable[int]) -> set[int]:
        wanted = list(set(lars_codes))
        if not wanted:
            return set()
        found = await self.session.scalars(
            select(Ksb.lars_code).where(Ksb.lars_code.in_(wanted)).distinct()
        )
        return {int(code) for code in found}

    async def referenced(self, ids: Iterable[str]) -> set[str]:
        """Which of these KSBs some progress submission names."""
        wanted = sorted(set(ids))
        found: set[str] = set()
        for start in range(0, len(wanted), _SLICE):
            chosen = wanted[start : start + _SLICE]
            found |= set(
                await self.session.scalars(
                    select(ProgressValue.ksb_id).where(ProgressValue.ksb_id.in_(chosen)).distinct()
                )
            )
        return found

    def add(self, ksb: Ksb) -> None:
        self.session.add(ksb)

    async def delete(self, ksb: Ksb) -> None:
        await self.session.delete(ksb)


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


_KINDS = {"Knowledge": 0, "Skill": 1, "Behaviour": 2}


def ksb_order(ksb: Ksb) -> tuple[int, int, int, str, str]:
    """How KSBs are listed: by standard, knowledge then skills then behaviours, by number."""
    digits = "".join(c for c in ksb.code if c.isdigit())
    return ksb.lars_code, _KINDS.get(ksb.kind, 3), int(digits or 0), ksb.code, ksb.id


def canonical_guid(value: object) -> str | None:
    """The canonical (lower-case, hyphenated) form of a GUID, or None for anything else."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return None
