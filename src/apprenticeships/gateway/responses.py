"""The gateway's own responses: ``{"statusCode", "message"}`` JSON, as APIM sends them.

The gateway sends them straight to the server (``send_gateway_error``); product apps
that must answer in the gateway's shape return ``error_response`` or
``too_many_requests`` instead of building the body themselves.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from starlette.responses import Response
from starlette.types import Send

JSON_MEDIA_TYPE = "application/json; charset=utf-8"
JSON = (b"content-type", JSON_MEDIA_TYPE.encode())

RESOURCE_NOT_FOUND = "Resource not found"
MISSING_KEY = (
    "Access denied due to missing subscription key. "
    "Make sure to include subscription key when making requests to an API."
)
INVALID_KEY = (
    "Access denied due to invalid subscription key. "
    "Make sure to provide a valid key for an active subscription."
)


def body(status: int, message: str) -> bytes:
    # json.dumps' default separators give exactly {"statusCode": 404, "message": "..."}.
    return json.dumps({"statusCode": status, "message": message}).encode()


_FIXED = {
    (404, RESOURCE_NOT_FOUND): body(404, RESOURCE_NOT_FOUND),
    (401, MISSING_KEY): body(401, MISSING_KEY),
    (401, INVALID_KEY): body(401, INVALID_KEY),
}


async def send_gateway_error(
    send: Send,
    status: int,
    message: str,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    content = _FIXED.get((status, message)) or body(status, message)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [JSON, (b"content-length", str(len(content)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": content})


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """A gateway error as a response object, for product apps."""
    content = _FIXED.get((status, message)) or body(status, message)
    return Response(content, status_code=status, media_type=JSON_MEDIA_TYPE, headers=headers)


def too_many_requests(retry_after: int) -> Response:
    """The gateway's 429 with its ``Retry-After``, as a product app can return it."""
    return error_response(
        429, too_many_requests_message(retry_after), {"Retry-After": str(retry_after)}
    )


def too_many_requests_message(retry_after: int) -> str:
    return f"Rate limit is exceeded. Try again in {retry_after} seconds."


def body_too_large_message(limit: int) -> str:
    return f"Request body too large. The limit is {limit} bytes."
