"""Background loops stop between steps: a step under way finishes, a sleep ends at once,
and only a step still busy after the grace period is cancelled."""

from __future__ import annotations

import asyncio
import time

from structlog.testing import capture_logs

from apprenticeships.background import Stopping, stop_all


async def test_a_pause_ends_as_soon_as_a_stop_is_asked() -> None:
    stopping = Stopping()
    pausing = asyncio.create_task(stopping.pause(3600))
    await asyncio.sleep(0)
    assert not pausing.done()
    stopping.ask()
    assert await asyncio.wait_for(pausing, timeout=10) is True
    assert stopping.asked


async def test_a_pause_ends_when_its_other_event_is_set_and_says_no_stop_was_asked() -> None:
    stopping, woken = Stopping(), asyncio.Event()
    pausing = asyncio.create_task(stopping.pause(3600, or_when=woken))
    await asyncio.sleep(0)
    woken.set()
    assert await asyncio.wait_for(pausing, timeout=10) is False


async def test_a_pause_runs_its_length_when_nothing_happens() -> None:
    started = time.monotonic()
    assert await Stopping().pause(0.05) is False
    assert time.monotonic() - started >= 0.04


async def test_a_step_under_way_finishes_before_the_loop_stops() -> None:
    stopping, release = Stopping(), asyncio.Event()
    steps: list[str] = []

    async def loop() -> None:
        while not stopping.asked:
            steps.append("began")
            await release.wait()  # a database call, say
            steps.append("finished")
            await stopping.pause(3600)

    task = asyncio.create_task(loop())
    while not steps:
        await asyncio.sleep(0)
    stopping_all = asyncio.create_task(stop_all(stopping, [task], grace=60))
    await asyncio.sleep(0.05)
    assert not task.done(), "the loop was stopped in the middle of its step"
    release.set()
    await asyncio.wait_for(stopping_all, timeout=10)
    assert steps == ["began", "finished"]
    assert task.done() and not task.cancelled()


async def test_a_step_busy_past_the_grace_period_is_cancelled_and_logged() -> None:
    stopping = Stopping()

    async def stuck() -> None:
        await asyncio.Event().wait()

    task = asyncio.create_task(stuck(), name="stuck-loop")
    await asyncio.sleep(0)
    with capture_logs() as logs:
        await asyncio.wait_for(stop_all(stopping, [task], grace=0.05), timeout=10)
    assert task.cancelled()
    assert logs == [
        {
            "event": "background_task_cancelled",
            "task": "stuck-loop",
            "grace_seconds": 0.05,
            "log_level": "warning",
        }
    ]


async def test_a_loop_that_failed_is_logged_when_stopping() -> None:
    async def broken() -> None:
        raise RuntimeError("boom")

    task = asyncio.create_task(broken(), name="broken-loop")
    await asyncio.sleep(0)
    with capture_logs() as logs:
        await stop_all(Stopping(), [task])
    assert logs == [
        {
            "event": "background_task_failed",
            "task": "broken-loop",
            "error": "RuntimeError('boom')",
            "log_level": "error",
        }
    ]
