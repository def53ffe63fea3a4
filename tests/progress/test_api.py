"""POST and GET /trackprogress/apprenticeships/{uln}/{plannedStartDate}/progress and GET
/trackprogress/courses/{larsCode}/ksbs through the gateway, on SQLite and PostgreSQL:
each rule in its order, isolation between providers, the sandbox, concurrency."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from apprenticeships.progress import binding
from apprenticeships.progress import service as rules
from apprenticeships.progress.repository import ProgressRepository
from apprenticeships.storage.models import ProgressSubmission, ProgressValue
from tests.progress.conftest import FLEXI, OPTIONAL, ULN, Tracking, ksb_id, progress

K1, K2, S1, B1 = (ksb_id(FLEXI, code) for code in ("K1", "K2", "S1", "B1"))
VALID = progress((K1, 50), (S1, 100))
PROBLEM_JSON = "application/problem+json; charset=utf-8"
BAD_REQUEST = "https://tools.ietf.org/html/rfc9110#section-15.5.1"
NOT_FOUND = "https://tools.ietf.org/html/rfc9110#section-15.5.5"
PROGRESS_REQUIRED = "The progress field is required."
DTO = "SFA.DAS.TrackProgress.Application.DTOs.ProgressDto"


def activity_id(response: httpx.Response) -> str:
    """The traceId ASP.NET would write, 00-<trace id>-<span id>-00: the trace id is the
    request id the platform made (32 hex digits), the span id a digest of it."""
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    return f"00-{request_id}-{hashlib.sha256(request_id.encode()).hexdigest()[32:48]}-00"


def assert_listed(response: Any, title: str, errors: list[tuple[str, str]] | None = None) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["title"] == title
    assert body["status"] == 400
    assert body["errors"] == [{"error": e, "description": d} for e, d in (errors or [])]
    # The real API's own ProblemDetails, written as it is: no type, no traceId.
    assert list(body) == ["title", "status", "errors"]


def assert_not_bound(response: httpx.Response, errors: dict[str, list[str]]) -> None:
    """ASP.NET's automatic 400, byte for byte: these keys in this order."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    expected = {
        "type": BAD_REQUEST,
        "title": "One or more validation errors occurred.",
        "status": 400,
        "errors": errors,
        "traceId": activity_id(response),
    }
    assert response.content == json.dumps(expected).encode()
    assert list(response.json()["errors"]) == list(errors)


def assert_not_found(response: httpx.Response) -> None:
    """ASP.NET's problem for NotFound(), byte for byte."""
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    expected = {"type": NOT_FOUND, "title": "Not Found", "status": 404}
    assert response.content == json.dumps({**expected, "traceId": activity_id(response)}).encode()


async def stored_count(world: Tracking) -> tuple[int, int]:
    async with world.platform.sessions() as session:
        submissions = await session.scalar(select(func.count()).select_from(ProgressSubmission))
        values = await session.scalar(select(func.count()).select_from(ProgressValue))
    return int(submissions or 0), int(values or 0)


async def test_progress_is_recorded_and_read_back(tracking: Tracking) -> None:
    first = await tracking.post(ULN["flexi"], VALID)
    assert first.status_code == 201, first.text
    assert set(first.json()) == {"progressId"}
    second = await tracking.post(ULN["flexi"], progress((K1, 100), (B1, 10)), planned="2026-01-01")
    assert second.status_code == 201, second.text
    assert second.json()["progressId"] > first.json()["progressId"]
    assert await stored_count(tracking) == (2, 4)

    history = await tracking.get(tracking.path(ULN["flexi"]))
    assert history.status_code == 200
    body = history.json()
    assert (body["uln"], body["plannedStartDate"], body["larsCode"]) == (
        ULN["flexi"],
        "2026-01",
        FLEXI,
    )
    assert [s["progressId"] for s in body["submissions"]] == [
        second.json()["progressId"],
        first.json()["progressId"],
    ]
    assert body["submissions"][1]["ksbs"] == [{"id": K1, "value": 50}, {"id": S1, "value": 100}]
    latest = {item["code"]: (item["value"], item["progressId"]) for item in body["latest"]}
    assert latest == {
        "K1": (100, second.json()["progressId"]),
        "S1": (100, first.json()["progressId"]),
        "B1": (10, second.json()["progressId"]),
    }
    assert [item["code"] for item in body["latest"]] == ["K1", "S1", "B1"]


