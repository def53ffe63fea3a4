"""Knowledge, skills and behaviours (KSBs) of standards: read from the IfATE standards
JSON or the shipped ``data/ksbs.json``, and stored.

How the IfATE JSON describes them (as das-courses-api reads it): flat lists
``knowledges: [{knowledgeId, detail}]``, ``skills: [{skillId, detail}]`` and
``behaviours: [{behaviourId, detail}]``; a KSB's code is its list's letter and its
1-based position (K1, S3, B2). A standard with ``coreAndOptions`` false has no options
and every KSB is "core". Otherwise ``options: [{optionId, title}]`` are its options and
``duties`` link KSBs to them: KSBs of a core duty (``isThisACoreDuty`` 1) are "core",
those of other duties belong to the options in the duty's ``mappedOptions``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.jsontext import canonical_guid
from apprenticeships.referencedata.repository import KsbRepository
from apprenticeships.storage.models import Ksb, Standard

CORE = "core"
_LISTS = (
    ("knowledges", "knowledgeId", "Knowledge", "K", "mappedKnowledge"),
    ("skills", "skillId", "Skill", "S", "mappedSkills"),
    ("behaviours", "behaviourId", "Behaviour", "B", "mappedBehaviour"),
)


@dataclass(frozen=True, slots=True)
class ParsedKsb:
    id: str
    kind: str
    code: str
    description: str
    options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StandardKsbs:
    options: tuple[str, ...]
    ksbs: tuple[ParsedKsb, ...]


@dataclass
class KsbChanges:
    added: int = 0
    updated: int = 0
    retired: int = 0


def from_ifate(item: Mapping[str, Any]) -> StandardKsbs | None:
    """A standard's options and KSBs from its IfATE entry; None when the entry lists no
    KSBs at all (then what is stored is left alone)."""
    if not any(isinstance(item.get(name), list) and item.get(name) for name, *_ in _LISTS):
        return None
    structured = bool(item.get("coreAndOptions"))
    titles: dict[str, str] = {}
    if structured:
        for option in item.get("options") or []:
            if isinstance(option, dict) and option.get("title"):
                titles[str(option.get("optionId") or "").lower()] = " ".join(
                    str(option["title"]).split()
                )
    belongs: dict[str, set[str]] = {}
    if structured:
        for duty in item.get("duties") or []:
            if not isinstance(duty, dict):
                continue
            core = str(duty.get("isThisACoreDuty")) in ("1", "True", "true")
            options = (
                {CORE}
                if core
                else {
                    titles[str(o).lower()]
                    for o in duty.get("mappedOptions") or []
                    if str(o).lower() in titles
                }
            )
            for *_, mapped in _LISTS:
                for ksb_id in duty.get(mapped) or []:
                    belongs.setdefault(str(ksb_id).lower(), set()).update(options)
    ksbs: list[ParsedKsb] = []
    for name, id_field, kind, letter, _mapped in _LISTS:
        for position, entry in enumerate(item.get(name) or [], start=1):
            if not isinstance(entry, dict):
                continue
            ksb_id = canonical_guid(entry.get(id_field))
            if ksb_id is None:
                continue
            options = {CORE} if not structured else belongs.get(ksb_id, set())
            if CORE in options:
                options = {CORE}
            ksbs.append(
                ParsedKsb(
                    id=ksb_id,
                    kind=kind,
                    code=f"{letter}{position}",
                    description=" ".join(str(entry.get("detail") or "").split()),
                    options=tuple(sorted(options)),
                )
            )
    return StandardKsbs(options=tuple(titles.values()), ksbs=tuple(ksbs))


@cache
def shipped_ksbs() -> dict[int, StandardKsbs]:
    """The KSBs shipped in ``data/ksbs.json``, by LARS code."""
    text = resources.files(__package__).joinpath("data/ksbs.json").read_text("utf-8")
    return {
        int(entry["larsCode"]): StandardKsbs(
            options=tuple(entry.get("options") or ()),
            ksbs=tuple(
                ParsedKsb(
                    id=str(ksb["id"]).lower(),
                    kind=str(ksb["kind"]),
                    code=str(ksb["code"]),
                    description=" ".join(str(ksb["description"]).split()),
                    options=tuple(ksb["options"]),
                )
                for ksb in entry["ksbs"]
            ),
        )
        for entry in json.loads(text)
    }


async def store_ksbs(session: AsyncSession, standard: Standard, parsed: StandardKsbs) -> KsbChanges:
    """Make the standard's KSBs and options what ``parsed`` says. A KSB that is no longer
    listed is deleted, unless progress was recorded against it: then it is kept with no
    options, so no new progress can name it."""
    repository = KsbRepository(session)
    changes = KsbChanges()
    standard.options = list(parsed.options)
    current = {ksb.id: ksb for ksb in await repository.for_standard(standard.lars_code)}
    wanted = {ksb.id for ksb in parsed.ksbs}
    gone = [ksb for ksb_id, ksb in current.items() if ksb_id not in wanted]
    referenced = await repository.referenced(ksb.id for ksb in gone)
    for ksb in gone:
        if ksb.id in referenced:
            if ksb.options:
                ksb.options = []
                changes.retired += 1
        else:
            await repository.delete(ksb)
            changes.retired += 1
    elsewhere = await repository.by_ids(wanted - current.keys())
    for item in parsed.ksbs:
        values = {
            "lars_code": standard.lars_code,
            "kind": item.kind,
            "code": item.code,
            "description": item.description,
            "options": list(item.options),
        }
        existing = current.get(item.id) or elsewhere.get(item.id)
        if existing is None:
            repository.add(Ksb(id=item.id, **values))
            changes.added += 1
        elif any(getattr(existing, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(existing, key, value)
            changes.updated += 1
    return changes
