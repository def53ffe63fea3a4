"""The request schema the Recruitment API publishes and the validator agree, field by field.

Every limit the OpenAPI document states for a new advert (maxLength, minLength, maximum,
minimum, exclusiveMinimum, minItems, maxItems, enum, required) is found by walking its
``CreateVacancyRequest`` schema. For each, the validator must accept the value at the
limit and reject the one just past it, with an error about that field (under one of the
keys the real service uses for it, ``keys_for``). A field that gains a limit in the schema
without the validator holding it, or the other way round, fails here; so does a schema
keyword this walk does not know how to test.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from pydantic.json_schema import models_json_schema

from apprenticeships.app import Platform
from apprenticeships.recruitment.reader import Problems
from apprenticeships.recruitment.schemas import CreateVacancyRequest
from apprenticeships.recruitment.validation import read_advert
from tests.recruitment.bodies import today, valid_body
from tests.support.asgi import call

DOCUMENT = "/docs/recruitment/v1/openapi.json"
# The request schema as apis.py adds it to the document's components.
_, _DEFINITIONS = models_json_schema(
    [(CreateVacancyRequest, "validation")],
    by_alias=True,
    ref_template="#/components/schemas/{model}",
)
SCHEMAS: dict[str, Any] = _DEFINITIONS["$defs"]

TESTED = {"maxLength", "minLength", "maximum", "minimum", "exclusiveMinimum"}
TESTED |= {"minItems", "maxItems", "enum"}
# Keywords that state no limit (or, for these, are walked into).
DESCRIPTIVE = {"type", "title", "description", "default", "examples", "format"}
DESCRIPTIVE |= {"$ref", "anyOf", "properties", "required", "items"}

Path = tuple[str | int, ...]  # ("wage", "weeklyHours"), ("skills", 0)


@dataclass(frozen=True)
class Limit:
    path: Path
    keyword: str
    value: Any
    type: str  # the JSON type it applies to

    def __str__(self) -> str:
        return f"{json_path(self.path)} {self.keyword}"


def json_path(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


# The real service's names for fields whose key is not their JSON name capitalised: the
# outer API's C# names and the Recruit API's model, as R1 keys them.
ALSO_KEYED = {
    "StandardLarsCode": ("ProgrammeId", "standardLarsCode"),
    "AlternativeEmployerName": ("EmployerName", "alternativeEmployerName"),
    "RecruitingNationallyDetails": ("recruitingNationallyDetails",),
}


def keys_for(path: Path) -> set[str]:
    """The keys an error about the field at ``path`` may be under: its C# property path
    (``Wage.WeeklyHours``), the real service's other names for it, and its JSON path
    (``$.wage.weeklyHours``) for a value that cannot be read."""
    csharp = ""
    for part in path:
        csharp += (
            f"[{part}]"
            if isinstance(part, int)
            else (f".{part[0].upper()}{part[1:]}" if csharp else f"{part[0].upper()}{part[1:]}")
        )
    keys = {csharp, *ALSO_KEYED.get(csharp, ()), f"$.{json_path(path)}"}
    if csharp.startswith("SubmitterContactDetails."):
        keys.add(csharp.replace("SubmitterContactDetails.", "Contact.", 1))
    return keys


def _about(path: Path, errors: dict[str, list[str]]) -> set[str]:
    return keys_for(path) & set(errors)


def _walk(schema: dict[str, Any], path: Path) -> Iterator[Limit | Path]:
    """The schema's limits, and the paths of its required properties."""
    if "$ref" in schema:
        yield from _walk(SCHEMAS[schema["$ref"].rsplit("/", 1)[1]], path)
    for branch in schema.get("anyOf", []):
        yield from _walk(branch, path)
    for name, property_schema in schema.get("properties", {}).items():
        yield from _walk(property_schema, (*path, name))
    for name in schema.get("required", []):
        yield (*path, name)
    if "items" in schema:
        yield from _walk(schema["items"], (*path, 0))
    unknown = set(schema) - TESTED - DESCRIPTIVE
    assert not unknown, f"{json_path(path)}: teach this test to check {unknown}"
    for keyword in sorted(TESTED & set(schema)):
        yield Limit(path, keyword, schema[keyword], schema.get("type", "string"))


_FOUND = list(_walk(SCHEMAS["CreateVacancyRequest"], ()))
LIMITS = [found for found in _FOUND if isinstance(found, Limit)]
REQUIRED = [found for found in _FOUND if not isinstance(found, Limit)]

