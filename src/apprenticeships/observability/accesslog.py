"""The per-request access log: one JSON line per API request, written in batches.

Every API request produces a line, so this is on the hot path. Lines are serialised with
orjson and written to stdout at most every ``interval`` seconds (or when ``batch`` lines
are waiting) instead of with one write system call per request. The fields match the
structlog lines the rest of the platform writes (``event``, ``level``, ``timestamp``).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO, Any

import orjson


class AccessLog:
    def __init__(
        self,
        stream: Callable[[], IO[bytes]] = lambda: sys.stdout.buffer,
        interval: float = 0.05,
        batch: int = 256,
    ) -> None:
        self._stream = stream
        self._interval = interval
        self._batch = batch
        self._lines: list[bytes] = []
        self._timer: asyncio.TimerHandle | None = None

    def write(self, fields: dict[str, Any]) -> None:
        fields["event"] = "request"
        fields["level"] = "info"
        fields["timestamp"] = datetime.now(UTC).isoformat()
        self._lines.append(orjson.dumps(fields))
        if len(self._lines) >= self._batch:
            self.flush()
        elif self._timer is None:
            try:
                self._timer = asyncio.get_running_loop().call_later(self._interval, self.flush)
            except RuntimeError:  # no event loop: write at once
                self.flush()

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._lines:
            return
        lines, self._lines = self._lines, []
        stream = self._stream()
        stream.write(b"\n".join(lines) + b"\n")
        stream.flush()
