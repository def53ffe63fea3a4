"""Loading the demo data set, idempotently, and describing it in a manifest."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.accounts.passwords import Passwords
from apprenticeships.accounts.repository import LegalEntityRepository, OrganisationRepository
from apprenticeships.accounts.service import AccountError, AccountService, OwnerRef
from apprenticeships.catalog.products import Environment, OwnerKind, parse_product_reference
from apprenticeships.demo.apprenticeships import APPRENTICESHIPS
from apprenticeships.demo.generator import (
    AdvertGenerator,
    AdvertParty,
    Course,
    courses_for,
    default_sandbox_count,
)
from apprenticeships.demo.organisations import (
    DEVELOPER_EMAIL,
    DEVELOPER_NAME,
    EMPLOYERS,
    PROVIDERS,
)
from apprenticeships.demo.people import ensure_people
from apprenticeships.demo.repository import DemoRepository
from apprenticeships.errors import OperationError
from apprenticeships.keys.service import KeyService
from apprenticeships.progress.importer import import_apprenticeships
from apprenticeships.referencedata.repository import KsbRepository, ReferenceDataRepository
from apprenticeships.referencedata.service import shipped_standards
from apprenticeships.storage.events import CacheEventRepository, EventKind
from apprenticeships.storage.models import LegalEntity, Organisation
from apprenticeships.vacancies.repository import VacancyRepository

# Adverts generated and inserted at a time, so memory stays flat at any size.
CHUNK = 2_000
MANIFEST_REFERENCES = 20
# KSB ids listed per apprenticeship record: enough to build a submission.
MANIFEST_KSBS = 5

# `demo keys` issues Recruitment keys for the first demo employer and Track progress
# keys for the first demo provider: the README's examples use their ids.
KEY_EMPLOYER = EMPLOYERS[0]
KEY_PROVIDER = PROVIDERS[0]

# Called with (adverts added so far, adverts to add in all).
Progress = Callable[[int, int], None]


class DemoError(OperationError):
    """The database holds something the demo data would clash with."""


async def seed(
    session: AsyncSession,
    now: datetime,
    *,
    vacancies: int = 5_000,
    sandbox_vacancies: int | None = None,
    progress: Progress | None = None,
    people: Mapping[str, str] | None = None,
    passwords: Passwords | None = None,
) -> dict[str, Any]:
    """Make sure the demo organisations, people and permissions exist, and top up the
    live adverts to ``vacancies`` in the live environment and ``sandbox_vacancies``
    (by default a smaller set) in the sandbox. Returns the demo manifest.

    Only adverts that are live now count, so running it again adds nothing until
    adverts close, and then replaces them. ``people`` (passwords by ``DemoPerson.key``,
    from ``people.load_or_create_passwords``) also makes the demo people who sign in to
    the portal, hashed with ``passwords``. Never commits: the caller's unit of work does.
    """
    if vacancies < 0 or (sandbox_vacancies is not None and sandbox_vacancies < 0):
        raise DemoError("the number of adverts cannot be negative")
    targets = {
        Environment.LIVE: vacancies,
        Environment.SANDBOX: default_sandbox_count(vacancies)
        if sandbox_vacancies is None
        else sandbox_vacancies,
    }
    organisations = await _ensure_organisations(session, now)
    if people is not None:
        await ensure_people(session, now, people, passwords)
    await _ensure_apprenticeships(session, now)
    repository = DemoRepository(session)
    today = now.date()
    missing = {
        environment: max(0, target - await repository.live_count(environment, today))
        for environment, target in targets.items()
    }
    total = sum(missing.values())
    if progress is not None:
        progress(0, total)
    parties = await _parties(session, organisations)
    # Each provider delivers the courses of the employers it may name in adverts (the
    # Recruitment API's GET /referencedata/courses?ukprn= lists them).
    await ReferenceDataRepository(session).add_provider_courses(
        (provider_id, course.lars_code)
        for party in parties
        for provider_id in party.provider_ids
        for course in party.courses
    )
    if total:
        generator = AdvertGenerator(
            now,
            parties,
            {provider.id: provider.name for provider in organisations.providers.values()},
        )
        adverts = VacancyRepository(session)
        done = 0
        for environment, count in missing.items():
            # Ids are taken per environment because the live insert moves the highest id.
            ids = await adverts.next_ids(count)
            for start in range(0, count, CHUNK):
                rows: list[dict[str, Any]] = []
                addresses: list[dict[str, Any]] = []
                for vacancy_id in ids[start : start + CHUNK]:
                    row, places = generator.advert(vacancy_id, environment)
                    rows.append(row)
                    addresses.extend(places)
                await adverts.bulk_insert(rows, addresses)
                done += len(rows)
                if progress is not None:
                    progress(done, total)
        # Running servers rebuild their search indexes when this commits.
        await CacheEventRepository(session).add(EventKind.VACANCIES, now)
    return await _manifest(repository, organisations, today)


async def issue_demo_keys(
    session: AsyncSession, secret_key: bytes, now: datetime
) -> dict[str, str]:
    """Issue a fresh live and sandbox key for each API: Display advert for the demo
    developer (added if missing), Recruitment for ``KEY_EMPLOYER``, Track progress for
    ``KEY_PROVIDER``. Returns the secrets by product reference (``recruitment-sandbox``).

    The demo organisations must exist already (``seed``). Never commits.
    """
    accounts = AccountService(session)
    developer = OwnerRef(OwnerKind.DEVELOPER, DEVELOPER_EMAIL)
    try:
        await accounts.find_owner(developer)
    except AccountError:
        await accounts.add_developer(DEVELOPER_EMAIL, now, "Demo developer")
    employer = OwnerRef(OwnerKind.EMPLOYER, KEY_EMPLOYER.account_id)
    try:
        await accounts.find_owner(employer)
    except AccountError:
        raise DemoError(
            f"the demo employer {KEY_EMPLOYER.account_id} does not exist yet: "
            "run `apprenticeships demo seed` first"
        ) from None
    provider = OwnerRef(OwnerKind.PROVIDER, KEY_PROVIDER.ukprn)
    keys = KeyService(session, secret_key)
    issued: dict[str, str] = {}
    for owner, reference, name in (
        (developer, "display-advert", "Demo"),
        (developer, "display-advert-sandbox", "Demo sandbox"),
        (employer, "recruitment", "Demo"),
        (employer, "recruitment-sandbox", "Demo sandbox"),
        (provider, "track-progress", "Demo"),
        (provider, "track-progress-sandbox", "Demo sandbox"),
    ):
        product, environment = parse_product_reference(reference)
        issued[reference] = (await keys.issue(owner, product, environment, now, name)).secret
    return issued


@dataclass
class _DemoRows:
    """The demo's rows, by the ids the outside world knows them by."""

    employers: dict[str, Organisation]
    legal_entities: dict[str, LegalEntity]
    providers: dict[str, Organisation]
    developer: Organisation


