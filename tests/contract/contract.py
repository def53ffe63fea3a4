"""Contract fixtures: request/response pairs written from the real service's source code
(das-apim-endpoints at 9ad20779e), and the checker that compares this platform's answers
with them. The format is described in ``fixtures/README.md``.

A fixture says what the real service answers: the status, and for the body a type
description derived from the C# response model (field names, JSON types, which fields are
always present and which may be omitted, exact values where the real code fixes them).
The checker reports every difference it finds in one failure, naming the compatibility
decision (``docs/compatibility.md``, D1-D16, R1-R7, T1-T5) a difference is waiting for,
or saying that no decision covers it.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
COMMON = "common.json"
DECISIONS = "decisions.json"

PRIMITIVES = frozenset(
    {"string", "integer", "number", "boolean", "null", "date-time", "any", "absent"}
)
# System.Text.Json writes a DateTime as ISO 8601, with its offset when it has one.
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?$")
PLACEHOLDER = re.compile(r"\$\{([a-z0-9_]+)\}")

CASE_KEYS = frozenset({"name", "source", "decision", "note", "request", "response"})
REQUEST_KEYS = frozenset({"method", "path", "query", "headers", "key", "body", "raw"})
RESPONSE_KEYS = frozenset({"status", "body", "headers"})
SPECIAL_KEYS = frozenset(
    {
        "$const",
        "$enum",
        "$pattern",
        "$type",
        "$decision",
        "$array",
        "$len",
        "$minLen",
        "$sortedBy",
        "$tuple",
        "$map",
        "$keys",
        "$exactKeys",
        "$extends",
        "$fields",
    }
)


class FixtureError(Exception):
    """A fixture file that does not follow the format: a bug in the fixture, not a
    difference from the real service."""


@dataclass(frozen=True, slots=True)
class Decision:
    code: str
    point: str
    kept: bool  # "keep ours": the fixture describes our documented behaviour


@dataclass(frozen=True, slots=True)
class Case:
    file: str
    name: str
    source: tuple[str, ...]
    decisions: tuple[str, ...]
    note: str
    request: Mapping[str, Any]
    response: Mapping[str, Any]
    types: Mapping[str, Any]

    @property
    def id(self) -> str:
        return "-".join([*self.decisions, self.name])


@dataclass(frozen=True, slots=True)
class Sent:
    """A request as sent, after placeholders were filled in."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    key: str | None
    body: Any
    raw: bytes | None

    def describe(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query)
        headers = ", ".join(f"{k}: {v}" for k, v in self.headers.items())
        body = "" if self.raw is None else f" body {self.raw[:60]!r}"
        return f"{self.method} {self.path}{'?' + query if query else ''} [{headers}]{body}"


@dataclass(frozen=True, slots=True)
class Received:
    status: int
    headers: Mapping[str, str]  # lower-case names
    text: str


@dataclass(frozen=True, slots=True)
class Mismatch:
    where: str
    message: str
    decisions: tuple[str, ...] = ()


