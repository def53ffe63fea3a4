"""Builders for test data, separate from fixtures: each makes one thing through the real
services and commits it, as the CLI or portal would."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.service import AccountService, OwnerRef
from apprenticeships.app import Platform
from apprenticeships.catalog.products import parse_product_reference
from apprenticeships.keys.service import IssuedKey, KeyService
from apprenticeships.settings import RateLimitRule
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.vacancies.repository import VacancyRepository


def now() -> datetime:
    return datetime.now(UTC)


async def create_employer(
    sessions: async_sessionmaker[AsyncSession], name: str = "Acme Engineering Ltd"
) -> str:
    async with unit_of_work(sessions) as session:
        return (await AccountService(session).add_employer(name, now())).public_id


async def create_provider(
    sessions: async_sessionmaker[AsyncSession],
    ukprn: str = "10000001",
    name: str = "Northfield College",
) -> str:
    async with unit_of_work(sessions) as session:
        return (await AccountService(session).add_provider(ukprn, name, now())).public_id


async def create_developer(
    sessions: async_sessionmaker[AsyncSession], email: str = "dev@example.com"
) -> str:
    async with unit_of_work(sessions) as session:
        await AccountService(session).add_developer(email, now())
    return email


async def issue_key(
    sessions: async_sessionmaker[AsyncSession],
    secret_key: bytes,
    owner: str,
    product: str = "display-advert",
    name: str = "",
) -> IssuedKey:
    chosen, environment = parse_product_reference(product)
    async with unit_of_work(sessions) as session:
        return await KeyService(session, secret_key).issue(
            OwnerRef.parse(owner), chosen, environment, now(), name
        )


async def revoke_key(
    sessions: async_sessionmaker[AsyncSession], secret_key: bytes, key_id: str
) -> None:
    async with unit_of_work(sessions) as session:
        await KeyService(session, secret_key).revoke(key_id, now())


async def rotate_key(
    sessions: async_sessionmaker[AsyncSession], secret_key: bytes, key_id: str, grace: timedelta
) -> IssuedKey:
    async with unit_of_work(sessions) as session:
        return await KeyService(session, secret_key).rotate(key_id, grace, now())


async def set_limit(
    sessions: async_sessionmaker[AsyncSession],
    secret_key: bytes,
    product: str,
    rule: str,
    owner: str | None = None,
) -> None:
    chosen, environment = parse_product_reference(product)
    async with unit_of_work(sessions) as session:
        await KeyService(session, secret_key).set_limit(
            chosen,
            environment,
            RateLimitRule.parse(rule),
            now(),
            OwnerRef.parse(owner) if owner else None,
        )


async def developer_key(platform: Platform, product: str = "display-advert") -> str:
    """A new developer's key for ``product`` on a running platform."""
    email = await create_developer(platform.sessions, f"dev-{uuid.uuid4().hex[:8]}@example.com")
    return (
        await issue_key(platform.sessions, platform.secret_key, f"developer:{email}", product)
    ).secret


async def create_legal_entity(
    sessions: async_sessionmaker[AsyncSession], employer: str, name: str = "Acme Engineering Ltd"
) -> str:
    async with unit_of_work(sessions) as session:
        entity = await AccountService(session).add_legal_entity(
            OwnerRef.parse(f"employer:{employer}"), name, now()
        )
        return entity.public_hashed_id


async def grant_permission(
    sessions: async_sessionmaker[AsyncSession],
    ukprn: str,
    legal_entity: str,
    permission: str = "Recruitment",
) -> None:
    async with unit_of_work(sessions) as session:
        await AccountService(session).grant_permission(
            OwnerRef.parse(f"provider:{ukprn}"), legal_entity, permission, now()
        )


_next_vacancy = itertools.count(1)


