"""POST and GET /trackprogress/apprenticeships/{uln}/{plannedStartDate}/progress and GET
/trackprogress/courses/{larsCode}/ksbs through the gateway, on SQLite and PostgreSQL:
each rule in its order, isolation between providers, the sandbox, concurrency."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from apprenticeships.progress import service as rules
from apprenticeships.progress.repository import ProgressRepository
from apprenticeships.storage.models import ProgressSubmission, ProgressValue
from tests.progress.conftest import FLEXI, OPTIONAL, ULN, Tracking, ksb_id, progress

K1, K2, S1, B1 = (ksb_id(FLEXI, code) for code in ("K1", "K2", "S1", "B1"))
VALID = progress((K1, 50), (S1, 100))


def assert_listed(response: Any, title: str, errors: list[tuple[str, str]] | None = None) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["title"] == title
    assert body["status"] == 400
    assert body["errors"] == [{"error": e, "description": d} for e, d in (errors or [])]
    assert body["traceId"] == response.headers["x-request-id"]


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


@pytest.mark.parametrize("uln", ["0", "-5", "abc", "12.5", "99999999999999999999"])
async def test_rule_1_the_uln_must_be_positive(tracking_sqlite: Tracking, uln: str) -> None:
    assert_listed(await tracking_sqlite.post(uln, VALID), rules.ULN_NOT_POSITIVE)


@pytest.mark.parametrize(
    ("planned", "title"),
    [
        ("2026-01-15", rules.START_NOT_FIRST),
        ("2026-01-02", rules.START_NOT_FIRST),
        ("2026-13", rules.START_UNREADABLE),
        ("January", rules.START_UNREADABLE),
        ("2026-02-30", rules.START_UNREADABLE),
    ],
)
async def test_rule_2_the_start_date_is_a_month(
    tracking_sqlite: Tracking, planned: str, title: str
) -> None:
    assert_listed(await tracking_sqlite.post(ULN["flexi"], VALID, planned=planned), title)


async def test_an_earlier_rule_answers_before_a_later_one(tracking_sqlite: Tracking) -> None:
    # Breaks rule 2 (start date) and rule 8 (bad ids and values): rule 2 answers.
    broken = progress(("not-a-guid", 500))
    assert_listed(
        await tracking_sqlite.post(ULN["regular"], broken, planned="2026-01-15"),
        rules.START_NOT_FIRST,
    )
    # Rule 1 before rule 2.
    assert_listed(
        await tracking_sqlite.post("0", broken, planned="2026-01-15"), rules.ULN_NOT_POSITIVE
    )
    # Rule 5 before rule 7.
    assert_listed(await tracking_sqlite.post(ULN["two_records"], {}), rules.MULTIPLE)


async def test_rule_3_no_record_is_an_empty_404(tracking: Tracking) -> None:
    missing = await tracking.post(9999999999, VALID)
    assert missing.status_code == 404
    assert missing.content == b""
    other_month = await tracking.post(ULN["flexi"], VALID, planned="2026-02")
    assert other_month.status_code == 404 and other_month.content == b""


async def test_another_providers_apprentice_is_exactly_like_a_missing_one(
    tracking: Tracking,
) -> None:
    def shape(response: Any) -> tuple[int, bytes, list[tuple[str, str]]]:
        headers = sorted(
            (k, v) for k, v in response.headers.items() if k not in ("x-request-id", "ratelimit")
        )
        return response.status_code, response.content, headers

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
    read = await tracking.get(tracking.path(ULN["flexi"]), key="other_provider")
    assert read.status_code == 404 and read.content == b""
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
        ([1, 2], rules.PROGRESS_REQUIRED),
        ({"progress": {}}, rules.KSBS_REQUIRED),
        ({"progress": {"ksbs": []}}, rules.KSBS_REQUIRED),
        ({"progress": {"ksbs": "K1"}}, rules.KSBS_REQUIRED),
    ],
)
async def test_rule_7_progress_and_ksbs_must_be_present(
    tracking_sqlite: Tracking, body: Any, title: str
) -> None:
    assert_listed(await tracking_sqlite.post(ULN["flexi"], body), title)


@pytest.mark.parametrize(
    "raw", [b"{not json", b"\xff\xfe", b'{"progress": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"]
)
async def test_rule_7_a_body_that_is_not_json(tracking_sqlite: Tracking, raw: bytes) -> None:
    response = await tracking_sqlite.post(ULN["flexi"], None, raw=raw)
    assert_listed(response, rules.PROGRESS_REQUIRED)


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
    [
        (0, True),
        (100, True),
        (-1, False),
        (101, False),
        (50.5, False),
        (True, False),
        ("50", False),
    ],
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
    missing = await tracking.post(ULN["other_provider"], VALID, key="provider_sandbox")
    assert missing.status_code == 404 and missing.content == b""
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