@pytest.mark.parametrize(
    ("uln", "message"),
    [
        ("0", binding.ULN_NOT_POSITIVE),
        ("-5", binding.ULN_NOT_POSITIVE),
        ("0xFFFFFFFFFFFFFFFF", binding.ULN_NOT_POSITIVE),  # -1, as .NET reads it
        ("abc", "The value 'abc' is not valid."),
        ("12.5", "The value '12.5' is not valid."),
        ("99999999999999999999", "The value '99999999999999999999' is not valid."),
        ("%20", "The value ' ' is invalid."),
        ("0x", "The input was not valid."),
    ],
)
async def test_T1_a_uln_that_does_not_bind_is_aspnets_validation_problem(
    tracking_sqlite: Tracking, uln: str, message: str
) -> None:
    """T1: ASP.NET's automatic 400, before anything is looked up (the body is not even
    read for its rules), and nothing is stored."""
    response = await tracking_sqlite.post(uln, progress(("not-a-guid", 500)))
    assert_not_bound(response, {"uln": [message]})
    assert await stored_count(tracking_sqlite) == (0, 0)


@pytest.mark.parametrize(
    "planned", ["2026-13", "2026-02-30", "2026-01-32", "2026-01-01T24:00", "someday"]
)
async def test_T1_a_start_date_that_does_not_bind_is_aspnets_validation_problem(
    tracking_sqlite: Tracking, planned: str
) -> None:
    """T1: the date is a DateTime parameter: one ASP.NET cannot read is "not valid"."""
    response = await tracking_sqlite.post(ULN["flexi"], VALID, planned=planned)
    assert_not_bound(response, {"plannedStartDate": [f"The value '{planned}' is not valid."]})


async def test_T1_every_parameter_that_does_not_bind_is_listed_in_aspnets_order(
    tracking_sqlite: Tracking,
) -> None:
    """T1, T4: all of a request's binding errors in one problem, in the order ASP.NET's
    model state lists them: "" first, then the keys' first segments shorter first (``$``
    before ``uln`` before ``progress`` before ``plannedStartDate``), then deeper ones."""
    response = await tracking_sqlite.post("abc", None, planned="someday", raw=b"[]")
    assert_not_bound(
        response,
        {
            "$": [
                f"The JSON value could not be converted to {DTO}. Path: $ | LineNumber: 0 | "
                "BytePositionInLine: 1."
            ],
            "uln": ["The value 'abc' is not valid."],
            "progress": [PROGRESS_REQUIRED],
            "plannedStartDate": ["The value 'someday' is not valid."],
        },
    )
    nested = await tracking_sqlite.post("0", None, raw=b'{"progress": []}')
    assert_not_bound(
        nested,
        {
            "uln": [binding.ULN_NOT_POSITIVE],
            "progress": [PROGRESS_REQUIRED],
            "$.progress": [
                f"The JSON value could not be converted to {DTO}+ProgressDetails. Path: "
                "$.progress | LineNumber: 0 | BytePositionInLine: 14."
            ],
        },
    )
    empty = await tracking_sqlite.post("abc", None, raw=b"")
    assert list(empty.json()["errors"]) == ["", "uln", "progress"]


async def test_T1_reading_progress_binds_the_path_the_same_way(tracking_sqlite: Tracking) -> None:
    """T1: the GET of our own platform reads the path as the POST does."""
    response = await tracking_sqlite.get(tracking_sqlite.path("-1", "2026-99"))
    assert_not_bound(
        response,
        {
            "uln": [binding.ULN_NOT_POSITIVE],
            "plannedStartDate": ["The value '2026-99' is not valid."],
        },
    )
    wrong_day = await tracking_sqlite.get(tracking_sqlite.path(ULN["flexi"], "2026-01-02"))
    assert_listed(wrong_day, rules.START_NOT_FIRST)


