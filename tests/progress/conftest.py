from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.app import Platform
from apprenticeships.referencedata.ksbs import ParsedKsb, StandardKsbs, store_ksbs
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import Apprenticeship, Organisation, Standard
from tests import builders
from tests.conftest import PlatformFactory, client_for

FLEXI = 9101  # a standard without options
OPTIONAL = 9102  # a standard with options "Option A" and "Option B"


def ksb_id(lars_code: int, code: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"test-ksb/{lars_code}/{code}"))


async def add_standard(
    sessions: async_sessionmaker[AsyncSession],
    lars_code: int,
    options: dict[str, tuple[str, ...]],
) -> None:
    """A standard whose KSBs are given as {code: options}."""
    kinds = {"K": "Knowledge", "S": "Skill", "B": "Behaviour"}
    parsed = StandardKsbs(
        options=tuple(sorted({o for opts in options.values() for o in opts} - {"core"})),
        ksbs=tuple(
            ParsedKsb(ksb_id(lars_code, code), kinds[code[0]], code, f"{code} of {lars_code}", opts)
            for code, opts in options.items()
        ),
    )
    async with unit_of_work(sessions) as session:
        standard = Standard(
            lars_code=lars_code,
            ifate_reference=f"ST{lars_code}",
            title=f"Standard {lars_code}",
            level=3,
            route_id=1,
            apprenticeship_type="Apprenticeship",
            status="Approved for delivery",
            is_active=True,
            options=[],
        )
        session.add(standard)
        await session.flush()
        await store_ksbs(session, standard, parsed)


async def add_record(
    sessions: async_sessionmaker[AsyncSession],
    *,
    ukprn: str,
    employer: str,
    uln: int,
    planned: str = "2026-01",
    lars_code: int = FLEXI,
    option: str | None = None,
    delivery_model: str = "PortableFlexiJob",
    status: str = "Live",
    start_day: int = 1,
    stop: date | None = None,
) -> None:
    year, month = (int(part) for part in planned.split("-"))
    async with unit_of_work(sessions) as session:
        repository_ids = {}
        for kind, public_id in (("provider", ukprn), ("employer", employer)):
            repository_ids[kind] = await session.scalar(
                select(Organisation.id).where(
                    Organisation.kind == kind, Organisation.public_id == public_id
                )
            )
        session.add(
            Apprenticeship(
                uln=uln,
                planned_start=date(year, month, 1),
                provider_id=repository_ids["provider"],
                employer_id=repository_ids["employer"],
                lars_code=lars_code,
                option=option,
                delivery_model=delivery_model,
                status=status,
                start_date=date(year, month, start_day),
                stop_date=stop,
                created_at=builders.now(),
            )
        )


# ULNs of the world's records, by what they are for.
ULN = {
    "flexi": 1000000001,
    "regular": 1000000002,
    "waiting": 1000000003,
    "needs_option": 1000000004,
    "with_option": 1000000005,
    "two_records": 1000000006,
    "no_delivery": 1000000007,
    "other_provider": 1000000008,
}


@dataclass
class Tracking:
    platform: Platform
    http: httpx.AsyncClient
    keys: dict[str, str]

    def path(self, uln: int | str, planned: str = "2026-01") -> str:
        return f"/trackprogress/apprenticeships/{uln}/{planned}/progress"

    async def post(
        self,
        uln: int | str,
        body: Any,
        key: str = "provider",
        planned: str = "2026-01",
        raw: bytes | None = None,
    ) -> httpx.Response:
        prefix = "/sandbox" if key.endswith("sandbox") else ""
        return await self.http.post(
            prefix + self.path(uln, planned),
            headers={"Ocp-Apim-Subscription-Key": self.keys[key], "X-Version": "1"},
            **({"content": raw} if raw is not None else {"json": body}),
        )

    async def get(self, path: str, key: str = "provider") -> httpx.Response:
        prefix = "/sandbox" if key.endswith("sandbox") else ""
        return await self.http.get(
            prefix + path,
            headers={"Ocp-Apim-Subscription-Key": self.keys[key], "X-Version": "1"},
        )


def progress(*items: tuple[Any, Any]) -> dict[str, Any]:
    return {"progress": {"ksbs": [{"id": i, "value": v} for i, v in items]}}


async def build_tracking(platform: Platform, http: httpx.AsyncClient) -> Tracking:
    sessions, secret = platform.sessions, platform.secret_key
    employer = await builders.create_employer(sessions, "Acme Engineering")
    provider = await builders.create_provider(sessions, "10000001", "Northfield College")
    other = await builders.create_provider(sessions, "10000002", "Southgate Training")
    await add_standard(
        sessions, FLEXI, {"K1": ("core",), "K2": ("core",), "S1": ("core",), "B1": ("core",)}
    )
    await add_standard(
        sessions,
        OPTIONAL,
        {
            "K1": ("core",),
            "K2": ("Option A",),
            "S1": ("Option B",),
            "B1": ("core",),
        },
    )
    mine = {"ukprn": provider, "employer": employer}
    await add_record(sessions, **mine, uln=ULN["flexi"])
    await add_record(sessions, **mine, uln=ULN["regular"], delivery_model="Regular")
    await add_record(sessions, **mine, uln=ULN["waiting"], status="WaitingToStart")
    await add_record(sessions, **mine, uln=ULN["needs_option"], lars_code=OPTIONAL)
    await add_record(
        sessions, **mine, uln=ULN["with_option"], lars_code=OPTIONAL, option="Option A"
    )
    await add_record(sessions, **mine, uln=ULN["two_records"])
    await add_record(sessions, **mine, uln=ULN["two_records"], start_day=20)
    await add_record(
        sessions,
        **mine,
        uln=ULN["no_delivery"],
        status="Stopped",
        start_day=5,
        stop=date(2026, 1, 5),
    )
    await add_record(sessions, ukprn=other, employer=employer, uln=ULN["other_provider"])

    async def key(owner: str, product: str) -> str:
        return (await builders.issue_key(sessions, secret, owner, product)).secret

    keys = {
        "provider": await key(f"provider:{provider}", "track-progress"),
        "provider_sandbox": await key(f"provider:{provider}", "track-progress-sandbox"),
        "other_provider": await key(f"provider:{other}", "track-progress"),
    }
    return Tracking(platform, http, keys)


@pytest.fixture
async def tracking(platform_factory: PlatformFactory, database_url: str) -> AsyncIterator[Tracking]:
    async with (
        platform_factory(database_url=database_url, rate_limit="1000000/300") as platform,
        client_for(platform) as http,
    ):
        yield await build_tracking(platform, http)


@pytest.fixture
async def tracking_sqlite(platform_factory: PlatformFactory) -> AsyncIterator[Tracking]:
    async with (
        platform_factory(rate_limit="1000000/300") as platform,
        client_for(platform) as http,
    ):
        yield await build_tracking(platform, http)
