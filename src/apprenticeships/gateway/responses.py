"""The gateway's own responses: ``{"statusCode", "message"}`` JSON, as APIM sends them."""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.types import Send

JSON = (b"content-type", b"application/json; charset=utf-8")

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


def too_many_requests_message(retry_after: int) -> str:
    return f"Rate limit is exceeded. Try again in {retry_after} seconds."


def body_too_large_message(limit: int) -> str:
    return f"Request body too large. The limit is {limit} bytes."
