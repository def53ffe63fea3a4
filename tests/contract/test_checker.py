"""The contract checker itself: it must catch every kind of difference it claims to, name
the decision a difference waits for, and refuse malformed fixtures. No platform here."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.contract import contract

TYPES: dict[str, Any] = {
    "Item": {
        "id": "integer",
        "name": "string",
        "note?": "string",
        "when": "date-time",
        "details": {"$type": "string", "$decision": "D7"},
    },
    "Named": {"$pattern": "^[A-Z]", "$decision": "D5"},
}
ITEM = {"id": 1, "name": "a", "when": "2026-01-01T00:00:00Z", "details": ""}


def problems(spec: Any, value: Any) -> list[contract.Mismatch]:
    checker = contract.Checker(TYPES)
    checker.check(spec, value, "body")
    return checker.mismatches


def messages(spec: Any, value: Any) -> list[str]:
    return [f"{m.where}: {m.message}" for m in problems(spec, value)]


def test_a_matching_object_passes_and_optional_fields_may_be_left_out() -> None:
    assert problems("Item", ITEM) == []
    assert problems("Item", {**ITEM, "note": "x"}) == []


def test_missing_extra_and_mistyped_fields_are_each_reported() -> None:
    value = {"id": True, "when": "yesterday", "details": "", "extra": 3}
    assert messages("Item", value) == [
        "body.id: expected integer, got true",
        "body.name: missing (the real service always sends it)",
        'body.when: expected date-time, got "yesterday"',
        "body.extra: not in the real model (value 3)",
    ]


def test_primitive_types_are_strict() -> None:
    assert problems("number", 1) == [] and problems("number", 1.5) == []
    assert problems("number", "1") and problems("number", False)
    assert problems("integer", 1.5) and problems("string", None)
    assert problems("string|null", None) == [] and problems("string|null", 1)
    assert problems("date-time", "2026-01-01T10:00:00.1234567+01:00") == []


def test_a_missing_field_carries_the_decision_of_its_named_type() -> None:
    spec = {"name": "Named", "details?": "Named"}
    (missing,) = problems(spec, {})
    assert (missing.where, missing.decisions) == ("body.name", ("D5",))
    (wrong,) = problems(spec, {"name": "lower"})
    assert wrong.decisions == ("D5",)


def test_decisions_reach_every_difference_under_their_node() -> None:
    (mismatch,) = problems("Item", {**ITEM, "details": 0})
    assert mismatch.decisions == ("D7",)
    (nested,) = problems({"$type": ["Item"], "$decision": "D1"}, [{**ITEM, "id": "1"}])
    assert (nested.where, nested.decisions) == ("body[0].id", ("D1",))


def test_exact_values_enums_and_patterns() -> None:
    assert problems({"$const": {"lat": 0, "lon": 0}}, {"lat": 0.0, "lon": 0}) == []
    assert problems({"$const": {}}, {"lat": 0})
    assert problems({"$const": 1}, True), "true is not 1"
    assert problems({"$const": []}, []) == [] and problems({"$const": []}, [{}])
    assert problems({"$enum": ["A", "B"]}, "C")
    assert problems({"$pattern": r"^\d+$"}, 12), "a number is not a string of digits"


def test_extends_replaces_and_removes_fields() -> None:
    spec = {"$extends": "Item", "$fields": {"name": "absent", "note": {"$const": "n"}}}
    assert problems(spec, {**ITEM, "note": "n", "name": "gone"}) == [
        contract.Mismatch("body.name", 'must be absent, got "gone"')
    ]
    assert [m.where for m in problems(spec, {**ITEM, "name": "x"}) if "missing" in m.message] == [
        "body.note"
    ]


def test_maps_check_their_keys_and_values() -> None:
    spec = {"$keys": {"Title": {"$const": ["bad"]}}, "$exactKeys": True}
    assert problems(spec, {"Title": ["bad"]}) == []
    assert messages(spec, {"title": ["bad"]}) == [
        "body: missing key 'Title' (has ['title'])",
        "body: unexpected key 'title' (expected only ['Title'])",
    ]
    assert problems({"$map": ["string"], "$minLen": 1}, {}) != []
    assert problems({"$map": ["string"]}, {"a": [1]}) != []


def test_arrays_lengths_tuples_and_order() -> None:
    assert problems({"$array": "integer", "$len": 2}, [1]) != []
    assert problems({"$array": "integer", "$minLen": 1}, []) != []
    assert problems({"$tuple": ["integer", "string"]}, [1, "a"]) == []
    assert problems({"$tuple": ["integer", "string"]}, [1, 2]) != []
    by_date = {"$array": "any", "$sortedBy": {"key": "at", "order": "asc", "decision": "D3"}}
    ordered = [{"at": "2026-01-01T00:00:59Z"}, {"at": "2026-01-01T00:00:59.5Z"}]
    assert problems(by_date, ordered) == [], "instants compare as instants, not as text"
    (unordered,) = problems(by_date, list(reversed(ordered)))
    assert unordered.decisions == ("D3",)
    last = {"$array": "any", "$sortedBy": {"key": "d", "missingLast": True}}
    assert problems(last, [{"d": 1}, {"d": 2}, {}]) == []
    assert problems(last, [{}, {"d": 1}]) != []
    assert problems({"$array": "any", "$sortedBy": {"key": "d"}}, [{"d": 1}, {}]) != []


def test_placeholders_keep_their_type_when_they_are_the_whole_string() -> None:
    variables = {"ukprn": 10000001, "ref": "1000000001"}
    assert contract.fill({"u": "${ukprn}", "p": "/v/${ref}", "n": [1]}, variables) == {
        "u": 10000001,
        "p": "/v/1000000001",
        "n": [1],
    }
    with pytest.raises(contract.FixtureError):
        contract.fill("${nobody}", variables)


def _case(decisions: tuple[str, ...] = ()) -> contract.Case:
    return contract.Case(
        "f.json", "a_case", ("src/X.cs",), decisions, "", {"path": "/x"}, {"status": 200}, {}
    )


def test_a_report_names_the_decisions_and_says_when_none_covers_a_difference() -> None:
    decisions = contract.load_decisions()
    sent = contract.prepare(_case(), {})
    received = contract.Received(200, {}, "{}")
    mismatches = [contract.Mismatch(f"body.items[{i}].x", "missing", ("D7",)) for i in range(3)] + [
        contract.Mismatch("body.y", "not in the real model (value 1)")
    ]
    text = contract.report(_case(), sent, received, mismatches, decisions)
    assert "waits for D7" in text
    assert "body.items[0].x: missing (and in 2 more items) [D7]" in text
    assert "body.y: not in the real model (value 1) [no decision]" in text
    assert "no decision covers" in text
    assert "src/X.cs" in text
    kept = contract.report(_case(("R2",)), sent, received, mismatches[-1:], decisions)
    assert "R2 is a kept difference" in kept
    assert "[the case's R2]" in kept


def test_a_status_mismatch_is_reported_without_comparing_the_other_body() -> None:
    case = contract.Case(
        "f.json", "c", ("s",), (), "", {"path": "/x"}, {"status": 404, "body": "Item"}, TYPES
    )
    found = contract.compare(case, contract.Received(400, {}, '{"errors": {}}'), {})
    assert found == [contract.Mismatch("status", "expected 404, got 400")]


def test_headers_present_absent_and_checked() -> None:
    case = contract.Case(
        "f.json",
        "c",
        ("s",),
        (),
        "",
        {"path": "/x"},
        {
            "status": 201,
            "headers": {"Location": {"$type": "absent", "$decision": "R7"}, "X-A": {"$const": "1"}},
        },
        TYPES,
    )
    found = contract.compare(case, contract.Received(201, {"location": "/v/1", "x-a": "2"}, ""), {})
    assert [(m.where, m.decisions) for m in found] == [
        ("header Location", ("R7",)),
        ("header X-A", ()),
    ]


@pytest.mark.parametrize(
    "name", sorted(p.name for p in contract.FIXTURES.glob("*-v*.json")), ids=str
)
def test_every_fixture_file_loads_and_cites_its_sources(name: str) -> None:
    cases = contract.load(name)
    assert cases
    for case in cases:
        assert all(source.endswith(".cs") for source in case.source), case.name


def _fixture_dir(tmp_path: Path, case: dict[str, Any], types: dict[str, Any] | None = None) -> Path:
    for shared in (contract.COMMON, contract.DECISIONS):
        shutil.copy(contract.FIXTURES / shared, tmp_path / shared)
    document = {"types": types or {}, "cases": [case]}
    (tmp_path / "x-v1.json").write_text(json.dumps(document))
    return tmp_path


GOOD_CASE = {
    "name": "n",
    "source": "src/X.cs",
    "request": {"path": "/x"},
    "response": {"status": 200, "body": "ForbiddenProblem"},
}


@pytest.mark.parametrize(
    ("change", "types"),
    [
        ({"decision": "D99"}, None),
        ({"response": {"status": 200, "body": "Nothing"}}, None),
        ({"response": {"status": 200, "body": {"$lenght": 1}}}, None),
        ({"response": {"status": 200, "bdy": "any"}}, None),
        ({"request": {"path": "/x", "quey": []}}, None),
        ({"source": []}, None),
        ({}, {"T": {"a": {"$type": "string", "$decision": "X1"}}}),
        ({}, {"T": {"a": "Undefined"}}),
    ],
    ids=[
        "decision",
        "type",
        "special-key",
        "response-key",
        "request-key",
        "source",
        "type-decision",
        "type-name",
    ],
)
def test_a_malformed_fixture_is_refused(
    tmp_path: Path, change: dict[str, Any], types: dict[str, Any] | None
) -> None:
    directory = _fixture_dir(tmp_path, {**GOOD_CASE, **change}, types)
    with pytest.raises(contract.FixtureError):
        contract.load("x-v1.json", directory)


def test_the_well_formed_example_loads(tmp_path: Path) -> None:
    assert [c.name for c in contract.load("x-v1.json", _fixture_dir(tmp_path, GOOD_CASE))] == ["n"]
