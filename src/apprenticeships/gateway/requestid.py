"""Request ids: every response carries ``X-Request-Id``, the client's own if it is sane.

The gateway sets it on API requests itself (in its one pass over the headers);
``RequestId`` does the same for the platform's other routes (health, metrics, docs).
"""

from __future__ import annotations

import itertools
import os

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apprenticeships.gateway.context import REQUEST_ID_SCOPE_KEY

HEADER = b"x-request-id"
_ALLOWED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-")
# Request ids need to be unique, not secret: a random per-process prefix and a counter
# are unique across processes and restarts, and far cheaper than reading the OS's
# random source for every request.
_counter = itertools.count()
_prefix = os.urandom(8).hex()


def new_request_id(sent: bytes | None) -> str:
    """The client's own id if it is sane (1-128 of A-Z a-z 0-9 . _ : -), else a new one."""
    if sent is not None and 0 < len(sent) <= 128 and _ALLOWED.issuperset(sent):
        return sent.decode("ascii")
    return f"{_prefix}{next(_counter):016x}"


class RequestId:
    """Gives an HTTP app's requests an id in the scope and on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent = next((v for k, v in scope["headers"] if k.lower() == HEADER), None)
        request_id = new_request_id(sent)
        scope[REQUEST_ID_SCOPE_KEY] = request_id
        id_header = (HEADER, request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        await self.app(scope, receive, send_with_id)
