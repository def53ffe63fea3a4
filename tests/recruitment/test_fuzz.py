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
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apprenticeships.app import Platform
from apprenticeships.settings import Settings
from tests.conftest import client_for
from tests.recruitment import bodies
from tests.recruitment.conftest import build_recruiting

DOCUMENT = "/docs/recruitment/v1/openapi.json"
CREATE = ("/managevacancies/vacancy/{id}", "POST")
KEY_HEADER = "Ocp-Apim-Subscription-Key"
# The document's servers are public URLs; the in-process app is called at the bare path.
LIVE = ("http://testserver", "employer")
SANDBOX = ("http://testserver/sandbox", "employer_sandbox")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Per operation and generation mode; each example is sent live and to the sandbox: 1,000
# requests, about three seconds on two cores.
EXAMPLES = 50


@dataclass
class World:
    schema: schemathesis.BaseSchema
    legal_entity: str
    keys: dict[str, str]

    def call_and_validate(
        self, case: schemathesis.Case, base_url: str, key: str
    ) -> schemathesis.Response:
        return case.call_and_validate(
            base_url=base_url, headers={KEY_HEADER: self.keys[key]}, checks=CHECKS
        )


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
    # Loading the document starts the platform's lifespan; schemathesis's pytest plugin
    # ends it when the test is torn down.
    return World(schemathesis.openapi.from_asgi(DOCUMENT, platform), legal_entity, keys)


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
    """Each operation and generation mode is fuzzed on its own, and every failure is
    reported, not only the first. Schemathesis's pytest integration (``from_fixture``) is
    not used: it sets ``Node._nodeid``, which pytest 9.2 no longer has."""
    failures: list[str] = []
    operations = [result.ok() for result in world.schema.get_all_operations()]
    assert len(operations) == 5, [operation.label for operation in operations]
    for operation in operations:
        for mode in schemathesis.GenerationMode:

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                # One function per operation and mode: a shared example database would
                # replay one operation's examples against another.
                database=None,
                suppress_health_check=[
                    HealthCheck.too_slow,
                    HealthCheck.filter_too_much,
                    HealthCheck.data_too_large,
                    HealthCheck.large_base_example,
                ],
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case: schemathesis.Case) -> None:
                _name_own_legal_entity(case, world.legal_entity)
                for base_url, key in (LIVE, SANDBOX):
                    world.call_and_validate(case, base_url, key)

            try:
                fuzz()
            except (Exception, schemathesis.errors.FailureGroup) as error:
                failures.append(f"{operation.label} ({mode.value} data):\n{error}")
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
