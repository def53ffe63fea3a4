"""OpenAPI 3.1 documents per product version, at ``/docs/{product}/v{N}/openapi.json``.

They describe the API as callers see it through the gateway: the subscription-key
header as the security scheme, ``X-Version`` on every operation, and the gateway's own
401/404/413/429 responses with the exact bodies it sends. The reference pages
(``reference.py``) are rendered from the same documents.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

from apprenticeships.catalog.products import Product
from apprenticeships.gateway import responses
from apprenticeships.problems import TITLES, TYPES

# The size limit the 413 example quotes when none is given (the settings' default).
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# What a trace id looks like in the examples (the request id the response also carries).
EXAMPLE_TRACE_ID = "4f1c2b9a7d3e6a80000000000000002a"

GATEWAY_ERROR = {
    "type": "object",
    "required": ["statusCode", "message"],
    "properties": {"statusCode": {"type": "integer"}, "message": {"type": "string"}},
    "additionalProperties": False,
}


PROBLEM_JSON = "application/problem+json"
PROBLEM_DETAILS = {
    "type": "object",
    "description": "An RFC 9457 problem, as ASP.NET writes it.",
    "required": ["title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "description": (
                "Validation problems, keyed as the real service keys them: a query parameter by "
                "its name (`PageSize`), a body field by its C# property path (`Title`, "
                '`Wage.WeeklyHours`, `Qualifications[0].Grade`), a rule across fields by `""`, '
                "and a value that could not be read by its JSON path (`$.wage.weeklyHours`)."
            ),
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "traceId": {
            "type": "string",
            "description": (
                "ASP.NET's Activity id, `00-<trace id>-<span id>-00`; the trace id is the "
                "response's `X-Request-Id`."
            ),
            "pattern": "^00-[0-9a-f]{32}-[0-9a-f]{16}-00$",
        },
    },
}


def _gateway_response(
    description: str,
    examples: Mapping[str, tuple[str, int, str]],
    headers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A response the gateway sends itself; ``examples`` are its exact bodies, by name:
    (summary, status, message)."""
    media: dict[str, Any] = {
        "schema": {"$ref": "#/components/schemas/GatewayError"},
        "examples": {
            name: {"summary": summary, "value": {"statusCode": status, "message": message}}
            for name, (summary, status, message) in examples.items()
        },
    }
    response: dict[str, Any] = {"description": description, "content": {"application/json": media}}
    if headers:
        response["headers"] = headers
    return response


_KEY_EXAMPLES = {
    "missingKey": ("No Ocp-Apim-Subscription-Key header", 401, responses.MISSING_KEY),
    "invalidKey": (
        "A key that is unknown, deleted, expired, or for another product or environment",
        401,
        responses.INVALID_KEY,
    ),
}
_NOT_FOUND_EXAMPLES = {
    "notFound": ("An unknown path", 404, responses.RESOURCE_NOT_FOUND),
}
# A Retry-After value for the example (any whole number of seconds up to the window).
_EXAMPLE_RETRY_AFTER = 42


def _problem_example(status: int) -> dict[str, Any]:
    """A problem body without field errors, as ``problems.problem_response`` writes it."""
    return {
        "type": TYPES[status],
        "title": TITLES[status],
        "status": status,
        "traceId": EXAMPLE_TRACE_ID,
    }


_RATE_HEADERS = {
    "RateLimit-Policy": {
        "description": 'The limit, for example `"default";q=150;w=300`.',
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": 'What is left of it, for example `"default";r=149;t=300`.',
        "schema": {"type": "string"},
    },
}


