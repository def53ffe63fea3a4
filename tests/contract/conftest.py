"""One platform and one seeding for the whole contract suite: the demo data set (its
organisations, permissions, apprenticeship records with their KSBs, and a few dozen
adverts) plus a handful of adverts made with the builders, each with a known shape
(located, in two places, national, anonymous, applied for elsewhere), under a training
provider of their own so searches can pick exactly them out.

The platform runs on an event loop of its own, so every fixture case can be a plain
test that replays one request (tests stay independent: no case changes what another
reads, and the adverts the Recruitment cases create wait for review, so they never
appear in searches)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from apprenticeships.app import Platform
from apprenticeships.demo.organisations import EMPLOYERS, PROVIDERS, RECRUITMENT
from apprenticeships.demo.service import KEY_EMPLOYER, KEY_PROVIDER, issue_demo_keys, seed
from apprenticeships.settings import Settings
from apprenticeships.storage.engine import unit_of_work
from tests import builders
from tests.conftest import client_for
from tests.contract import contract
from tests.support import services

LEEDS = (53.7997, -1.5492)
YORK = (53.9590, -1.0815)
LONDON = (51.5074, -0.1278)
# The builders' adverts have a training provider of their own.
CONTRACT_UKPRN = "10009901"
DEMO_ADVERTS = 40
# The demo apprenticeship records the Track progress cases use (demo/apprenticeships.py).
RECORDS = {
    "flexi": 7010000001,
    "regular": 7010000003,
    "waiting": 7010000004,
    "needs_option": 7010000005,
    "two_records": 7010000006,
    "no_delivery": 7010000007,
    "other_provider": 7010000008,
}


@dataclass
class World:
    platform: Platform
    loop: asyncio.AbstractEventLoop
    keys: dict[str, str]
    variables: dict[str, Any]
    decisions: dict[str, contract.Decision]

    def exchange(self, sent: contract.Sent) -> contract.Received:
        return self.loop.run_until_complete(self._send(sent))

    async def _send(self, sent: contract.Sent) -> contract.Received:
        headers = dict(sent.headers)
        if sent.key is not None:
            headers["Ocp-Apim-Subscription-Key"] = self.keys[sent.key]
        content: dict[str, Any] = {}
        if sent.raw is not None:
            content["content"] = sent.raw
        elif sent.body is not None:
            content["json"] = sent.body
        async with client_for(self.platform) as http:
            response = await http.request(
                sent.method, sent.path, params=sent.query, headers=headers, **content
            )
        return contract.Received(
            response.status_code,
            {name.lower(): value for name, value in response.headers.items()},
            response.text,
        )

    def verify(self, case: contract.Case) -> None:
        """Replay ``case`` and fail with every difference from the real service."""
        sent = contract.prepare(case, self.variables)
        received = self.exchange(sent)
        mismatches = contract.compare(case, received, self.variables)
        if mismatches:
            pytest.fail(
                contract.report(case, sent, received, mismatches, self.decisions),
                pytrace=False,
            )


@pytest.fixture(scope="package")
def world(
    tmp_path_factory: pytest.TempPathFactory, sqlite_databases: services.SqliteDatabases
) -> Iterator[World]:
    settings = Settings(
        database_url=sqlite_databases.new(),
        var_dir=tmp_path_factory.mktemp("contract"),
        secret_key="contract-tests-secret-not-for-production",
        rate_limit="1000000/300",
        access_log=False,
        _env_file=None,  # type: ignore[call-arg]
    )
    platform = Platform(settings)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(platform.startup())
    try:
        keys, variables = loop.run_until_complete(_seed(platform))
        yield World(platform, loop, keys, variables, contract.load_decisions())
    finally:
        loop.run_until_complete(platform.shutdown())
        loop.close()


async def _seed(platform: Platform) -> tuple[dict[str, str], dict[str, Any]]:
    sessions, secret = platform.sessions, platform.secret_key
    now = builders.now()
    async with unit_of_work(sessions) as session:
        manifest = await seed(session, now, vacancies=DEMO_ADVERTS, sandbox_vacancies=0)
    async with unit_of_work(sessions) as session:
        demo_keys = await issue_demo_keys(session, secret, now)

    employer = KEY_EMPLOYER.account_id
    legal_entity = KEY_EMPLOYER.legal_entities[0].hashed_id
    # A provider the first demo legal entity lets recruit for it without review.
    recruiting = next(p for p in PROVIDERS if (legal_entity, RECRUITMENT) in p.permissions)
    other_legal_entity = EMPLOYERS[1].legal_entities[0].hashed_id
    assert other_legal_entity not in {e.hashed_id for e in KEY_EMPLOYER.legal_entities}

    async def key(owner: str, product: str) -> str:
        return (await builders.issue_key(sessions, secret, owner, product)).secret

    keys = {
        "display_developer": demo_keys["display-advert"],
        "display_employer": await key(f"employer:{employer}", "display-advert"),
        "display_provider": await key(f"provider:{recruiting.ukprn}", "display-advert"),
        "recruitment_employer": demo_keys["recruitment"],
        "recruitment_employer_sandbox": demo_keys["recruitment-sandbox"],
        "recruitment_provider": await key(f"provider:{recruiting.ukprn}", "recruitment"),
        "track_progress_provider": demo_keys["track-progress"],
        "track_progress_provider_sandbox": demo_keys["track-progress-sandbox"],
    }

    adverts = await _builder_adverts(platform)
    await platform.vacancy_indexes.reload()

    records = {entry["uln"]: entry for entry in manifest["apprenticeships"]}
    flexi = records[RECORDS["flexi"]]
    assert flexi["ukprn"] == int(KEY_PROVIDER.ukprn) and flexi["ksbIds"]
    today = now.date()
    variables: dict[str, Any] = {
        **{f"ref_{name}": str(reference) for name, reference in adverts.items()},
        "contract_ukprn": int(CONTRACT_UKPRN),
        "missing_reference": "1099999999",
        "employer_legal_entity": legal_entity,
        "other_legal_entity": other_legal_entity,
        "recruiting_ukprn": int(recruiting.ukprn),
        "closing_date": f"{today + timedelta(days=21)}T00:00:00Z",
        "start_date": f"{today + timedelta(days=60)}T00:00:00Z",
        "ksb_flexi_2": flexi["ksbIds"][1],
    }
    # Each demo apprenticeship record by what it is for: its ULN, planned start month and
    # a KSB id valid for its standard and option.
    for name, uln in RECORDS.items():
        record = records[uln]
        variables[f"uln_{name}"] = record["uln"]
        variables[f"planned_{name}"] = record["plannedStartDate"]
        if record["ksbIds"]:
            variables[f"ksb_{name}"] = record["ksbIds"][0]
    return keys, variables


async def _builder_adverts(platform: Platform) -> dict[str, int]:
    sessions = platform.sessions
    employer = await builders.create_employer(sessions, "Contract Test Engineering")
    legal_entity = await builders.create_legal_entity(
        sessions, employer, "Contract Test Engineering Ltd"
    )
    provider = await builders.create_provider(sessions, CONTRACT_UKPRN, "Contract Test College")
    await builders.grant_permission(sessions, provider, legal_entity)
    parties = {"employer": employer, "legal_entity": legal_entity, "ukprn": provider}
    named = {**parties, "employer_name": "Contract Test Engineering Ltd"}
    now = builders.now()
    return {
        "leeds": await builders.create_vacancy(
            sessions, **named, addresses=[LEEDS], posted=now - timedelta(days=1)
        ),
        "york": await builders.create_vacancy(
            sessions,
            **named,
            addresses=[YORK],
            lars_code=196,
            title="Business Administrator Apprentice",
            posted=now - timedelta(days=5),
        ),
        "two_places": await builders.create_vacancy(
            sessions,
            **named,
            addresses=[LONDON, LEEDS],
            title="Plumbing Apprentice",
            posted=now - timedelta(days=10),
        ),
        "national": await builders.create_vacancy(
            sessions, **named, national=True, posted=now - timedelta(days=2)
        ),
        "anonymous": await builders.create_vacancy(
            sessions,
            **parties,
            anonymous=True,
            addresses=[LONDON],
            posted=now - timedelta(days=3),
        ),
        "external": await builders.create_vacancy(
            sessions,
            **named,
            addresses=[LEEDS],
            wage_type="NationalMinimum",
            application_url="https://jobs.contract-test.example/apply/42",
            posted=now - timedelta(days=4),
        ),
    }