async def _ensure_organisations(session: AsyncSession, now: datetime) -> _DemoRows:
    accounts = AccountService(session)
    organisations = OrganisationRepository(session)
    legal_entities = LegalEntityRepository(session)
    employers: dict[str, Organisation] = {}
    entities: dict[str, LegalEntity] = {}
    for employer in EMPLOYERS:
        account = await organisations.find(
            OwnerKind.EMPLOYER, employer.account_id
        ) or await accounts.add_employer(employer.name, now, employer.account_id)
        employers[employer.account_id] = account
        for entity in employer.legal_entities:
            existing = await legal_entities.by_hashed_id(entity.hashed_id)
            if existing is None:
                existing = await accounts.add_legal_entity(
                    OwnerRef(OwnerKind.EMPLOYER, employer.account_id),
                    entity.name,
                    now,
                    entity.hashed_id,
                )
            elif existing.organisation_id != account.id:
                raise DemoError(
                    f"legal entity {entity.hashed_id} belongs to another employer than the "
                    f"demo's {employer.account_id}; the demo data cannot be loaded here"
                )
            entities[entity.hashed_id] = existing
    providers: dict[str, Organisation] = {}
    for provider in PROVIDERS:
        providers[provider.ukprn] = await organisations.find(
            OwnerKind.PROVIDER, provider.ukprn
        ) or await accounts.add_provider(provider.ukprn, provider.name, now)
        for hashed_id, permission in provider.permissions:
            # Re-granted every time, so the manifest stays true if someone changed it.
            await accounts.grant_permission(
                OwnerRef(OwnerKind.PROVIDER, provider.ukprn), hashed_id, permission, now
            )
    developer = await organisations.find_by_email(DEVELOPER_EMAIL) or await accounts.add_developer(
        DEVELOPER_EMAIL, now, DEVELOPER_NAME
    )
    return _DemoRows(employers, entities, providers, developer)


