"""Fuzz the Recruitment API v1 against the OpenAPI document the platform publishes for it.

Schemathesis reads ``/docs/recruitment/v1/openapi.json`` from the platform in-process
(ASGI, no server), generates requests for every operation in it (ones that fit the
document, and ones that break it on purpose) and sends each through the gateway with a
live and a sandbox key. Every answer must have a documented status code, the documented
content type, a body matching the documented schema and documented headers; never a 5xx.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import strategies as st

from apprenticeships.app import Platform
from apprenticeships.settings import Settings
from tests.conftest import client_for
from tests.recruitment import bodies
from tests.recruitment.conftest import build_recruiting
from tests.support.fuzz import LIVE_URL, SANDBOX_URL, FuzzWorld

DOCUMENT = "/docs/recruitment/v1/openapi.json"
CREATE = ("/managevacancies/vacancy/{id}", "POST")
LIVE = (LIVE_URL, "employer")
SANDBOX = (SANDBOX_URL, "employer_sandbox")


@dataclass
class World(FuzzWorld):
    legal_entity: str = ""


async def _seed(platform: Platform) -> tuple[str, dict[str, str]]:
    """The world of ``recruiting_sqlite``, written before the platform starts. Schemathesis
    starts the platform (its ASGI lifespan) on an event loop of its own, so the connections
    opened here are closed again first."""
    try:
        async with client_for(platform) as http:
            recruiting = await build_recruiting(platform, http)
    finally:
        await platform.engine.dispose()
    return recruiting.legal_entity, recruiting.keys


def _start(settings: Settings) -> World:
    platform = Platform(settings)
    legal_entity, keys = asyncio.run(_seed(platform))
    loaded = FuzzWorld.load(platform, DOCUMENT, keys)
    return World(loaded.schema, loaded.keys, legal_entity)


@pytest.fixture
def world(make_settings: Callable[..., Settings]) -> World:
    return _start(make_settings(rate_limit="1000000/300"))


@pytest.fixture
def small_body_world(make_settings: Callable[..., Settings]) -> World:
    """Bodies over 2 KiB answered 413, so that a failure report shows a short one."""
    return _start(make_settings(rate_limit="1000000/300", max_body_bytes=2048))


def _name_own_legal_entity(case: schemathesis.Case, legal_entity: str) -> None:
    """Generated adverts name an unknown legal entity and stop at 403: name the key's own
    (still a string, as documented) so that the rest of the advert is checked too."""
    if isinstance(case.body, dict) and isinstance(case.body.get("contractingParties"), dict):
        case.body["contractingParties"]["accountLegalEntityPublicHashedId"] = legal_entity


def test_every_operation_answers_as_documented(world: World) -> None:
    assert len(world.operations()) == 5, world.operations()

    def prepare(case: schemathesis.Case, data: st.DataObject) -> None:
        _name_own_legal_entity(case, world.legal_entity)

    failures = world.fuzz((LIVE, SANDBOX), prepare)
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize(("base_url", "key"), [LIVE, SANDBOX], ids=["live", "sandbox"])
def test_a_created_advert_is_answered_as_documented(world: World, base_url: str, key: str) -> None:
    """Generated adverts are almost never accepted: the 201 answer, with a valid one."""
    case = world.schema[CREATE[0]][CREATE[1]].Case(
        path_parameters={"id": str(uuid.uuid4())},
        headers={"X-Version": "1"},
        body=bodies.valid_body(world.legal_entity),
    )
    response = world.call_and_validate(case, base_url, key)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("environment", "headers", "client_id", "status"),
    [
        pytest.param(LIVE, {}, None, 404, id="missing X-Version"),
        pytest.param(LIVE, {"X-Version": "7"}, None, 404, id="unknown X-Version"),
        pytest.param(
            SANDBOX,
            {"X-Version": "1"},
            "00000000-0000-0000-0000-000000000000",
            400,
            id="sandbox: already submitted",
        ),
        pytest.param(
            SANDBOX,
            {"X-Version": "1"},
            "11111111-1111-1111-1111-111111111111",
            429,
            id="sandbox: too many requests",
        ),
    ],
)
def test_gateway_and_sandbox_answers_to_create_are_documented(
    world: World,
    environment: tuple[str, str],
    headers: dict[str, str],
    client_id: str | None,
    status: int,
) -> None:
    """Answers that do not depend on the advert, each sent once so that every run checks
    them, whatever the fuzzing draws."""
    case = world.schema[CREATE[0]][CREATE[1]].Case(
        path_parameters={"id": client_id or str(uuid.uuid4())},
        headers=headers,
        body=bodies.valid_body(world.legal_entity),
    )
    response = world.call_and_validate(case, *environment)
    assert response.status_code == status, response.text


def test_a_body_over_the_size_limit_is_answered_as_documented(small_body_world: World) -> None:
    body = bodies.valid_body(small_body_world.legal_entity)
    body["description"] = "<p>" + "x" * 2048 + "</p>"
    case = small_body_world.schema[CREATE[0]][CREATE[1]].Case(
        path_parameters={"id": str(uuid.uuid4())}, headers={"X-Version": "1"}, body=body
    )
    response = small_body_world.call_and_validate(case, *LIVE)
    assert response.status_code == 413, response.text
