"""OpenAPI 3.1 documents per product version, at ``/docs/{product}/v{N}/openapi.json``.

They describe the API as callers see it through the gateway: the subscription-key
header as the security scheme, ``X-Version`` on every operation, and the gateway's own
401/404/429 responses.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

from apprenticeships.catalog.products import Product

_PATH = re.compile(r"^/docs/([a-z-]+)/v(\d{1,4})/openapi\.json$")

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
            "description": "Validation problems by JSON path or parameter name.",
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "traceId": {"type": "string"},
    },
}


def _gateway_response(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GatewayError"}}},
    }
    if headers:
        response["headers"] = headers
    return response


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


def build_document(product: Product, version: int, app: FastAPI) -> dict[str, Any]:
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
            for answer in answers.values():
                problem = answer.get("content", {}).get(PROBLEM_JSON)
                if problem is not None and not problem.get("schema"):
                    problem["schema"] = {"$ref": "#/components/schemas/ProblemDetails"}
            answers.setdefault("401", _gateway_response("Missing or invalid subscription key."))
            gateway_404 = _gateway_response("Unknown path, or missing or unknown X-Version.")
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
                answers.setdefault("413", _gateway_response("The request body is too large."))
            answers.setdefault(
                "429",
                _gateway_response(
                    "Rate limit exceeded.",
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


def openapi_document(
    path: str, products: tuple[Product, ...], apps: Mapping[tuple[str, int], FastAPI]
) -> bytes | None:
    match = _PATH.match(path)
    if not match:
        return None
    product = next((p for p in products if p.id == match.group(1)), None)
    version = int(match.group(2))
    if product is None or (product.id, version) not in apps:
        return None
    return json.dumps(build_document(product, version, apps[(product.id, version)])).encode()