async def test_T1_trace_ids_are_aspnets_activity_ids_carrying_the_request_id(
    tracking_sqlite: Tracking,
) -> None:
    """T1: traceId is in ASP.NET's form, 00-<32 hex>-<16 hex>-00; its trace id is the
    X-Request-Id (the id in the platform's logs)."""
    response = await tracking_sqlite.post("abc", VALID)
    trace_id = response.json()["traceId"]
    version, trace, span, flags = trace_id.split("-")
    assert (version, flags) == ("00", "00")
    assert trace == response.headers["x-request-id"]
    assert len(span) == 16 and int(span, 16) >= 0


@pytest.mark.parametrize(
    "planned",
    [
        "2026-01",
        "2026-01-01",
        "2026-1",
        "2026-01-01T00:00:00",
        "2026-01-01T10:30",
        "2026-01-01 10:30:00",
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00.0000000Z",
        "2026-01-01T05:00:00+05:00",
        "2026-01-01T00:00:00-05:00",
    ],
)
async def test_T2_the_start_date_binds_as_aspnet_binds_a_datetime(
    tracking_sqlite: Tracking, planned: str
) -> None:
    """T2: any form ASP.NET's DateTime binding reads (invariant culture); a time with an
    offset counts in UTC."""
    response = await tracking_sqlite.post(ULN["flexi"], VALID, planned=planned)
    assert response.status_code == 201, response.text
    history = await tracking_sqlite.get(tracking_sqlite.path(ULN["flexi"], planned))
    assert history.status_code == 200
    assert [s["progressId"] for s in history.json()["submissions"]] == [
        response.json()["progressId"]
    ]


@pytest.mark.parametrize(
    "planned",
    ["2026-01-15", "2026-01-02", "2026-01-01T00:00:00+01:00", "2026-01-01T23:00:00-05:00"],
)
async def test_T2_the_date_must_still_be_the_first_of_the_month(
    tracking_sqlite: Tracking, planned: str
) -> None:
    """T2: midnight on the 1st an hour ahead of UTC is the 31st in UTC, as in the real API."""
    assert_listed(
        await tracking_sqlite.post(ULN["flexi"], VALID, planned=planned), rules.START_NOT_FIRST
    )


async def test_an_earlier_rule_answers_before_a_later_one(tracking_sqlite: Tracking) -> None:
    # Breaks rule 2 (start date) and rule 8 (bad ids and values): rule 2 answers.
    broken = progress(("not-a-guid", 500))
    assert_listed(
        await tracking_sqlite.post(ULN["regular"], broken, planned="2026-01-15"),
        rules.START_NOT_FIRST,
    )
    # Binding (the ULN) before rule 2.
    assert_not_bound(
        await tracking_sqlite.post("0", broken, planned="2026-01-15"),
        {"uln": [binding.ULN_NOT_POSITIVE]},
    )
    # Rule 5 before rule 7.
    assert_listed(await tracking_sqlite.post(ULN["two_records"], {}), rules.MULTIPLE)


async def test_T5_no_record_is_aspnets_404_problem(tracking: Tracking) -> None:
    """T5: the real API's NotFound() under [ApiController]: a problem with no detail."""
    assert_not_found(await tracking.post(9999999999, VALID))
    assert_not_found(await tracking.post(ULN["flexi"], VALID, planned="2026-02"))
    assert_not_found(await tracking.get(tracking.path(9999999999)))


async def test_another_providers_apprentice_is_exactly_like_a_missing_one(
    tracking: Tracking,
) -> None:
    def shape(response: Any) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        headers = sorted(
            (k, v) for k, v in response.headers.items() if k not in ("x-request-id", "ratelimit")
        )
        assert_not_found(response)  # its traceId is the request's own
        body = {k: v for k, v in response.json().items() if k != "traceId"}
        return response.status_code, body, headers

    theirs = await tracking.post(ULN["other_provider"], VALID)
    absent = await tracking.post(9999999999, VALID)
    assert shape(theirs) == shape(absent)
    assert theirs.status_code == 404
    # Reading is the same.
    assert shape(await tracking.get(tracking.path(ULN["other_provider"]))) == shape(
        await tracking.get(tracking.path(9999999999))
    )
    # And the other provider cannot read or write ours.
    ours = await tracking.post(ULN["flexi"], VALID)
    assert ours.status_code == 201
    assert (await tracking.post(ULN["flexi"], VALID, key="other_provider")).status_code == 404
    assert_not_found(await tracking.get(tracking.path(ULN["flexi"]), key="other_provider"))
    assert await stored_count(tracking) == (1, 2)