def _read(name: str, directory: Path = FIXTURES) -> dict[str, Any]:
    try:
        loaded = json.loads((directory / name).read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise FixtureError(f"{name}: {error}") from error
    if not isinstance(loaded, dict):
        raise FixtureError(f"{name}: the top level must be an object")
    return loaded


def load_decisions(directory: Path = FIXTURES) -> dict[str, Decision]:
    return {
        code: Decision(code, entry["point"], entry["decision"] == "keep ours")
        for code, entry in _read(DECISIONS, directory)["decisions"].items()
    }


def load(name: str, directory: Path = FIXTURES) -> list[Case]:
    """The cases of one fixture file, with the shared types of ``common.json``; refuses
    a file with unknown keys, unknown type names or unknown decision codes."""
    document = _read(name, directory)
    types = {**_read(COMMON, directory)["types"], **document.get("types", {})}
    bodies = document.get("bodies", {})
    decisions = load_decisions(directory)
    cases = []
    for raw in document["cases"]:
        where = f"{name}::{raw.get('name', '?')}"
        _only(raw, CASE_KEYS, where)
        _only(raw["request"], REQUEST_KEYS, f"{where} request")
        if "body" in raw["request"]:
            raw["request"]["body"] = _body(raw["request"]["body"], bodies, where)
        _only(raw["response"], RESPONSE_KEYS, f"{where} response")
        source = raw["source"]
        sources = (source,) if isinstance(source, str) else tuple(source)
        if not sources:
            raise FixtureError(f"{where}: cite the real source file(s) in 'source'")
        decision = raw.get("decision", ())
        codes = (decision,) if isinstance(decision, str) else tuple(decision)
        case = Case(
            name,
            raw["name"],
            sources,
            codes,
            raw.get("note", ""),
            raw["request"],
            raw["response"],
            types,
        )
        for code in codes + tuple(_decisions_in(case.response)):
            if code not in decisions:
                raise FixtureError(f"{where}: unknown decision code {code!r}")
        _check_names(case.response.get("body", "any"), types, where)
        for header in case.response.get("headers", {}).values():
            _check_names(header, types, where)
        cases.append(case)
    for type_name, spec in types.items():
        _check_names(spec, types, f"{name} type {type_name}")
        for code in _decisions_in(spec):
            if code not in decisions:
                raise FixtureError(f"{name} type {type_name}: unknown decision code {code!r}")
    names = [case.name for case in cases]
    if len(set(names)) != len(names):
        raise FixtureError(f"{name}: case names must be unique")
    return cases


def _body(body: Any, bodies: Mapping[str, Any], where: str) -> Any:
    """A request body, or ``{"$body": name, "$set": {path: value}, "$unset": [path]}``:
    one of the file's ``bodies`` with values at dotted paths replaced or removed."""
    if not (isinstance(body, dict) and "$body" in body):
        return body
    _only(body, frozenset({"$body", "$set", "$unset"}), f"{where} body")
    if body["$body"] not in bodies:
        raise FixtureError(f"{where}: unknown body {body['$body']!r}")
    result = copy.deepcopy(bodies[body["$body"]])
    for path, value in body.get("$set", {}).items():
        *parents, last = path.split(".")
        _walk(result, parents, where)[last] = value
    for path in body.get("$unset", []):
        *parents, last = path.split(".")
        _walk(result, parents, where).pop(last, None)
    return result


def _walk(value: Any, parts: Sequence[str], where: str) -> Any:
    for part in parts:
        if not isinstance(value, dict) or part not in value:
            raise FixtureError(f"{where}: the body has no {'.'.join(parts)}")
        value = value[part]
    return value


def _only(value: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = set(value) - allowed
    if unknown:
        raise FixtureError(f"{where}: unknown keys {sorted(unknown)}")


def _decisions_in(spec: Any) -> Iterator[str]:
    """The decision codes a type description names (not through type names)."""
    if isinstance(spec, dict):
        yield from _codes(spec.get("$decision"))
        yield from _codes(spec.get("$sortedBy", {}).get("decision"))
        for key, value in spec.items():
            if key not in ("$const", "$enum", "$pattern", "$decision", "$sortedBy"):
                yield from _decisions_in(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _decisions_in(value)


def _codes(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


# Special keys whose values are not types.
_NOT_TYPES = frozenset(
    {
        "$const",
        "$enum",
        "$pattern",
        "$decision",
        "$extends",
        "$len",
        "$minLen",
        "$sortedBy",
        "$exactKeys",
    }
)


def _check_names(spec: Any, types: Mapping[str, Any], where: str) -> None:
    """Every type name a description uses is defined, special keys are spelled right
    and patterns compile."""
    if isinstance(spec, str):
        for part in spec.split("|"):
            if part not in PRIMITIVES and part not in types:
                raise FixtureError(f"{where}: unknown type {part!r}")
    elif isinstance(spec, list):
        if len(spec) != 1:
            raise FixtureError(f"{where}: an array type is a list of exactly one type")
        _check_names(spec[0], types, where)
    elif isinstance(spec, dict):
        unknown = {k for k in spec if k.startswith("$")} - SPECIAL_KEYS
        if unknown:
            raise FixtureError(f"{where}: unknown special keys {sorted(unknown)}")
        if "$extends" in spec and spec["$extends"] not in types:
            raise FixtureError(f"{where}: unknown type {spec['$extends']!r}")
        if "$pattern" in spec:
            re.compile(spec["$pattern"])
        for key, value in spec.items():
            if key in _NOT_TYPES:
                continue
            if key == "$tuple":
                for item in value:
                    _check_names(item, types, where)
            elif key in ("$keys", "$fields"):
                for item in value.values():
                    _check_names(item, types, where)
            else:
                _check_names(value, types, where)
    else:
        raise FixtureError(f"{where}: {spec!r} is not a type")


def fill(value: Any, variables: Mapping[str, Any]) -> Any:
    """``value`` with ``${name}`` placeholders replaced: a string that is one placeholder
    becomes the variable itself (keeping its JSON type), others are formatted in."""

    def one(match: re.Match[str]) -> str:
        return str(lookup(match.group(1)))

    def lookup(name: str) -> Any:
        if name not in variables:
            raise FixtureError(f"unknown placeholder ${{{name}}}")
        return variables[name]

    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole:
            return lookup(whole.group(1))
        return PLACEHOLDER.sub(one, value)
    if isinstance(value, list):
        return [fill(item, variables) for item in value]
    if isinstance(value, dict):
        return {fill(k, variables): fill(v, variables) for k, v in value.items()}
    return value


def prepare(case: Case, variables: Mapping[str, Any]) -> Sent:
    request = case.request
    query = [(str(k), str(v)) for k, v in fill(request.get("query", []), variables)]
    raw = request.get("raw")
    return Sent(
        method=request.get("method", "GET"),
        path=fill(request["path"], variables),
        query=query,
        headers={k: str(v) for k, v in fill(request.get("headers", {}), variables).items()},
        key=request.get("key"),
        body=fill(request["body"], variables) if "body" in request else None,
        raw=raw.encode() if isinstance(raw, str) else None,
    )


@dataclass
class Checker:
    """Compares a JSON value with a type description (``fixtures/README.md``)."""

    types: Mapping[str, Any]
    mismatches: list[Mismatch] = field(default_factory=list)

    def check(self, spec: Any, actual: Any, where: str, decisions: tuple[str, ...] = ()) -> None:
        if isinstance(spec, str):
            self._named(spec, actual, where, decisions)
        elif isinstance(spec, list):
            self._array(spec[0], actual, where, decisions, {})
        elif any(key.startswith("$") for key in spec):
            self._special(spec, actual, where, decisions)
        else:
            self._object(spec, actual, where, decisions)

    def passes(self, spec: Any, actual: Any) -> bool:
        trial = Checker(self.types)
        trial.check(spec, actual, "")
        return not trial.mismatches

    def own_decisions(self, shape: Any) -> tuple[str, ...]:
        """The decisions a type names at its top, through type names."""
        while isinstance(shape, str) and shape in self.types:
            shape = self.types[shape]
        return _own_decisions(shape)

    def _fail(self, where: str, message: str, decisions: tuple[str, ...]) -> None:
        self.mismatches.append(Mismatch(where or "$", message, decisions))

    def _named(self, spec: str, actual: Any, where: str, decisions: tuple[str, ...]) -> None:
        alternatives = spec.split("|")
        if len(alternatives) > 1:
            if not any(self.passes(part, actual) for part in alternatives):
                self._fail(where, f"expected {spec}, got {_show(actual)}", decisions)
            return
        if spec in self.types:
            self.check(self.types[spec], actual, where, decisions)
            return
        ok = {
            "string": lambda v: isinstance(v, str),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
            "boolean": lambda v: isinstance(v, bool),
            "null": lambda v: v is None,
            "date-time": lambda v: isinstance(v, str) and bool(DATE_TIME.match(v)),
            "any": lambda v: True,
            "absent": lambda v: False,
        }[spec](actual)
        if not ok:
            self._fail(where, f"expected {spec}, got {_show(actual)}", decisions)

    def _special(
        self, spec: Mapping[str, Any], actual: Any, where: str, decisions: tuple[str, ...]
    ) -> None:
        decisions = decisions + _codes(spec.get("$decision"))
        if "$const" in spec and not _same(spec["$const"], actual):
            self._fail(where, f"expected {_show(spec['$const'])}, got {_show(actual)}", decisions)
        if "$enum" in spec and actual not in spec["$enum"]:
            self._fail(where, f"expected one of {spec['$enum']}, got {_show(actual)}", decisions)
        if "$pattern" in spec and not (
            isinstance(actual, str) and re.search(spec["$pattern"], actual)
        ):
            self._fail(
                where,
                f"expected a string matching /{spec['$pattern']}/, got {_show(actual)}",
                decisions,
            )
        if "$type" in spec:
            self.check(spec["$type"], actual, where, decisions)
        if "$array" in spec or "$tuple" in spec:
            self._array(spec.get("$array", "any"), actual, where, decisions, spec)
        if "$map" in spec or "$keys" in spec:
            self._map(spec, actual, where, decisions)
        if "$extends" in spec:
            self._object(self._extended(spec), actual, where, decisions)

    def _extended(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        base = self.types[spec["$extends"]]
        while isinstance(base, dict) and "$extends" in base:
            base = self._extended(base)
        overrides = spec.get("$fields", {})
        replaced = {key.rstrip("?") for key in overrides}
        merged = {k: v for k, v in base.items() if k.rstrip("?") not in replaced}
        merged.update(overrides)
        return merged

    def _array(
        self,
        item: Any,
        actual: Any,
        where: str,
        decisions: tuple[str, ...],
        spec: Mapping[str, Any],
    ) -> None:
        if not isinstance(actual, list):
            self._fail(where, f"expected an array, got {_show(actual)}", decisions)
            return
        if "$len" in spec and len(actual) != spec["$len"]:
            self._fail(where, f"expected {spec['$len']} items, got {len(actual)}", decisions)
        if "$minLen" in spec and len(actual) < spec["$minLen"]:
            self._fail(
                where, f"expected at least {spec['$minLen']} items, got {len(actual)}", decisions
            )
        if "$tuple" in spec:
            shapes = spec["$tuple"]
            if len(actual) != len(shapes):
                self._fail(where, f"expected {len(shapes)} items, got {len(actual)}", decisions)
            for index, (shape, value) in enumerate(zip(shapes, actual, strict=False)):
                self.check(shape, value, f"{where}[{index}]", decisions)
        else:
            for index, value in enumerate(actual):
                self.check(item, value, f"{where}[{index}]", decisions)
        if "$sortedBy" in spec:
            self._sorted(spec["$sortedBy"], actual, where, decisions)

    def _sorted(
        self, rule: Mapping[str, Any], actual: list[Any], where: str, decisions: tuple[str, ...]
    ) -> None:
        """Items in order of the value at ``key`` (a dotted path); with ``missingLast``,
        items without it may follow all the others."""
        key, descending = rule["key"], rule.get("order", "asc") == "desc"
        codes = decisions + _codes(rule.get("decision"))
        values = [_at(value, key) for value in actual]
        present = [v for v in values if v is not None]
        missing_at = [i for i, v in enumerate(values) if v is None]
        if missing_at and not rule.get("missingLast"):
            self._fail(where, f"items {missing_at} have no {key} to sort by", codes)
        elif missing_at and missing_at[0] != len(present):
            self._fail(where, f"items without {key} must come last, found at {missing_at}", codes)
        keys = [_sortable(v) for v in present]
        if keys != sorted(keys, reverse=descending):
            order = "descending" if descending else "ascending"
            self._fail(where, f"expected {key} {order}, got {present}", codes)

    def _map(
        self, spec: Mapping[str, Any], actual: Any, where: str, decisions: tuple[str, ...]
    ) -> None:
        if not isinstance(actual, dict):
            self._fail(where, f"expected an object, got {_show(actual)}", decisions)
            return
        keys: Mapping[str, Any] = spec.get("$keys", {})
        for name, shape in keys.items():
            if name not in actual:
                self._fail(where, f"missing key {name!r} (has {sorted(actual)})", decisions)
            else:
                self.check(shape, actual[name], f"{where}[{name!r}]", decisions)
        for name, value in actual.items():
            if name in keys:
                continue
            if spec.get("$exactKeys"):
                self._fail(
                    where, f"unexpected key {name!r} (expected only {sorted(keys)})", decisions
                )
            elif "$map" in spec:
                self.check(spec["$map"], value, f"{where}[{name!r}]", decisions)
        if "$minLen" in spec and len(actual) < spec["$minLen"]:
            self._fail(
                where, f"expected at least {spec['$minLen']} keys, got {len(actual)}", decisions
            )

    def _object(
        self, spec: Mapping[str, Any], actual: Any, where: str, decisions: tuple[str, ...]
    ) -> None:
        if not isinstance(actual, dict):
            self._fail(where, f"expected an object, got {_show(actual)}", decisions)
            return
        expected = set()
        for key, shape in spec.items():
            name, optional = key.rstrip("?"), key.endswith("?")
            expected.add(name)
            path = f"{where}.{name}"
            field_decisions = decisions + self.own_decisions(shape)
            if shape == "absent" or (isinstance(shape, dict) and shape.get("$type") == "absent"):
                if name in actual:
                    self._fail(path, f"must be absent, got {_show(actual[name])}", field_decisions)
            elif name not in actual:
                if not optional:
                    self._fail(path, "missing (the real service always sends it)", field_decisions)
            else:
                self.check(shape, actual[name], path, decisions)
        for name in actual:
            if name not in expected:
                self._fail(
                    f"{where}.{name}",
                    f"not in the real model (value {_show(actual[name])})",
                    decisions,
                )


def _own_decisions(shape: Any) -> tuple[str, ...]:
    return _codes(shape.get("$decision")) if isinstance(shape, dict) else ()


def _at(value: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _sortable(value: Any) -> Any:
    """Date-times compare as instants, whatever their precision."""
    if isinstance(value, str) and DATE_TIME.match(value):
        return datetime.fromisoformat(value)
    return value


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(expected, actual)
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            _same(expected[k], actual[k]) for k in expected
        )
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            _same(e, a) for e, a in zip(expected, actual, strict=True)
        )
    return bool(expected == actual)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def compare(case: Case, received: Received, variables: Mapping[str, Any]) -> list[Mismatch]:
    """Every difference between ``received`` and what the real service answers."""
    expected = fill(case.response, variables)
    checker = Checker(case.types)
    if received.status != expected["status"]:
        checker.mismatches.append(
            Mismatch("status", f"expected {expected['status']}, got {received.status}")
        )
    for name, shape in expected.get("headers", {}).items():
        value = received.headers.get(name.lower())
        where = f"header {name}"
        if shape == "absent" or (isinstance(shape, dict) and shape.get("$type") == "absent"):
            if value is not None:
                checker.mismatches.append(
                    Mismatch(where, f"must be absent, got {value!r}", _own_decisions(shape))
                )
        elif value is None:
            checker.mismatches.append(Mismatch(where, "missing", _own_decisions(shape)))
        else:
            checker.check(shape, value, where)
    if "body" in expected and received.status == expected["status"]:
        # With another status the body answers another question: the status says it all.
        try:
            body = json.loads(received.text)
        except ValueError:
            checker.mismatches.append(
                Mismatch("body", f"expected JSON, got {received.text[:120]!r}")
            )
        else:
            checker.check(expected["body"], body, "body")
    return checker.mismatches


def report(
    case: Case,
    sent: Sent,
    received: Received,
    mismatches: Sequence[Mismatch],
    decisions: Mapping[str, Decision],
) -> str:
    """The failure message: which case, the real source, which decision each
    difference waits for (or that none covers it), and every difference (the same
    difference in many items of an array once, with a count)."""
    grouped = _grouped(mismatches)
    lines = [f"{case.file} :: {case.name}: {len(grouped)} difference(s) from the real service"]
    codes = list(dict.fromkeys([*case.decisions, *(c for m in mismatches for c in m.decisions)]))
    for code in codes:
        decision = decisions[code]
        if decision.kept:
            lines.append(
                f"  {code} is a kept difference (keep ours: {decision.point}): this fixture "
                "describes our documented behaviour, so what differs from it here is a "
                "regression or a further difference"
            )
        else:
            lines.append(
                f"  waits for {code} (follow the real service: {decision.point}); "
                f"expected to fail until {code} is done"
            )
    if not case.decisions and any(not m.decisions for m in mismatches):
        lines.append(
            "  no decision covers the differences marked [no decision]: "
            "further differences from the real service"
        )
    if case.note:
        lines.append(f"  note: {case.note}")
    lines.append(f"  real source (das-apim-endpoints 9ad20779e): {', '.join(case.source)}")
    lines.append(f"  request: {sent.describe()} -> {received.status}")
    for mismatch, count in grouped:
        if mismatch.decisions:
            own = ", ".join(mismatch.decisions)
        elif case.decisions:
            own = "the case's " + ", ".join(case.decisions)
        else:
            own = "no decision"
        more = f" (and in {count - 1} more items)" if count > 1 else ""
        lines.append(f"  - {mismatch.where}: {mismatch.message}{more} [{own}]")
    lines.append(f"  body: {received.text[:600]}")
    return "\n".join(lines)


def _grouped(mismatches: Sequence[Mismatch]) -> list[tuple[Mismatch, int]]:
    """The same difference in several items of an array once, with a count (values
    quoted in the messages may differ from item to item)."""
    groups: dict[tuple[str, ...], list[Mismatch]] = {}
    for index, mismatch in enumerate(mismatches):
        where = re.sub(r"\[\d+\]", "[*]", mismatch.where)
        if where == mismatch.where:
            key: tuple[str, ...] = (str(index),)
        else:
            kind = re.sub(r"\(value .*\)$|got .*$", "", mismatch.message)
            key = (where, kind, *mismatch.decisions)
        groups.setdefault(key, []).append(mismatch)
    return [(found[0], len(found)) for found in groups.values()]
