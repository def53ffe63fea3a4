"""Reading an OpenAPI document into a reference page: types, rules, examples, requests."""

from __future__ import annotations

import json
from typing import Any

from apprenticeships.docs.reference import (
    TypePart,
    example_value,
    reference,
    rules,
    type_parts,
)
from apprenticeships.docs.site import prose, when

SCHEMAS: dict[str, Any] = {
    "Address": {
        "type": "object",
        "required": ["postcode"],
        "properties": {
            "postcode": {"type": "string", "examples": ["LS1 4AP"], "maxLength": 8},
            "line1": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        },
    },
    "Node": {  # refers to itself: examples must stop
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
    },
    "Colour": {"type": "string", "enum": ["Red", "Green"]},
}


def test_types_name_and_link_the_schemas_they_use() -> None:
    assert type_parts({"$ref": "#/components/schemas/Address"}) == (TypePart("Address", "Address"),)
    assert type_parts({"type": "array", "items": {"$ref": "#/components/schemas/Address"}}) == (
        TypePart("array of "),
        TypePart("Address", "Address"),
    )
    assert type_parts({"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]}) == (
        TypePart("number"),
        TypePart(" or "),
        TypePart("string"),
    )
    assert type_parts({"type": "string", "format": "date-time"}) == (
        TypePart("string (date-time)"),
    )
    assert type_parts({"type": ["integer", "null"]}) == (TypePart("integer"),)
    assert type_parts({}) == (TypePart("any"),)


def test_rules_put_the_constraints_in_words() -> None:
    assert rules({"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}) == (
        "from 1 to 1000",
        "default 10",
    )
    assert rules({"anyOf": [{"type": "string", "maxLength": 100}, {"type": "null"}]}) == (
        "at most 100 characters",
        "may be null",
    )
    assert rules({"type": "string", "enum": ["AgeAsc", "AgeDesc"]}) == ("one of: AgeAsc, AgeDesc",)
    assert rules({"type": "array", "minItems": 2, "maxItems": 10}) == ("2 to 10 items",)
    assert rules({"type": "number", "exclusiveMinimum": 0}) == ("more than 0",)


def test_examples_are_made_from_schemas_using_their_own_examples() -> None:
    assert example_value({"$ref": "#/components/schemas/Address"}, SCHEMAS) == {
        "postcode": "LS1 4AP",
        "line1": "string",
    }
    assert example_value({"$ref": "#/components/schemas/Colour"}, SCHEMAS) == "Red"
    assert example_value({"type": "integer", "minimum": 16}, SCHEMAS) == 16
    assert example_value({"type": "number", "exclusiveMinimum": 0}, SCHEMAS) == 1.0
    assert example_value({"type": "boolean", "default": True}, SCHEMAS) is True
    assert example_value({"type": "string", "format": "date"}, SCHEMAS) == "2026-09-01"
    assert example_value(
        {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        SCHEMAS,
    ) == {"name": ["string"]}
    nested = json.dumps(example_value({"$ref": "#/components/schemas/Node"}, SCHEMAS))
    assert nested.count('"name"') <= 6  # a self-reference ends


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Thing API", "version": "3", "description": "Does things."},
        "servers": [{"url": "https://api.example", "description": "Live"}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"Key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        },
        "paths": {
            "/things/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "post": {
                    "operationId": "CreateThing",
                    "summary": "Create a thing",
                    "parameters": [
                        {
                            "name": "X-Version",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string", "enum": ["3"]},
                        },
                        {"name": "dryRun", "in": "query", "schema": {"type": "boolean"}},
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Address"}}
                        },
                    },
                    "responses": {
                        "429": {
                            "description": "Slow down.",
                            "content": {
                                "application/json": {
                                    "examples": {
                                        "limited": {"summary": "Over", "value": {"statusCode": 429}}
                                    }
                                }
                            },
                        },
                        "201": {
                            "description": "Made.",
                            "headers": {
                                "RateLimit": {"description": "Left.", "schema": {"type": "string"}}
                            },
                        },
                    },
                },
                "get": {"responses": {"200": {"description": "OK"}}},
            }
        },
    }


def test_operations_carry_their_parameters_body_responses_and_a_request() -> None:
    read = reference(document())
    assert (read.title, read.version, read.key_header) == ("Thing API", "3", "X-Key")
    get, create = read.operations  # in the order of the methods' names in OpenAPI
    assert (create.anchor, create.method, create.path) == ("CreateThing", "POST", "/things/{id}")
    # Path-level parameters are the operation's too.
    assert [(p.name, p.location, p.required) for p in create.parameters] == [
        ("id", "path", True),
        ("X-Version", "header", True),
        ("dryRun", "query", False),
    ]
    assert create.body is not None and create.body_required
    assert [f.name for f in create.body.fields] == ["postcode", "line1"]
    assert create.body.fields[0].required and not create.body.fields[1].required
    assert json.loads(create.body.examples[0].text) == {"postcode": "LS1 4AP", "line1": "string"}
    # Responses in status order, with their headers and the document's own examples.
    assert [(a.status, a.reason) for a in create.answers] == [
        ("201", "Created"),
        ("429", "Too Many Requests"),
    ]
    assert [h.name for h in create.answers[0].headers] == ["RateLimit"]
    [limited] = create.answers[1].contents[0].examples
    assert (limited.summary, json.loads(limited.text)) == ("Over", {"statusCode": 429})
    assert create.curl.splitlines() == [
        'curl -sS -X POST "https://api.example/things/{id}" \\',
        '  -H "X-Key: $APPRENTICESHIPS_API_KEY" \\',
        '  -H "X-Version: 3" \\',
        '  -H "Content-Type: application/json" \\',
        "  -d @- <<'JSON'",
        "{",
        '  "postcode": "LS1 4AP",',
        '  "line1": "string"',
        "}",
        "JSON",
    ]
    # Without an operation id, an anchor from the method and path.
    assert get.anchor == "get-things-id"
    assert get.summary == "GET /things/{id}"
    assert [s.name for s in read.schemas] == ["Address", "Node", "Colour"]
    assert read.schemas[2].values == ("Red", "Green")


def test_descriptions_become_escaped_paragraphs_with_code() -> None:
    html = prose("Send `X-Version`.\nIt is <b>required</b>.\n\nSecond `a` and `b`.")
    assert str(html) == (
        '<p class="govuk-body">Send <code>X-Version</code>. It is &lt;b&gt;required&lt;/b&gt;.</p>\n'
        '<p class="govuk-body">Second <code>a</code> and <code>b</code>.</p>'
    )
    assert str(prose("")) == ""
    assert (
        str(prose("`<x>`", "govuk-body-s")) == '<p class="govuk-body-s"><code>&lt;x&gt;</code></p>'
    )


def test_dates_read_as_govuk_writes_them() -> None:
    from datetime import UTC, datetime

    assert when(datetime(2027, 3, 9, tzinfo=UTC)) == "9 March 2027"
    assert when(datetime(2027, 3, 9, 14, 5, tzinfo=UTC)) == "9 March 2027 at 2:05pm UTC"
    assert when(datetime(2027, 3, 9, 0, 30, tzinfo=UTC)) == "9 March 2027 at 12:30am UTC"