async def test_rule_4_records_without_delivery_do_not_count(tracking_sqlite: Tracking) -> None:
    assert_listed(
        await tracking_sqlite.post(ULN["no_delivery"], VALID),
        rules.FAILED,
        [("ApprenticeshipStatus", rules.STATUS)],
    )


async def test_rule_5_more_than_one_record(tracking_sqlite: Tracking) -> None:
    assert_listed(await tracking_sqlite.post(ULN["two_records"], VALID), rules.MULTIPLE)


async def test_rule_6_a_standard_with_options_needs_the_records_option(
    tracking_sqlite: Tracking,
) -> None:
    body = progress((ksb_id(OPTIONAL, "K1"), 10))
    assert_listed(await tracking_sqlite.post(ULN["needs_option"], body), rules.OPTION_REQUIRED)


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ({}, rules.PROGRESS_REQUIRED),
        ({"progress": None}, rules.PROGRESS_REQUIRED),
        ({"Progres": {"ksbs": []}}, rules.PROGRESS_REQUIRED),
        ({"progress": {}}, rules.KSBS_REQUIRED),
        ({"progress": {"ksbs": None}}, rules.KSBS_REQUIRED),
        ({"progress": {"ksbs": []}}, rules.KSBS_REQUIRED),
    ],
)
async def test_rule_7_progress_and_ksbs_must_be_present(
    tracking_sqlite: Tracking, body: Any, title: str
) -> None:
    assert_listed(await tracking_sqlite.post(ULN["flexi"], body), title)


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        (b"", {"": ["A non-empty request body is required."]}),
        (b"null", {"": ["A non-empty request body is required."]}),
        (
            b"   ",
            {
                "$": [
                    "The input does not contain any JSON tokens. Expected the input to start "
                    "with a valid JSON token, when isFinalBlock is true. Path: $ | LineNumber: 0 "
                    "| BytePositionInLine: 3."
                ]
            },
        ),
        (
            b"{not json",
            {
                "$": [
                    "'n' is an invalid start of a property name. Expected a '\"'. Path: $ | "
                    "LineNumber: 0 | BytePositionInLine: 1."
                ]
            },
        ),
        (
            b"\xff\xfe",
            {
                "$": [
                    "'0xFF' is an invalid start of a value. Path: $ | LineNumber: 0 | "
                    "BytePositionInLine: 0."
                ]
            },
        ),
        (
            b"[1, 2]",
            {
                "$": [
                    f"The JSON value could not be converted to {DTO}. Path: $ | LineNumber: 0 | "
                    "BytePositionInLine: 1."
                ]
            },
        ),
        (
            b'"progress"',
            {
                "$": [
                    f"The JSON value could not be converted to {DTO}. Path: $ | LineNumber: 0 | "
                    "BytePositionInLine: 10."
                ]
            },
        ),
        (
            b'{"progress": {"ksbs": "K1"}}',
            {
                "$.progress.ksbs": [
                    "The JSON value could not be converted to System.Collections.Generic.List`1"
                    f"[{DTO}+Ksb]. Path: $.progress.ksbs | LineNumber: 0 | "
                    "BytePositionInLine: 26."
                ]
            },
        ),
        (
            b'{\n  "progress": {\n    "ksbs": [\n      {"id": "x", "value": 5,}\n    ]\n  }\n}',
            {
                "$.progress.ksbs[0]": [
                    "The JSON object contains a trailing comma at the end which is not supported "
                    "in this mode. Change the reader options. Path: $.progress.ksbs[0] | "
                    "LineNumber: 3 | BytePositionInLine: 29."
                ]
            },
        ),
        (
            b'{"progress": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            {
                "$.progress": [
                    f"The JSON value could not be converted to {DTO}+ProgressDetails. Path: "
                    "$.progress | LineNumber: 0 | BytePositionInLine: 14."
                ]
            },
        ),
        (
            b'{"notes": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            {
                "$.notes": [
                    "The maximum configured depth of 32 has been exceeded. Cannot read next "
                    "JSON array. Path: $.notes | LineNumber: 0 | BytePositionInLine: 41."
                ]
            },
        ),
    ],
)
async def test_T4_a_body_that_cannot_be_read_is_a_400_before_any_lookup(
    tracking_sqlite: Tracking, raw: bytes, errors: dict[str, list[str]]
) -> None:
    """T4: ASP.NET's answer for its input formatter (System.Text.Json): no body or JSON
    null is "A non-empty request body is required." under ""; anything else that does not
    read is .NET's own message under its JSON path; either way the parameter is missing
    too. Sent for an apprentice that does not exist: binding comes before the lookup."""
    response = await tracking_sqlite.post(9999999999, None, raw=raw)
    # ASP.NET lists "" and "$" before "progress", and a deeper path after it.
    deeper = any(key not in ("", "$") for key in errors)
    missing = {"progress": [PROGRESS_REQUIRED]}
    assert_not_bound(response, {**missing, **errors} if deeper else {**errors, **missing})


