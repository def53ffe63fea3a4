from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from apprenticeships.app import Platform
from tests import builders
from tests.conftest import PlatformFactory, client_for


@dataclass
class Recruiting:
    """A platform with two employers, three providers with different permissions for the
    first employer's legal entity, and Recruitment API keys for each."""

    platform: Platform
    http: httpx.AsyncClient
    employer: str
    legal_entity: str
    other_employer: str
    other_legal_entity: str
    provider: str  # Recruitment permission for legal_entity
    reviewed_provider: str  # RecruitmentRequiresReview for legal_entity
    stranger_provider: str  # no permission
    keys: dict[str, str]

    async def post(
        self,
        body: Any,
        key: str = "employer",
        client_id: str | None = None,
        *,
        raw: bytes | None = None,
    ) -> httpx.Response:
        prefix = "/sandbox" if key.endswith("sandbox") else ""
        return await self.http.post(
            f"{prefix}/managevacancies/vacancy/{client_id or uuid.uuid4()}",
            headers={"Ocp-Apim-Subscription-Key": self.keys[key], "X-Version": "1"},
            **({"content": raw} if raw is not None else {"json": body}),
        )

    async def get(
        self, path: str, key: str = "employer", version: str = "1", **params: Any
    ) -> httpx.Response:
        prefix = "/sandbox" if key.endswith("sandbox") else ""
        return await self.http.get(
            prefix + path,
            params=params,
            headers={"Ocp-Apim-Subscription-Key": self.keys[key], "X-Version": version},
        )


async def build_recruiting(platform: Platform, http: httpx.AsyncClient) -> Recruiting:
    sessions, secret = platform.sessions, platform.secret_key
    employer = await builders.create_employer(sessions, "Acme Engineering")
    other_employer = await builders.create_employer(sessions, "Brightway Care")
    legal_entity = await builders.create_legal_entity(sessions, employer, "Acme Engineering Ltd")
    other_legal_entity = await builders.create_legal_entity(
        sessions, other_employer, "Brightway Care Ltd"
    )
    provider = await builders.create_provider(sessions, "10000001", "Northfield College")
    reviewed = await builders.create_provider(sessions, "10000002", "Southgate Training")
    stranger = await builders.create_provider(sessions, "10000003", "Eastway Academy")
    await builders.grant_permission(sessions, provider, legal_entity, "Recruitment")
    await builders.grant_permission(sessions, reviewed, legal_entity, "RecruitmentRequiresReview")
    await builders.create_developer(sessions)

    async def key(owner: str, product: str = "recruitment") -> str:
        return (await builders.issue_key(sessions, secret, owner, product)).secret

    keys = {
        "employer": await key(f"employer:{employer}"),
        "employer_sandbox": await key(f"employer:{employer}", "recruitment-sandbox"),
        "other_employer": await key(f"employer:{other_employer}"),
        "provider": await key(f"provider:{provider}"),
        "provider_sandbox": await key(f"provider:{provider}", "recruitment-sandbox"),
        "reviewed_provider": await key(f"provider:{reviewed}"),
        "stranger_provider": await key(f"provider:{stranger}"),
        "display": await key("developer:dev@example.com", "display-advert"),
        "display_sandbox": await key("developer:dev@example.com", "display-advert-sandbox"),
    }
    return Recruiting(
        platform,
        http,
        employer,
        legal_entity,
        other_employer,
        other_legal_entity,
        provider,
        reviewed,
        stranger,
        keys,
    )


@pytest.fixture
async def recruiting(
    platform_factory: PlatformFactory, database_url: str
) -> AsyncIterator[Recruiting]:
    """The world on SQLite and on PostgreSQL."""
    async with (
        platform_factory(database_url=database_url, rate_limit="1000000/300") as platform,
        client_for(platform) as http,
    ):
        yield await build_recruiting(platform, http)


@pytest.fixture
async def recruiting_sqlite(platform_factory: PlatformFactory) -> AsyncIterator[Recruiting]:
    """The world on SQLite only, for the many request-level rule tests."""
    async with (
        platform_factory(rate_limit="1000000/300") as platform,
        client_for(platform) as http,
    ):
        yield await build_recruiting(platform, http)
