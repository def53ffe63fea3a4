"""Load the official IfATE apprenticeship standards JSON (a list of standard versions).

Facts taken from each entry: ``larsCode``, ``referenceNumber``, ``title``, ``level``,
``status``, ``route`` and ``version``. The file has no type field: foundation
apprenticeships are the ``FA`` reference numbers. A route may be several names joined by
";" (foundation apprenticeships); the first is the standard's route. The file holds one
entry per version of a standard, and the newest version wins. Entries without a LARS
code (0: not approved for delivery) and ``null`` entries are skipped and counted. The whole file is checked before anything is
written: a file that is not a list of standards changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships import jsontext
from apprenticeships.errors import OperationError
from apprenticeships.referencedata.ksbs import KsbChanges, StandardKsbs, from_ifate, store_ksbs
from apprenticeships.referencedata.repository import ReferenceDataRepository
from apprenticeships.referencedata.service import ACTIVE_STATUS
from apprenticeships.storage.events import CacheEventRepository, EventKind
from apprenticeships.storage.models import Route, Standard


class ImportFileError(OperationError):
    pass


@dataclass(frozen=True, slots=True)
class ParsedStandard:
    lars_code: int
    reference: str
    title: str
    level: int
    status: str
    route: str
    version: tuple[int, ...]
    apprenticeship_type: str
    last_date_starts: date | None = None
    ksbs: StandardKsbs | None = None


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    routes_added: int = 0
    ksbs: KsbChanges = field(default_factory=KsbChanges)
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def summary(self) -> str:
        text = (
            f"Standards: {self.added} added, {self.updated} updated, {self.unchanged} unchanged; "
            f"{self.routes_added} routes added; KSBs: {self.ksbs.added} added, "
            f"{self.ksbs.updated} updated, {self.ksbs.retired} retired."
        )
        if self.skipped:
            text += (
                " Skipped: "
                + ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
                + "."
            )
        return text


def _date(value: Any) -> date | None:
    """A day from IfATE's "2017-09-18T00:00:00" (or a bare date); None when absent or bad."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _version(value: Any) -> tuple[int, ...]:
    parts = str(value or "0").split(".")
    return tuple(int(p) if p.isdigit() else 0 for p in parts)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def parse_standards(content: bytes, report: ImportReport) -> list[ParsedStandard]:
    try:
        data = jsontext.parse(content)
    except jsontext.InvalidJson as error:
        raise ImportFileError(f"the file is not JSON: {error}") from None
    if isinstance(data, dict):
        # Some exports wrap the list, for example {"standards": [...]}.
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list):
        raise ImportFileError("the file must hold a JSON list of standards")
    newest: dict[int, ParsedStandard] = {}
    for position, item in enumerate(data, start=1):
        if item is None:
            report.skip("empty entries")
            continue
        if not isinstance(item, dict):
            raise ImportFileError(f"entry {position} is not a JSON object")
        lars = _int(item.get("larsCode"))
        if not lars:
            report.skip("without a LARS code")
            continue
        reference = str(item.get("referenceNumber") or "").strip()
        title = " ".join(str(item.get("title") or "").split())
        level = _int(item.get("level"))
        route = " ".join(str(item.get("route") or "").split(";")[0].split())
        if not reference or not title or level is None or not 1 <= level <= 8 or not route:
            raise ImportFileError(
                f"entry {position} (LARS code {lars}) lacks a referenceNumber, title, "
                "level (1-8) or route"
            )
        foundation = reference.upper().startswith("FA")
        kind = "FoundationApprenticeship" if foundation else "Apprenticeship"
        parsed = ParsedStandard(
            lars_code=lars,
            reference=reference,
            title=title[:255],
            level=level,
            status=str(item.get("status") or "").strip()[:64],
            route=route[:100],
            version=_version(item.get("version")),
            apprenticeship_type=kind,
            last_date_starts=_date(item.get("latestStartDate")),
            ksbs=from_ifate(item),
        )
        current = newest.get(lars)
        if current is None or parsed.version >= current.version:
            newest[lars] = parsed
        else:
            report.skip("older versions")
    return list(newest.values())


async def import_ifate_standards(
    session: AsyncSession, content: bytes, now: datetime
) -> ImportReport:
    report = ImportReport()
    standards = parse_standards(content, report)
    repository = ReferenceDataRepository(session)
    routes = await repository.routes_by_name()
    next_route_id = max((r.id for r in routes.values()), default=0) + 1
    existing = await repository.standards_by_code(s.lars_code for s in standards)
    for item in standards:
        route = routes.get(item.route.casefold())
        if route is None:
            route = Route(id=next_route_id, name=item.route)
            next_route_id += 1
            await repository.add_route(route)
            routes[item.route.casefold()] = route
            report.routes_added += 1
        values = {
            "ifate_reference": item.reference,
            "title": item.title,
            "level": item.level,
            "route_id": route.id,
            "apprenticeship_type": item.apprenticeship_type,
            "status": item.status,
            "is_active": item.status == ACTIVE_STATUS,
            "version": ".".join(str(p) for p in item.version),
            "last_date_starts": item.last_date_starts,
        }
        standard = existing.get(item.lars_code)
        if standard is None:
            standard = Standard(lars_code=item.lars_code, options=[], **values)
            await repository.add_standard(standard)
            report.added += 1
        elif any(getattr(standard, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(standard, key, value)
            report.updated += 1
        else:
            report.unchanged += 1
        if item.ksbs is not None:
            await repository.flush()
            changes = await store_ksbs(session, standard, item.ksbs)
            report.ksbs.added += changes.added
            report.ksbs.updated += changes.updated
            report.ksbs.retired += changes.retired
    await repository.flush()
    if report.added or report.updated or report.routes_added:
        await CacheEventRepository(session).add(EventKind.REFERENCE_DATA, now)
    return report