async def test_T4_an_empty_chunked_body_is_read_and_found_empty(tracking_sqlite: Tracking) -> None:
    """T4: with Transfer-Encoding: chunked there is a body to read, so an empty one is
    System.Text.Json's "no JSON tokens" rather than ASP.NET's missing body."""

    async def nothing() -> AsyncIterator[bytes]:
        yield b""

    response = await tracking_sqlite.http.post(
        tracking_sqlite.path(ULN["flexi"]),
        headers={"Ocp-Apim-Subscription-Key": tracking_sqlite.keys["provider"], "X-Version": "1"},
        content=nothing(),
    )
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert_not_bound(
        response,
        {
            "$": [
                "The input does not contain any JSON tokens. Expected the input to start with a "
                "valid JSON token, when isFinalBlock is true. Path: $ | LineNumber: 0 | "
                "BytePositionInLine: 0."
            ],
            "progress": [PROGRESS_REQUIRED],
        },
    )


async def test_T3_property_names_in_any_case_and_numbers_as_strings(tracking: Tracking) -> None:
    """T3: System.Text.Json's web defaults, as the real API reads: property names match in
    any case, and a number may be sent as a string holding a whole number (signed, leading
    zeros, escapes and all)."""
    body = {"PROGRESS": {"Ksbs": [{"ID": K1, "VALUE": "50"}, {"iD": S1, "vAlUe": "+0100"}]}}
    response = await tracking.post(ULN["flexi"], body)
    assert response.status_code == 201, response.text
    escaped = b'{"progress": {"ksbs": [{"id": "%s", "value": "\\u0037"}]}}' % B1.encode()
    assert (await tracking.post(ULN["flexi"], None, raw=escaped)).status_code == 201
    history = (await tracking.get(tracking.path(ULN["flexi"]))).json()
    assert [s["ksbs"] for s in history["submissions"]] == [
        [{"id": B1, "value": 7}],
        [{"id": K1, "value": 50}, {"id": S1, "value": 100}],
    ]
    # A string that is a number out of range binds, then breaks the rule.
    assert_listed(
        await tracking.post(ULN["flexi"], progress((K1, "101"))),
        rules.FAILED,
        [(K1, rules.value_out_of_range(101))],
    )


@pytest.mark.parametrize(
    ("item", "key", "type_name", "position"),
    [
        ({"id": 7, "value": 5}, "id", "System.String", 31),
        ({"id": "x", "value": 50.5}, "value", "System.Nullable`1[System.Int32]", 48),
        ({"id": "x", "value": True}, "value", "System.Nullable`1[System.Int32]", 48),
        ({"id": "x", "value": "5.0"}, "value", "System.Nullable`1[System.Int32]", 49),
        ({"id": "x", "value": 2147483648}, "value", "System.Nullable`1[System.Int32]", 54),
    ],
)
async def test_T3_values_bind_only_to_their_dotnet_types(
    tracking_sqlite: Tracking, item: dict[str, Any], key: str, type_name: str, position: int
) -> None:
    """T3: strings are never read from numbers, and a number must be a whole Int32."""
    raw = json.dumps({"progress": {"ksbs": [item]}}).encode()
    path = f"$.progress.ksbs[0].{key}"
    assert_not_bound(
        await tracking_sqlite.post(ULN["flexi"], None, raw=raw),
        {
            "progress": [PROGRESS_REQUIRED],
            path: [
                f"The JSON value could not be converted to {type_name}. Path: {path} | "
                f"LineNumber: 0 | BytePositionInLine: {position}."
            ],
        },
    )


