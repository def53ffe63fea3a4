"""A version's reference page, read from its OpenAPI 3.1 document.

``reference(document)`` turns the document the platform publishes at
``/docs/{product}/v{N}/openapi.json`` into what the page shows: every operation with its
parameters, request body, responses (the gateway's own included) and examples, and
every schema the operations name. Nothing here knows the products: a change to an API's
routes or models shows on its page because the page is the document.

Examples come from the document where it has them (the gateway's exact bodies, a
field's ``examples``); otherwise they are made from the schema, as Swagger UI does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from apprenticeships.docs.guide import LIVE_KEY_VARIABLE

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
SCHEMA_PREFIX = "#/components/schemas/"
# Nesting an example deeper than this only repeats itself (and stops self-references).
_MAX_EXAMPLE_DEPTH = 6
_FORMAT_EXAMPLES = {
    "date-time": "2026-09-01T00:00:00Z",
    "date": "2026-09-01",
    "uri": "https://www.example.com/",
    "url": "https://www.example.com/",
    "email": "someone@example.com",
    "uuid": "9f3a6c1e-2b7d-4e58-a1c4-6d2e8f0b7a35",
}


@dataclass(frozen=True, slots=True)
class TypePart:
    """One piece of a type's description; ``schema`` names the schema it links to."""

    text: str
    schema: str | None = None


@dataclass(frozen=True, slots=True)
class Field:
    """A parameter, a header or an object's property."""

    name: str
    type: tuple[TypePart, ...]
    required: bool
    description: str = ""
    rules: tuple[str, ...] = ()
    location: str = ""  # a parameter's: path, query, header


@dataclass(frozen=True, slots=True)
class Example:
    summary: str
    text: str


