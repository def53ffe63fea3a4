"""The per-request access log: one JSON line per API request, written in batches.

Every API request produces a line, so this is on the hot path: a request only appends
its facts to a list; they are formatted (with orjson) and written to stdout at most every
``interval`` seconds, or once ``batch`` lines are waiting, instead of with one write
system call per request. A crash can lose the last ``interval`` of access lines, never
more. The fields match the structlog lines the rest of the platform writes (``event``,
``level``, ``timestamp``).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO, NamedTuple

import orjson


class AccessRecord(NamedTuple):
    request_id: str
    method: str
    path: str
    product: str | None
    version: int | None
    environment: str
    subscription_id: int | None
    key_id: str | None
    status: int
    seconds: float
    at: float


def format_record(record: AccessRecord) -> bytes:
    return orjson.dumps(
        {
            "request_id": record.request_id,
            "method": record.method,
            "path": record.path,
            "product": record.product,
            "version": record.version,
            "environment": record.environment,
            "subscription_id": record.subscription_id,
            "key_id": record.key_id,
            "status": record.status,
            "latency_ms": round(record.seconds * 1000, 3),
            "event": "request",
            "level": "info",
            "timestamp": datetime.fromtimestamp(record.at, UTC).isoformat(),
        }
    )


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
        self._records: list[AccessRecord] = []
        self._timer: asyncio.TimerHandle | None = None

    def write(
        self,
        request_id: str,
        method: str,
        path: str,
        product: str | None,
        version: int | None,
        environment: str,
        subscription_id: int | None,
        key_id: str | None,
        status: int,
        seconds: float,
    ) -> None:
        self._records.append(
            AccessRecord(
                request_id,
                method,
                path,
                product,
                version,
                environment,
                subscription_id,
                key_id,
                status,
                seconds,
                time.time(),
            )
        )
        if len(self._records) >= self._batch:
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
        if not self._records:
            return
        records, self._records = self._records, []
        stream = self._stream()
        stream.write(b"\n".join(map(format_record, records)) + b"\n")
        stream.flush()