ADDRESS = {"addressLine1": "1 High Street", "postcode": "LS1 5AB"}
# What else the body needs for a field's limit to be in play, by the field's path.
CONTEXT: dict[str, dict[Path, Any]] = {
    "wage.duration": {("wage", "durationUnit"): "Year"},
    # The minimum wage depends on the hours; without them only the amount's own rule holds.
    "wage.fixedWageYearlyAmount": {("wage", "weeklyHours"): ...},
    "recruitingNationallyDetails": {("address",): ..., ("recruitingNationally",): True},
    "multipleAddresses": {("address",): ..., ("multipleAddresses",): [ADDRESS, ADDRESS]},
    "alternativeEmployerName": {("employerNameOption",): "TradingName"},
    "anonymousReason": {
        ("employerNameOption",): "Anonymous",
        ("alternativeEmployerName",): "A software company",
    },
    "qualifications[0].otherQualificationName": {
        ("qualifications", 0, "qualificationType"): "Other"
    },
    "applicationUrl": {
        ("applicationMethod",): "ThroughExternalApplicationSite",
        ("additionalQuestion1",): ...,
    },
    "applicationInstructions": {
        ("applicationMethod",): "ThroughExternalApplicationSite",
        ("applicationUrl",): "https://jobs.acme.example/apply",
        ("additionalQuestion1",): ...,
    },
}


def _url(length: int) -> str:
    return "https://" + "a" * (length - 16) + ".example"


# Text of a given length that breaks no other rule of the field ("x" * length otherwise).
FILL = {
    "title": lambda length: "Apprentice " + "x" * (length - 11),
    "employerWebsiteUrl": _url,
    "applicationUrl": _url,
    "submitterContactDetails.email": lambda length: "s@" + "a" * (length - 10) + ".example",
    "submitterContactDetails.phone": lambda length: "0" * length,
    "additionalQuestion1": lambda length: "x" * (length - 1) + "?",
    "additionalQuestion2": lambda length: "x" * (length - 1) + "?",
}


def _context(path: Path) -> dict[Path, Any]:
    """The changes a field needs, its parents' included (``multipleAddresses[0]...``)."""
    changes: dict[Path, Any] = {}
    for end in range(1, len(path) + 1):
        changes.update(CONTEXT.get(json_path(path[:end]), {}))
    return changes


def _problems(changes: dict[Path, Any]) -> dict[str, list[str]]:
    """The validator's errors for the valid advert with these values put in (``...``
    removes one)."""
    body = valid_body()
    for path, value in changes.items():
        *parents, last = path
        target: Any = body
        for part in parents:
            target = target[part]
        if value is ...:
            del target[last]
        else:
            target[last] = copy.deepcopy(value)
    problems = Problems()
    read_advert(body, today(), problems)
    return problems.errors


def _at_and_past(limit: Limit) -> tuple[list[Any], Any]:
    """Values that meet the limit, and one just past it."""
    if limit.keyword == "enum":
        return list(limit.value), "Unlisted"
    bound: int | Decimal = limit.value
    step: int | Decimal = 1
    if limit.type == "number":
        # The validator's smallest step for a number: pence, and hundredths of an hour.
        bound, step = Decimal(str(limit.value)), Decimal("0.01")
    at, past = {
        "maxLength": (bound, bound + step),
        "maxItems": (bound, bound + step),
        "maximum": (bound, bound + step),
        "minLength": (bound, bound - step),
        "minItems": (bound, bound - step),
        "minimum": (bound, bound - step),
        "exclusiveMinimum": (bound + step, bound),
    }[limit.keyword]

    def value(size: Any) -> Any:
        if limit.type == "string":
            return FILL.get(json_path(limit.path), lambda length: "x" * length)(size)
        if limit.type == "array":
            return [ADDRESS] * size
        # JSON numbers: a float whose shortest form is the decimal meant, or an int.
        return float(size) if isinstance(size, Decimal) else size

    return [value(at)], value(past)


@pytest.mark.parametrize("limit", LIMITS, ids=str)
def test_the_validator_holds_each_published_limit(limit: Limit) -> None:
    meeting, past = _at_and_past(limit)
    context = _context(limit.path)
    for value in meeting:
        errors = _problems({**context, limit.path: value})
        assert not _about(limit.path, errors), f"{value!r} meets the published {limit}: {errors}"
    errors = _problems({**context, limit.path: past})
    assert _about(limit.path, errors), f"{past!r} breaks the published {limit}: {errors}"


@pytest.mark.parametrize("path", REQUIRED, ids=json_path)
def test_the_validator_requires_each_published_required_property(path: Path) -> None:
    errors = _problems({**_context(path), path: ...})
    assert _about(path, errors), f"{json_path(path)} is published as required: {errors}"


def test_the_walk_finds_the_limits_and_its_tables_name_published_fields() -> None:
    published = {json_path(limit.path) for limit in LIMITS}
    assert {"title", "wage.weeklyHours", "skills[0]", "qualifications[0].weighting"} <= published
    assert {"multipleAddresses[0].addressLine1", "contractingParties.ukprn"} <= published
    assert set(FILL) <= published
    assert set(CONTEXT) <= published | {json_path(path) for path in REQUIRED}


async def test_the_served_document_describes_the_body_with_this_schema(
    platform: Platform,
) -> None:
    document = (await call(platform, DOCUMENT)).json()
    served = document["components"]["schemas"]
    assert {name: served.get(name) for name in SCHEMAS} == SCHEMAS
    operation = document["paths"]["/managevacancies/vacancy/{id}"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/CreateVacancyRequest"}