async def test_rule_8_every_problem_is_reported_together(tracking: Tracking) -> None:
    other_standards_ksb = ksb_id(OPTIONAL, "K1")
    body = {
        "progress": {
            "ksbs": [
                {"id": None, "value": 5},
                {"id": "XXXX", "value": 5},
                {"id": K1, "value": -6},
                {"id": K2, "value": None},
                {"id": S1, "value": 10},
                {"id": S1.upper(), "value": 20},
                {"id": other_standards_ksb, "value": 30},
            ]
        }
    }
    # A regular delivery model and waiting to start: two record problems as well.
    response = await tracking.post(ULN["regular"], body)
    assert_listed(
        response,
        rules.FAILED,
        [
            ("KSBs", rules.NULL_IDS),
            ("XXXX", "XXXX is not a valid guid"),
            (K1, rules.value_out_of_range(-6)),
            (
                K2,
                "The progress value () associated with this KSB must be in the range of 0 to 100 (inclusive)",
            ),
            (S1, rules.DUPLICATE),
            ("DeliveryModel", rules.PORTABLE_ONLY),
            ("XXXX", rules.OPTION_MISMATCH),
            (other_standards_ksb, rules.OPTION_MISMATCH),
        ],
    )
    waiting = await tracking.post(ULN["waiting"], VALID)
    assert_listed(waiting, rules.FAILED, [("ApprenticeshipStatus", rules.STATUS)])
    assert await stored_count(tracking) == (0, 0)


@pytest.mark.parametrize(
    ("value", "ok"),
    [(0, True), (100, True), ("100", True), (-1, False), (101, False), (None, False)],
)
async def test_rule_8_values_run_from_0_to_100(
    tracking_sqlite: Tracking, value: Any, ok: bool
) -> None:
    response = await tracking_sqlite.post(ULN["flexi"], progress((K1, value)))
    if ok:
        assert response.status_code == 201, response.text
    else:
        assert_listed(response, rules.FAILED, [(K1, rules.value_out_of_range(value))])


async def test_rule_8_ksbs_must_belong_to_the_records_option(tracking_sqlite: Tracking) -> None:
    core, option_a, option_b = (ksb_id(OPTIONAL, c) for c in ("K1", "K2", "S1"))
    accepted = await tracking_sqlite.post(ULN["with_option"], progress((core, 10), (option_a, 20)))
    assert accepted.status_code == 201, accepted.text
    refused = await tracking_sqlite.post(ULN["with_option"], progress((core, 10), (option_b, 20)))
    assert_listed(refused, rules.FAILED, [(option_b, rules.OPTION_MISMATCH)])


async def test_the_sandbox_checks_the_same_records_and_stores_nothing(tracking: Tracking) -> None:
    created = await tracking.post(ULN["flexi"], VALID, key="provider_sandbox")
    assert created.status_code == 201
    assert created.json() == {"progressId": 999}
    live = await tracking.post(ULN["regular"], VALID)
    sandbox = await tracking.post(ULN["regular"], VALID, key="provider_sandbox")
    assert sandbox.json()["errors"] == live.json()["errors"] != []
    assert_not_found(await tracking.post(ULN["other_provider"], VALID, key="provider_sandbox"))
    assert await stored_count(tracking) == (0, 0)


async def test_a_submission_that_fails_after_writing_leaves_nothing_behind(
    tracking: Tracking, monkeypatch: pytest.MonkeyPatch
) -> None:
    add = ProgressRepository.add

    async def add_then_fail(self: ProgressRepository, submission: ProgressSubmission) -> int:
        await add(self, submission)  # the submission and its values are written
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(ProgressRepository, "add", add_then_fail)
    response = await tracking.post(ULN["flexi"], VALID)
    assert response.status_code == 500
    assert await stored_count(tracking) == (0, 0)


