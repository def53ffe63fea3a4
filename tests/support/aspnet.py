"""What ASP.NET writes as a problem's ``traceId``, worked out independently of the
platform's code: its ``Activity.Id``, ``00-<32 hex trace id>-<16 hex span id>-00``. The
platform's trace id is the request's ``X-Request-Id`` (32 hex digits when the platform
made it), or a digest of it otherwise; the span id is the digest's next 16 digits."""

from __future__ import annotations

import hashlib
import re

_HEX32 = re.compile(r"[0-9a-f]{32}")


def trace_id_for(request_id: str) -> str:
    digest = hashlib.sha256(request_id.encode()).hexdigest()
    trace = request_id if _HEX32.fullmatch(request_id) and request_id.strip("0") else digest[:32]
    return f"00-{trace}-{digest[32:48]}-00"
