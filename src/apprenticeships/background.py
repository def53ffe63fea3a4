"""How the process's background loops stop: between two steps, never inside one.

A loop that is cancelled while it waits on a database call leaves that call running in
the driver (aiosqlite's worker thread, for one); when the event loop closes before the
call returns, the thread's answer goes to a closed loop and the connection is lost
uncleanly. So the platform asks its loops to stop (`Stopping.ask`), each loop notices it
in its pause between steps, and only a step still running after a grace period is
cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from contextlib import suppress

import structlog

log = structlog.get_logger(__name__)

GRACE_SECONDS = 10.0


class Stopping:
    """A stop request shared by the background loops of one process."""

    def __init__(self) -> None:
        self._asked = asyncio.Event()

    @property
    def asked(self) -> bool:
        return self._asked.is_set()

    def ask(self) -> None:
        self._asked.set()

    async def pause(self, seconds: float, *, or_when: asyncio.Event | None = None) -> bool:
        """Wait ``seconds``, less if a stop is asked or ``or_when`` is set; say whether a
        stop was asked, so a loop reads ``if await stopping.pause(n): return``."""
        waits = [asyncio.ensure_future(self._asked.wait())]
        if or_when is not None:
            waits.append(asyncio.ensure_future(or_when.wait()))
        try:
            await asyncio.wait(waits, timeout=max(seconds, 0), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        return self.asked


async def stop_all(
    stopping: Stopping, tasks: Iterable[asyncio.Task[None]], grace: float = GRACE_SECONDS
) -> None:
    """Ask the loops to stop and wait for them; cancel what is still busy after ``grace``."""
    stopping.ask()
    tasks = list(tasks)
    if not tasks:
        return
    done, busy = await asyncio.wait(tasks, timeout=grace)
    for task in busy:
        log.warning("background_task_cancelled", task=task.get_name(), grace_seconds=grace)
        task.cancel()
    for task in busy:
        with suppress(asyncio.CancelledError):
            await task
    for task in done:
        error = None if task.cancelled() else task.exception()
        if error is not None:
            log.error("background_task_failed", task=task.get_name(), error=repr(error))