@dataclass(frozen=True, slots=True)
class Content:
    """A body of one media type: its type, its fields when it is an object, examples."""

    media_type: str
    type: tuple[TypePart, ...]
    fields: tuple[Field, ...]
    examples: tuple[Example, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    status: str
    reason: str
    description: str
    headers: tuple[Field, ...]
    contents: tuple[Content, ...]


@dataclass(frozen=True, slots=True)
class Input:
    """A parameter as the try-it form asks for it."""

    name: str
    location: str  # path, query or header
    required: bool
    description: str
    # The values it may take (an enum or a boolean): a select, "not sent" first.
    choices: tuple[str, ...] = ()
    # An array, sent as the parameter repeated: typed as values separated by commas.
    repeated: bool = False
    # What the form starts with: a header's only value (X-Version), else nothing.
    value: str = ""

    @property
    def field(self) -> str:
        """The form field's name: ``query.PageSize``."""
        return f"{self.location}.{self.name}"


@dataclass(frozen=True, slots=True)
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    parameters: tuple[Field, ...]
    body: Content | None
    body_required: bool
    answers: tuple[Answer, ...]
    curl: str
    inputs: tuple[Input, ...] = ()

    @property
    def body_example(self) -> str:
        """The request body the try-it form starts with: the first example."""
        if self.body is None or not self.body.examples:
            return ""
        return self.body.examples[0].text


@dataclass(frozen=True, slots=True)
class Schema:
    name: str
    anchor: str
    description: str
    type: tuple[TypePart, ...]
    fields: tuple[Field, ...]
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Server:
    url: str
    description: str


@dataclass(frozen=True, slots=True)
class Reference:
    title: str
    version: str
    description: str
    servers: tuple[Server, ...]
    operations: tuple[Operation, ...]
    schemas: tuple[Schema, ...]
    key_header: str | None = None


def schema_anchor(name: str) -> str:
    return "schema-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


def reference(document: Mapping[str, Any]) -> Reference:
    reader = _Reader(document)
    info = document.get("info", {})
    servers = tuple(
        Server(str(s.get("url", "")), str(s.get("description", "")))
        for s in document.get("servers", [])
    )
    live = servers[0].url if servers else ""
    operations = []
    used: set[str] = set()
    for path, item in document.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            operation = item.get(method)
            if operation is not None:
                operations.append(reader.operation(method, path, operation, shared, live, used))
    schemas = tuple(
        reader.schema(name, schema)
        for name, schema in document.get("components", {}).get("schemas", {}).items()
    )
    return Reference(
        title=str(info.get("title", "")),
        version=str(info.get("version", "")),
        description=str(info.get("description", "")),
        servers=servers,
        operations=tuple(operations),
        schemas=schemas,
        key_header=reader.key_header(),
    )


def example_value(schema: Mapping[str, Any], schemas: Mapping[str, Any], depth: int = 0) -> Any:
    """An example of a value the schema allows: its own example if it has one, otherwise
    one made from its type."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if depth >= _MAX_EXAMPLE_DEPTH or not ref.startswith(SCHEMA_PREFIX):
            return {}
        return example_value(schemas.get(ref.removeprefix(SCHEMA_PREFIX), {}), schemas, depth + 1)
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if "const" in schema:
        return schema["const"]
    if schema.get("default") is not None:
        return schema["default"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    options = _options(schema)
    if options:
        return example_value(options[0], schemas, depth + 1)
    kind = _kind(schema)
    if kind == "object" or "properties" in schema:
        result = {
            name: example_value(prop, schemas, depth + 1)
            for name, prop in schema.get("properties", {}).items()
        }
        extra = schema.get("additionalProperties")
        if not result and isinstance(extra, Mapping):
            result["name"] = example_value(extra, schemas, depth + 1)
        return result
    if kind == "array":
        items = schema.get("items")
        return [example_value(items, schemas, depth + 1)] if isinstance(items, Mapping) else []
    if kind == "string":
        return _FORMAT_EXAMPLES.get(str(schema.get("format", "")), "string")
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        value = low if isinstance(low, int | float) else 0
        if "exclusiveMinimum" in schema and "minimum" not in schema:
            value += 1
        return int(value) if kind == "integer" else float(value)
    if kind == "boolean":
        return False
    return None


def as_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _options(schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The alternatives of an ``anyOf``/``oneOf``, null left out."""
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return [o for o in schema[key] if isinstance(o, Mapping) and o.get("type") != "null"]
    return []


def _nullable(schema: Mapping[str, Any]) -> bool:
    for key in ("anyOf", "oneOf"):
        if any(isinstance(o, Mapping) and o.get("type") == "null" for o in schema.get(key, [])):
            return True
    kind = schema.get("type")
    return isinstance(kind, list) and "null" in kind


def _kind(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return str(kinds[0]) if kinds else None
    return str(kind) if kind is not None else None


def type_parts(schema: Mapping[str, Any]) -> tuple[TypePart, ...]:
    """How the page names a schema's type: ``string (date-time)``, ``array of Address``
    (linking to Address), ``number or string``."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.removeprefix(SCHEMA_PREFIX)
        return (TypePart(name, name if ref.startswith(SCHEMA_PREFIX) else None),)
    options = _options(schema)
    if options:
        parts: list[TypePart] = []
        for index, option in enumerate(options):
            if index:
                parts.append(TypePart(" or "))
            parts.extend(type_parts(option))
        return tuple(parts)
    kind = _kind(schema)
    if kind == "array":
        items = schema.get("items")
        return (TypePart("array of "), *type_parts(items if isinstance(items, Mapping) else {}))
    if kind is None:
        return (TypePart("object" if "properties" in schema else "any"),)
    fmt = schema.get("format")
    return (TypePart(f"{kind} ({fmt})" if fmt else kind),)


def _literal(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def rules(schema: Mapping[str, Any]) -> tuple[str, ...]:
    """The schema's constraints in words, the alternatives' included."""
    found: list[str] = []
    for part in [schema, *_options(schema)]:
        if isinstance(part.get("enum"), list):
            found.append("one of: " + ", ".join(_literal(v) for v in part["enum"]))
        low, high = part.get("minLength"), part.get("maxLength")
        if low is not None and high is not None:
            found.append(f"{low} to {high} characters")
        elif high is not None:
            found.append(f"at most {high} characters")
        elif low is not None:
            found.append(f"at least {low} characters")
        low, high = part.get("minimum"), part.get("maximum")
        if low is not None and high is not None:
            found.append(f"from {_literal(low)} to {_literal(high)}")
        elif low is not None:
            found.append(f"at least {_literal(low)}")
        elif high is not None:
            found.append(f"at most {_literal(high)}")
        if part.get("exclusiveMinimum") is not None:
            found.append(f"more than {_literal(part['exclusiveMinimum'])}")
        if part.get("exclusiveMaximum") is not None:
            found.append(f"less than {_literal(part['exclusiveMaximum'])}")
        low, high = part.get("minItems"), part.get("maxItems")
        if low is not None and high is not None:
            found.append(f"{low} to {high} items")
        elif high is not None:
            found.append(f"at most {high} items")
        elif low is not None:
            found.append(f"at least {low} items")
        if part.get("pattern"):
            found.append(f"matches {part['pattern']}")
        if isinstance(part.get("examples"), list) and part["examples"]:
            found.append("for example " + _literal(part["examples"][0]))
    if schema.get("default") is not None:
        found.append("default " + _literal(schema["default"]))
    if _nullable(schema):
        found.append("may be null")
    return tuple(dict.fromkeys(found))


def _description(schema: Mapping[str, Any], *others: Mapping[str, Any]) -> str:
    for candidate in (schema, *others, *_options(schema)):
        text = candidate.get("description")
        if isinstance(text, str) and text:
            return text
    return ""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or "operation"


class _Reader:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.schemas: Mapping[str, Any] = document.get("components", {}).get("schemas", {})

    def key_header(self) -> str | None:
        schemes = self.document.get("components", {}).get("securitySchemes", {})
        for scheme in schemes.values():
            if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                return str(scheme.get("name"))
        return None

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
            found = self.schemas.get(ref.removeprefix(SCHEMA_PREFIX))
            return found if isinstance(found, Mapping) else {}
        return schema

    def fields(self, schema: Mapping[str, Any]) -> tuple[Field, ...]:
        """An object's properties, in the document's order."""
        target = self.resolve(schema)
        required = set(target.get("required", []))
        return tuple(
            Field(
                name=name,
                type=type_parts(prop),
                required=name in required,
                description=_description(prop, self.resolve(prop)),
                rules=rules(prop),
            )
            for name, prop in target.get("properties", {}).items()
        )

    def parameter(self, parameter: Mapping[str, Any]) -> Field:
        schema = parameter.get("schema", {})
        return Field(
            name=str(parameter.get("name", "")),
            type=type_parts(schema),
            required=bool(parameter.get("required", False)),
            description=_description(parameter, schema),
            rules=rules(schema),
            location=str(parameter.get("in", "")),
        )

    def content(self, media_type: str, media: Mapping[str, Any]) -> Content:
        schema = media.get("schema", {})
        examples: list[Example] = []
        for name, example in (media.get("examples") or {}).items():
            if isinstance(example, Mapping) and "value" in example:
                examples.append(
                    Example(str(example.get("summary", name)), as_json(example["value"]))
                )
        if "example" in media:
            examples.append(Example("", as_json(media["example"])))
        if not examples and schema:
            examples.append(Example("", as_json(example_value(schema, self.schemas))))
        target = self.resolve(schema)
        fields = self.fields(schema) if "properties" in target else ()
        return Content(media_type, type_parts(schema), fields, tuple(examples))

    def operation(
        self,
        method: str,
        path: str,
        operation: Mapping[str, Any],
        shared: Iterable[Mapping[str, Any]],
        live_url: str,
        used: set[str],
    ) -> Operation:
        anchor = _slug(str(operation.get("operationId") or f"{method}-{path}"))
        while anchor in used:
            anchor += "-"
        used.add(anchor)
        own = list(operation.get("parameters", []))
        names = {(p.get("name"), p.get("in")) for p in own}
        parameters = [p for p in shared if (p.get("name"), p.get("in")) not in names] + own
        request = operation.get("requestBody")
        body: Content | None = None
        if isinstance(request, Mapping) and request.get("content"):
            media_type, media = next(iter(request["content"].items()))
            body = self.content(media_type, media)
        answers = []
        for status, answer in sorted(operation.get("responses", {}).items(), key=_status_order):
            answers.append(
                Answer(
                    status=status,
                    reason=_reason(status),
                    description=str(answer.get("description", "")),
                    headers=tuple(
                        Field(
                            name=name,
                            type=type_parts(header.get("schema", {})),
                            required=False,
                            description=_description(header),
                        )
                        for name, header in (answer.get("headers") or {}).items()
                    ),
                    contents=tuple(
                        self.content(media_type, media)
                        for media_type, media in (answer.get("content") or {}).items()
                    ),
                )
            )
        return Operation(
            anchor=anchor,
            method=method.upper(),
            path=path,
            summary=str(operation.get("summary") or f"{method.upper()} {path}"),
            description=str(operation.get("description", "")),
            parameters=tuple(self.parameter(p) for p in parameters),
            body=body,
            body_required=bool(isinstance(request, Mapping) and request.get("required")),
            answers=tuple(answers),
            curl=self.curl(method, path, parameters, body, live_url),
            inputs=tuple(self.input(p) for p in parameters),
        )

    def input(self, parameter: Mapping[str, Any]) -> Input:
        schema = self.resolve(parameter.get("schema", {}))
        options = _options(schema)
        single = options[0] if len(options) == 1 else schema
        kind = _kind(single)
        choices: tuple[str, ...] = ()
        if isinstance(single.get("enum"), list):
            choices = tuple(_literal(v) for v in single["enum"])
        elif kind == "boolean":
            choices = ("true", "false")
        location = str(parameter.get("in", ""))
        return Input(
            name=str(parameter.get("name", "")),
            location=location,
            required=bool(parameter.get("required", False)),
            description=_description(parameter, schema),
            choices=choices,
            repeated=kind == "array",
            value=choices[0] if location == "header" and len(choices) == 1 else "",
        )

    def curl(
        self,
        method: str,
        path: str,
        parameters: list[Mapping[str, Any]],
        body: Content | None,
        live_url: str,
    ) -> str:
        """The request as a shell command, the key read from an environment variable."""
        url = live_url + path
        lines = [
            f'curl -sS -X {method.upper()} "{url}"' if method != "get" else f'curl -sS "{url}"'
        ]
        key = self.key_header()
        if key:
            lines.append(f'-H "{key}: ${LIVE_KEY_VARIABLE}"')
        for parameter in parameters:
            if parameter.get("in") == "header" and parameter.get("required"):
                value = example_value(parameter.get("schema", {}), self.schemas)
                lines.append(f'-H "{parameter.get("name")}: {value}"')
        if body is not None:
            lines.append(f'-H "Content-Type: {body.media_type}"')
            lines.append("-d @- <<'JSON'")
        command = " \\\n  ".join(lines)
        if body is not None and body.examples:
            command += "\n" + body.examples[0].text + "\nJSON"
        return command

    def schema(self, name: str, schema: Mapping[str, Any]) -> Schema:
        values = tuple(_literal(v) for v in schema.get("enum", []))
        return Schema(
            name=name,
            anchor=schema_anchor(name),
            description=str(schema.get("description", "")),
            type=type_parts(schema),
            fields=self.fields(schema),
            values=values,
        )


def _status_order(item: tuple[str, Any]) -> tuple[int, str]:
    status = item[0]
    return (int(status), status) if status.isdigit() else (1000, status)


def _reason(status: str) -> str:
    if status == "default":
        return "Any other status"
    try:
        return HTTPStatus(int(status)).phrase
    except ValueError:
        return ""