async def _parties(session: AsyncSession, organisations: _DemoRows) -> list[AdvertParty]:
    shipped = {standard.lars_code for standard in shipped_standards()}
    # Only the shipped standards, whose titles the demo's wording was written for, and
    # only while active (an operator's import may have withdrawn some).
    courses = sorted(
        (
            Course(standard.lars_code, standard.title, standard.level, route)
            for standard, route in await ReferenceDataRepository(session).active_standards()
            if standard.lars_code in shipped
        ),
        key=lambda course: course.lars_code,
    )
    if not courses:
        raise DemoError("no shipped standard is active, so there is nothing to advertise")
    permitted: dict[str, list[int]] = {}
    for provider in PROVIDERS:
        for hashed_id, _permission in provider.permissions:
            permitted.setdefault(hashed_id, []).append(organisations.providers[provider.ukprn].id)
    everyone = tuple(organisations.providers[provider.ukprn].id for provider in PROVIDERS)
    return [
        AdvertParty(
            employer=employer,
            employer_id=organisations.employers[employer.account_id].id,
            legal_entity=entity,
            legal_entity_id=organisations.legal_entities[entity.hashed_id].id,
            # A provider the legal entity lets recruit for it, as in real adverts placed
            # by providers; entities that gave no permission name the providers that
            # train for the employer, or any provider.
            provider_ids=tuple(permitted.get(entity.hashed_id, ()))
            or tuple(organisations.providers[ukprn].id for ukprn in employer.providers)
            or everyone,
            courses=courses_for(employer, courses),
        )
        for employer in EMPLOYERS
        for entity in employer.legal_entities
    ]


async def _manifest(
    repository: DemoRepository, organisations: _DemoRows, today: date
) -> dict[str, Any]:
    return {
        "employers": [
            {
                "accountId": employer.account_id,
                "name": organisations.employers[employer.account_id].name,
                "legalEntities": [
                    {
                        "publicHashedId": entity.hashed_id,
                        "name": organisations.legal_entities[entity.hashed_id].name,
                    }
                    for entity in employer.legal_entities
                ],
            }
            for employer in EMPLOYERS
        ],
        "providers": [
            {
                "ukprn": int(provider.ukprn),
                "name": organisations.providers[provider.ukprn].name,
                "permissions": [
                    {"legalEntityPublicHashedId": hashed_id, "permission": permission}
                    for hashed_id, permission in provider.permissions
                ],
            }
            for provider in PROVIDERS
        ],
        "developers": [{"email": organisations.developer.email}],
        "vacancies": {
            "live": await repository.live_count(Environment.LIVE, today),
            "references": [
                str(reference)
                for reference in await repository.live_references(
                    Environment.LIVE, today, MANIFEST_REFERENCES
                )
            ],
        },
        "apprenticeships": await _apprenticeships_manifest(repository),
    }


async def _ensure_apprenticeships(session: AsyncSession, now: datetime) -> None:
    await import_apprenticeships(session, (a.json_line() for a in APPRENTICESHIPS), now)


async def _apprenticeships_manifest(repository: DemoRepository) -> list[dict[str, Any]]:
    ksbs = KsbRepository(repository.session)
    by_standard = {
        code: await ksbs.for_standard(code) for code in {a.lars_code for a in APPRENTICESHIPS}
    }
    entries = []
    for record in APPRENTICESHIPS:
        option = record.option or "core"
        valid = [
            k.id
            for k in by_standard[record.lars_code]
            if "core" in k.options or option in k.options
        ]
        entries.append(
            {
                "uln": record.uln,
                "plannedStartDate": record.planned_start,
                "ukprn": int(record.ukprn),
                "larsCode": record.lars_code,
                "option": option,
                "deliveryModel": record.delivery_model,
                "status": record.status,
                "case": record.case,
                "ksbIds": valid[:MANIFEST_KSBS],
            }
        )
    return entries
