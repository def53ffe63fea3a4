"""One response type for tests that read responses raw: from the platform called as an
ASGI app (tests/support/asgi.py) or off the wire from a server process (tests/system)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[bytes, bytes]]  # as sent: names in their own case, repeats kept
    body: bytes

    def header(self, name: str) -> str | None:
        """The one value of a header (any case), or None; sending it twice is a failure."""
        wanted = name.lower().encode()
        values = [v.decode("latin-1") for k, v in self.headers if k.lower() == wanted]
        assert len(values) <= 1, f"{name} sent {len(values)} times"
        return values[0] if values else None

    def json(self) -> Any:
        return json.loads(self.body)

    @classmethod
    def from_wire(cls, data: bytes) -> RawResponse:
        """An HTTP/1.1 response read to the end of a ``Connection: close`` stream; its
        body must be exactly ``Content-Length`` long (never chunked)."""
        head, separator, body = data.partition(b"\r\n\r\n")
        assert separator, f"incomplete HTTP response: {data[:300]!r}"
        status_line, *header_lines = head.split(b"\r\n")
        version, status, *_ = status_line.split(b" ", 2)
        assert version == b"HTTP/1.1", status_line
        headers = []
        for line in header_lines:
            name, _, value = line.partition(b":")
            headers.append((name.strip(), value.strip()))
        response = cls(int(status), headers, body)
        assert response.header("transfer-encoding") is None, headers
        assert int(response.header("content-length") or -1) == len(body), (headers, body[:300])
        return response
