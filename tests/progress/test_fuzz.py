"""Fuzz the Track apprenticeship progress API v1 against the OpenAPI document the platform
publishes for it.

Schemathesis reads ``/docs/track-progress/v1/openapi.json`` from the platform in-process
(ASGI, no server), generates requests for every operation in it (ones that fit the
document, and ones that break it on purpose) and sends each through the gateway with a
live and a sandbox key. Every answer must have a documented status code, the documented
content type, a body matching the documented schema and documented headers; never a 5xx.

Generated ULNs and start dates almost never name a record, and generated KSB ids never
name a KSB: a share of the cases is aimed at the seeded records and their KSBs, so that
the validation rules past the 404 and the 201 answer are fuzzed too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st

from apprenticeships.app import Platform
from apprenticeships.progress.service import SANDBOX_PROGRESS_ID
from apprenticeships.settings import Settings
from tests.conftest import client_for
from tests.progress.conftest import FLEXI, OPTIONAL, ULN, build_tracking, ksb_id, progress
from tests.support.fuzz import LIVE_URL, SANDBOX_URL, FuzzWorld

DOCUMENT = "/docs/track-progress/v1/openapi.json"
PROGRESS = "/trackprogress/apprenticeships/{uln}/{plannedStartDate}/progress"
RECORD = (PROGRESS, "POST")
HISTORY = (PROGRESS, "GET")
COURSE = ("/trackprogress/courses/{larsCode}/ksbs", "GET")
LIVE = (LIVE_URL, "provider")
SANDBOX = (SANDBOX_URL, "provider_sandbox")

CODES = ("K1", "K2", "S1", "B1")
KSBS = {lars_code: [ksb_id(lars_code, code) for code in CODES] for lars_code in (FLEXI, OPTIONAL)}
# The seeded records' standards: a record is aimed at with its own standard's KSBs.
STANDARD = {uln: FLEXI for uln in ULN.values()} | {
    ULN["needs_option"]: OPTIONAL,
    ULN["with_option"]: OPTIONAL,
}
# Half of the aimed cases name the record that accepts progress, the rest any record
# (each breaks a different rule).
KNOWN_ULN = st.one_of(st.just(ULN["flexi"]), st.sampled_from(sorted(ULN.values())))
KNOWN_START = st.sampled_from(["2026-01", "2026-01-01"])
VALID = progress((KSBS[FLEXI][0], 50), (KSBS[FLEXI][2], 100))


async def _seed(platform: Platform) -> dict[str, str]:
    """The world of ``tracking_sqlite``, written before the platform starts. Schemathesis
    starts the platform (its ASGI lifespan) on an event loop of its own, so the connections
    opened here are closed again first."""
    try:
        async with client_for(platform) as http:
            tracking = await build_tracking(platform, http)
    finally:
        await platform.engine.dispose()
    return tracking.keys


@pytest.fixture
def world(make_settings: Callable[..., Settings]) -> FuzzWorld:
    platform = Platform(make_settings(rate_limit="1000000/300"))
    keys = asyncio.run(_seed(platform))
    return FuzzWorld.load(platform, DOCUMENT, keys)


def _case(
    world: FuzzWorld, operation: tuple[str, str], path_parameters: dict[str, Any], **headers: str
) -> schemathesis.Case:
    """A fixed case; a POST sends a valid submission."""
    body = {"body": VALID} if operation == RECORD else {}
    return world.schema[operation[0]][operation[1]].Case(
        path_parameters=path_parameters, headers=headers, **body
    )


def _aim(case: schemathesis.Case, data: st.DataObject) -> None:
    """Point half of the cases at a seeded record or standard, and replace generated KSB
    ids with the record's standard's real ones some of the time."""
    if not data.draw(st.booleans(), label="aimed at a seeded record"):
        return
    if "larsCode" in case.path_parameters:
        case.path_parameters["larsCode"] = data.draw(st.sampled_from([FLEXI, OPTIONAL]))
        return
    uln = data.draw(KNOWN_ULN, label="uln")
    case.path_parameters["uln"] = str(uln)
    case.path_parameters["plannedStartDate"] = data.draw(KNOWN_START, label="plannedStartDate")
    body: Any = case.body
    if not isinstance(body, dict) or not isinstance(body.get("progress"), dict):
        return
    items = body["progress"].get("ksbs")
    if not isinstance(items, list):
        return
    # "all": every KSB is the record's own (201 unless they repeat); "some": a mix of real
    # ids from both standards and generated ones; "none": as generated.
    how = data.draw(st.sampled_from(["all", "some", "none"]), label="real KSB ids")
    own = st.sampled_from(KSBS[STANDARD[uln]])
    either = st.sampled_from(KSBS[FLEXI] + KSBS[OPTIONAL])
    for item in items:
        if not isinstance(item, dict):
            continue
        if how == "all":
            item["id"] = data.draw(own)
        elif how == "some" and data.draw(st.booleans()):
            item["id"] = data.draw(either)


def test_every_operation_answers_as_documented(world: FuzzWorld) -> None:
    assert len(world.operations()) == 3, world.operations()
    failures = world.fuzz((LIVE, SANDBOX), _aim)
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize(
    ("environment", "progress_id"),
    [pytest.param(LIVE, None, id="live"), pytest.param(SANDBOX, SANDBOX_PROGRESS_ID, id="sandbox")],
)
def test_recorded_progress_is_answered_as_documented(
    world: FuzzWorld, environment: tuple[str, str], progress_id: int | None
) -> None:
    """Generated submissions are rarely accepted: the 201 answer, with a valid one."""
    path_parameters = {"uln": str(ULN["flexi"]), "plannedStartDate": "2026-01"}
    case = _case(world, RECORD, path_parameters, **{"X-Version": "1"})
    response = world.call_and_validate(case, *environment)
    assert response.status_code == 201, response.text
    if progress_id is not None:
        assert response.json() == {"progressId": progress_id}


@pytest.mark.parametrize(
    ("operation", "path_parameters"),
    [
        pytest.param(RECORD, {"uln": str(ULN["flexi"]), "plannedStartDate": "2026-01"}, id="POST"),
        pytest.param(HISTORY, {"uln": str(ULN["flexi"]), "plannedStartDate": "2026-01"}, id="GET"),
        pytest.param(COURSE, {"larsCode": FLEXI}, id="course KSBs"),
    ],
)
def test_a_missing_version_is_answered_as_documented(
    world: FuzzWorld, operation: tuple[str, str], path_parameters: dict[str, Any]
) -> None:
    case = _case(world, operation, path_parameters)
    response = world.call_and_validate(case, *LIVE)
    assert response.status_code == 404, response.text


@pytest.mark.parametrize("environment", [LIVE, SANDBOX], ids=["live", "sandbox"])
@pytest.mark.parametrize(
    ("operation", "uln"),
    [
        pytest.param(RECORD, 9999999999, id="POST unknown ULN"),
        pytest.param(HISTORY, 9999999999, id="GET unknown ULN"),
        pytest.param(RECORD, ULN["other_provider"], id="POST another provider's"),
    ],
)
def test_an_apprenticeship_the_caller_cannot_see_is_aspnets_404_problem(
    world: FuzzWorld, environment: tuple[str, str], operation: tuple[str, str], uln: int
) -> None:
    """T5: answers that do not depend on the submission, each sent once so that every run
    checks them, whatever the fuzzing draws."""
    path_parameters = {"uln": str(uln), "plannedStartDate": "2026-01"}
    case = _case(world, operation, path_parameters, **{"X-Version": "1"})
    response = world.call_and_validate(case, *environment)
    assert response.status_code == 404, response.text
    body = response.json()
    assert list(body) == ["type", "title", "status", "traceId"]
    assert body["title"] == "Not Found"


@pytest.mark.parametrize("environment", [LIVE, SANDBOX], ids=["live", "sandbox"])
@pytest.mark.parametrize(
    ("lars_code", "status"),
    [(2**31 - 1, 404), (2**31, 400), (2**63, 400), (0, 400)],
    ids=["int32 max", "beyond int32", "beyond int64", "zero"],
)
def test_lars_codes_out_of_range_are_a_400_and_unknown_ones_a_404(
    world: FuzzWorld, environment: tuple[str, str], lars_code: int, status: int
) -> None:
    """A LARS code is a positive 32-bit number (the document says so); fuzzing draws
    larger ones now and then, which must be a clear 400, never a 500."""
    case = _case(world, COURSE, {"larsCode": lars_code}, **{"X-Version": "1"})
    response = world.call_and_validate(case, *environment)
    assert response.status_code == status, response.text
    if status == 400:
        assert list(response.json()["errors"]) == ["larsCode"]