async def test_fifty_concurrent_submissions_are_all_stored(tracking: Tracking) -> None:
    responses = await asyncio.gather(
        *(tracking.post(ULN["flexi"], progress((K1, n), (S1, 100 - n))) for n in range(50))
    )
    assert [r.status_code for r in responses] == [201] * 50, [
        r.text for r in responses if r.status_code != 201
    ]
    ids = [r.json()["progressId"] for r in responses]
    assert len(set(ids)) == 50
    assert await stored_count(tracking) == (50, 100)
    history = (await tracking.get(tracking.path(ULN["flexi"]))).json()
    assert sorted(s["progressId"] for s in history["submissions"]) == sorted(ids)


async def test_a_standards_ksbs_are_listed_with_their_ids(tracking: Tracking) -> None:
    response = await tracking.get(f"/trackprogress/courses/{OPTIONAL}/ksbs")
    assert response.status_code == 200
    body = response.json()
    assert body["larsCode"] == OPTIONAL
    assert body["options"] == ["Option A", "Option B"]
    assert [(k["code"], k["kind"], k["options"]) for k in body["ksbs"]] == [
        ("K1", "Knowledge", ["core"]),
        ("K2", "Knowledge", ["Option A"]),
        ("S1", "Skill", ["Option B"]),
        ("B1", "Behaviour", ["core"]),
    ]
    assert body["ksbs"][0]["id"] == ksb_id(OPTIONAL, "K1")
    missing = await tracking.get("/trackprogress/courses/123456/ksbs")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


async def test_a_submission_naming_thousands_of_ksbs_is_answered_not_crashed(
    tracking: Tracking,
) -> None:
    many = [(str(uuid.uuid4()), 10) for _ in range(15_000)]
    response = await tracking.post(ULN["flexi"], progress(*many))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert len(errors) == 15_000
    assert {e["description"] for e in errors} == {rules.OPTION_MISMATCH}


async def test_the_openapi_document_describes_how_requests_bind_and_what_404_is(
    tracking_sqlite: Tracking,
) -> None:
    """T1-T5 in the published document: the path parameters as the real API types them,
    the two 400 shapes, the 404 problem; and the reference page renders them."""
    response = await tracking_sqlite.http.get("/docs/track-progress/v1/openapi.json")
    document = response.json()
    schemas = document["components"]["schemas"]
    for method in ("post", "get"):
        operation = document["paths"][tracking_sqlite.path("{uln}", "{plannedStartDate}")][method]
        parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
        assert (parameters["uln"]["type"], parameters["uln"]["format"]) == ("integer", "int64")
        assert parameters["plannedStartDate"]["type"] == "string"
        bad = operation["responses"]["400"]["content"]["application/problem+json"]
        assert bad["schema"] == {
            "oneOf": [
                {"$ref": "#/components/schemas/ValidationProblem"},
                {"$ref": "#/components/schemas/ProgressProblem"},
            ]
        }
        assert set(bad["examples"]) == {"uln", "body", "rules"}
        missing = operation["responses"]["404"]["content"]
        assert missing["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/NotFoundProblem"
        }
        assert set(missing["application/problem+json"]["example"]) == {
            "type",
            "title",
            "status",
            "traceId",
        }
        assert "application/json" in missing  # the gateway's own 404
    assert schemas["ValidationProblem"]["required"] == [
        "type",
        "title",
        "status",
        "errors",
        "traceId",
    ]
    assert schemas["ValidationProblem"]["properties"]["type"]["const"] == BAD_REQUEST
    assert schemas["NotFoundProblem"]["properties"]["type"]["const"] == NOT_FOUND
    assert schemas["NotFoundProblem"]["properties"]["title"]["const"] == "Not Found"
    page = await tracking_sqlite.http.get("/docs/track-progress/v1")
    assert page.status_code == 200
    assert "ValidationProblem" in page.text and "NotFoundProblem" in page.text
