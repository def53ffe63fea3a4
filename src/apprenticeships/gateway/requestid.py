"""Request ids: every response carries ``X-Request-Id``, the client's own if it is sane."""

from __future__ import annotations

import itertools
import os

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