def build_document(
    product: Product, version: int, app: FastAPI, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
) -> dict[str, Any]:
    document = copy.deepcopy(app.openapi())
    document["info"]["version"] = str(version)
    base = document.get("servers", [{"url": ""}])[0]["url"]
    document["servers"] = [
        {"url": base, "description": "Live"},
        {"url": base + "/sandbox", "description": "Sandbox (use a sandbox key)"},
    ]
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["GatewayError"] = GATEWAY_ERROR
    schemas["ProblemDetails"] = PROBLEM_DETAILS
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    components["securitySchemes"] = {
        "SubscriptionKey": {
            "type": "apiKey",
            "in": "header",
            "name": "Ocp-Apim-Subscription-Key",
            "description": "Your API key for this product and environment.",
        }
    }
    document["security"] = [{"SubscriptionKey": []}]
    version_header = {
        "name": "X-Version",
        "in": "header",
        "required": True,
        "description": "The API version, a whole number.",
        "schema": {"type": "string", "enum": [str(version)], "default": str(version)},
    }
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            operation.setdefault("parameters", []).insert(0, dict(version_header))
            answers = operation.setdefault("responses", {})
            # Bad input is a 400 problem here, never FastAPI's 422.
            answers.pop("422", None)
            for status, answer in answers.items():
                problem = answer.get("content", {}).get(PROBLEM_JSON)
                if problem is not None and not problem.get("schema"):
                    problem["schema"] = {"$ref": "#/components/schemas/ProblemDetails"}
                    # 400s list each operation's own field problems: no one example fits.
                    if status in ("403", "404", "409"):
                        problem.setdefault("example", _problem_example(int(status)))
            answers.setdefault(
                "401", _gateway_response("Missing or invalid subscription key.", _KEY_EXAMPLES)
            )
            gateway_404 = _gateway_response(
                "Unknown path, or missing or unknown X-Version.", _NOT_FOUND_EXAMPLES
            )
            if "404" in answers and "content" not in answers["404"]:
                # An operation whose own 404 has no body: no content is declared, so a
                # client must not rely on one (the gateway's has its JSON body).
                answers["404"]["description"] += (
                    " The gateway answers an unknown path or X-Version with its own 404 "
                    "and a `{statusCode, message}` body."
                )
            elif "404" in answers:
                # The operation's own 404 problem, or the gateway's when the path or
                # version is unknown.
                answers["404"].setdefault("content", {}).update(gateway_404["content"])
            else:
                answers["404"] = gateway_404
            if "requestBody" in operation:
                answers.setdefault(
                    "413",
                    _gateway_response(
                        "The request body is too large.",
                        {
                            "tooLarge": (
                                "A body over the limit",
                                413,
                                responses.body_too_large_message(max_body_bytes),
                            )
                        },
                    ),
                )
            answers.setdefault(
                "429",
                _gateway_response(
                    "Rate limit exceeded.",
                    {
                        "rateLimited": (
                            "Over the limit: wait Retry-After seconds",
                            429,
                            responses.too_many_requests_message(_EXAMPLE_RETRY_AFTER),
                        )
                    },
                    {
                        "Retry-After": {
                            "description": "Seconds until the limit resets.",
                            "schema": {"type": "integer"},
                        },
                        **_RATE_HEADERS,
                    },
                ),
            )
            for status, answer in answers.items():
                if status.startswith("2"):
                    answer.setdefault("headers", {}).update(_RATE_HEADERS)
    return document


class OpenApiDocuments:
    """Each product version's document, built on first use and kept: the apps' routes do
    not change while the process runs."""

    def __init__(
        self,
        products: tuple[Product, ...],
        apps: Mapping[tuple[str, int], FastAPI],
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self.products = products
        self._apps = apps
        self._max_body_bytes = max_body_bytes
        self._built: dict[tuple[str, int], tuple[dict[str, Any], bytes]] = {}

    def versions(self, product: Product) -> list[int]:
        """The versions of ``product`` that have a document (every version it implements)."""
        return sorted(v for p, v in self._apps if p == product.id)

    def product(self, product_id: str) -> Product | None:
        return next((p for p in self.products if p.id == product_id), None)

    def _entry(self, product_id: str, version: int) -> tuple[dict[str, Any], bytes] | None:
        found = self._built.get((product_id, version))
        if found is not None:
            return found
        product = self.product(product_id)
        app = self._apps.get((product_id, version))
        if product is None or app is None:
            return None
        document = build_document(product, version, app, self._max_body_bytes)
        found = (document, json.dumps(document).encode())
        self._built[(product_id, version)] = found
        return found

    def document(self, product_id: str, version: int) -> dict[str, Any] | None:
        """The document as data. Callers must not change it (it is shared)."""
        entry = self._entry(product_id, version)
        return entry[0] if entry is not None else None

    def json(self, product_id: str, version: int) -> bytes | None:
        entry = self._entry(product_id, version)
        return entry[1] if entry is not None else None