async def create_vacancy(
    sessions: async_sessionmaker[AsyncSession],
    *,
    employer: str,
    legal_entity: str,
    ukprn: str,
    environment: str = "live",
    status: str = "Live",
    title: str = "Apprentice Software Developer",
    lars_code: int = 2,
    posted: datetime | None = None,
    closing_in_days: int = 20,
    start_in_days: int = 60,
    addresses: list[tuple[float, float]] | None = None,
    national: bool = False,
    employer_name: str | None = None,
    anonymous: bool = False,
    wage_type: str = "Custom",
    updated: datetime | None = None,
    application_url: str | None = None,
    data_source: str = "Raa",
) -> int:
    """An advert (through the repository, as the Recruitment API will store it); returns
    its reference. ``addresses`` are (latitude, longitude) pairs; default one in Leeds.
    With ``application_url`` people apply on that site, otherwise through the service.
    ``data_source`` is where it was published (``Raa``, ``Nhs``, ``Csj``)."""
    moment = now()
    async with unit_of_work(sessions) as session:
        repository = VacancyRepository(session)
        employer_id = await repository.organisation_id("employer", employer)
        provider_id = await repository.organisation_id("provider", ukprn)
        legal_entity_id = await repository.legal_entity_id(legal_entity)
        assert employer_id and provider_id and legal_entity_id
        (vacancy_id,) = await repository.next_ids(1)
        reference = 1_000_100_000 + next(_next_vacancy) * 7
        points = [] if national else (addresses or [(53.7997, -1.5492)])
        await repository.bulk_insert(
            [
                {
                    "id": vacancy_id,
                    "reference": reference,
                    "environment": environment,
                    "status": status,
                    "title": title,
                    "short_description": "Join our team and learn on the job while you study.",
                    "description": "<p>A full description of the role.</p>",
                    "number_of_positions": 2,
                    "posted_at": posted or moment,
                    "closing_date": (moment + timedelta(days=closing_in_days)).date(),
                    "start_date": (moment + timedelta(days=start_in_days)).date(),
                    "wage_type": wage_type,
                    "wage_amount": Decimal("18500.00") if wage_type == "Custom" else None,
                    "wage_unit": "Annually" if wage_type == "Custom" else "Unspecified",
                    "wage_additional_information": None,
                    "working_week_description": "Monday to Friday, 9am to 5pm",
                    "hours_per_week": Decimal("37.5"),
                    "duration": 18,
                    "duration_unit": "Month",
                    "employer_id": employer_id,
                    "legal_entity_id": legal_entity_id,
                    "provider_id": provider_id,
                    "employer_name_option": "Anonymous" if anonymous else "RegisteredName",
                    "employer_name": employer_name
                    or ("A leading engineering firm" if anonymous else "Acme Engineering Ltd"),
                    "anonymous_reason": "Confidential role" if anonymous else None,
                    "employer_description": "<p>We make things.</p>",
                    "employer_website_url": None if anonymous else "https://acme.example.com",
                    "employer_contact_name": None if anonymous else "Sam Jones",
                    "employer_contact_email": None if anonymous else "sam@acme.example.com",
                    "employer_contact_phone": None,
                    "lars_code": lars_code,
                    "is_disability_confident": True,
                    "is_national": national,
                    "national_details": "<p>Anywhere in England.</p>" if national else None,
                    "training_description": "<p>Day release at college.</p>",
                    "additional_training_description": None,
                    "outcome_description": "<p>A permanent job.</p>",
                    "things_to_consider": None,
                    "company_benefits_information": None,
                    "skills": ["Communication skills", "IT skills"],
                    "qualifications": [
                        {
                            "qualificationType": "GCSE",
                            "subject": "Maths",
                            "grade": "4",
                            "weighting": "Essential",
                        }
                    ],
                    "application_method": "ThroughExternalApplicationSite"
                    if application_url
                    else "ThroughFindAnApprenticeship",
                    "application_url": application_url,
                    "application_instructions": None,
                    "data_source": data_source,
                    "created_at": updated or moment,
                    "updated_at": updated or moment,
                }
            ],
            [
                {
                    "vacancy_id": vacancy_id,
                    "position": position,
                    "line1": f"{10 + position} High Street",
                    "line2": None,
                    "line3": None,
                    "line4": "Leeds",
                    "postcode": "LS1 4AB",
                    "latitude": latitude,
                    "longitude": longitude,
                }
                for position, (latitude, longitude) in enumerate(points)
            ],
        )
    return reference
