"""The platform as an ASGI application: its lifespan and its own routes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.types import Message

from apprenticeships.app import DatabaseNotReadyError, Platform
from apprenticeships.settings import Settings
from tests.support.asgi import call

NOT_FOUND = {"statusCode": 404, "message": "Resource not found"}


async def run_lifespan(platform: Platform, sent: list[Message]) -> None:
    """Start-up then shut-down, as a server drives them; what the platform sends goes
    to ``sent`` (a failure is raised after it has been sent, as Starlette does)."""
    incoming: list[Message] = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    await platform({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)


def logged(output: str, event: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == event]


async def test_lifespan_starts_and_stops_the_platform(
    make_settings: Callable[..., Settings],
) -> None:
    platform = Platform(make_settings())
    started: list[bool] = []
    original_shutdown = platform.shutdown

    async def shutdown() -> None:
        started.append(platform.started)
        await original_shutdown()

    platform.shutdown = shutdown  # type: ignore[method-assign]
    sent: list[Message] = []
    await run_lifespan(platform, sent)
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]
    assert started == [True]  # it was running when the shutdown came
    assert platform.started is False


async def test_failed_startup_is_reported_to_the_server_and_logged_with_its_traceback(
    make_settings: Callable[..., Settings], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.sqlite3"  # no tables: `db upgrade` never ran
    platform = Platform(make_settings(database_url=f"sqlite:///{empty}"))
    capfd.readouterr()
    sent: list[Message] = []
    with pytest.raises(DatabaseNotReadyError):
        await run_lifespan(platform, sent)
    assert [message["type"] for message in sent] == ["lifespan.startup.failed"]
    message = sent[0]["message"]
    assert message.startswith("Traceback (most recent call last):")
    assert "DatabaseNotReadyError: the database has no tables yet" in message
    [entry] = logged(capfd.readouterr().out, "startup_failed")
    assert entry["level"] == "error"
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert "in _check_schema" in entry["exception"]
    assert "run `apprenticeships db upgrade` first" in entry["exception"]
    assert platform.started is False
    await platform.engine.dispose()


async def test_failed_shutdown_is_reported_to_the_server_and_logged_with_its_traceback(
    make_settings: Callable[..., Settings], capfd: pytest.CaptureFixture[str]
) -> None:
    platform = Platform(make_settings())

    async def failing_flush() -> None:
        raise ConnectionError("database host db.internal went away")

    platform.usage.flush = failing_flush  # type: ignore[method-assign]
    capfd.readouterr()
    sent: list[Message] = []
    with pytest.raises(ConnectionError):
        await run_lifespan(platform, sent)
    assert [message["type"] for message in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.failed",
    ]
    message = sent[1]["message"]
    assert message.startswith("Traceback (most recent call last):")
    assert "ConnectionError: database host db.internal went away" in message
    [entry] = logged(capfd.readouterr().out, "shutdown_failed")
    assert entry["level"] == "error"
    assert "ConnectionError: database host db.internal went away" in entry["exception"]
    await platform.engine.dispose()


# -- the platform's own routes ----------------------------------------------------------

OWN_ROUTES = ["/health", "/ready", "/metrics", "/docs/display-advert/v2/openapi.json"]


@pytest.mark.parametrize("path", OWN_ROUTES)
@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
async def test_own_routes_answer_with_the_request_id(
    platform: Platform, path: str, method: str
) -> None:
    response = await call(platform, path, [(b"x-request-id", b"trace-9")], method=method)
    assert response.status == 200
    assert response.header("x-request-id") == "trace-9"
    assert response.header("cache-control") == "no-store"


@pytest.mark.parametrize(
    "path",
    [
        *(path + "/" for path in OWN_ROUTES if not path.startswith("/docs")),
        "/health/x",
        "/HEALTH",
        "/DOCS",
    ],
)
async def test_near_misses_of_own_routes_are_the_gateway_404_never_a_redirect(
    platform: Platform, path: str
) -> None:
    response = await call(platform, path, [(b"x-request-id", b"trace-10")])
    assert (response.status, response.json()) == (404, NOT_FOUND)
    assert response.header("location") is None
    assert response.header("x-request-id") == "trace-10"


@pytest.mark.parametrize(
    "path",
    [
        "/docs/display-advert/v2/openapi.json/",
        "/docs/display-advert/v2/",
        "/docs/display-advert",
        "/docs/display-advert/2",
        "/docs/display-advert/v2/other",
        "/docs//",
    ],
)
async def test_near_misses_under_docs_are_the_404_page_never_a_redirect(
    platform: Platform, path: str
) -> None:
    response = await call(platform, path, [(b"x-request-id", b"trace-11")])
    assert response.status == 404
    assert response.header("content-type") == "text/html; charset=utf-8"
    assert b'<h1 class="govuk-heading-l">Page not found</h1>' in response.body
    assert response.header("location") is None
    assert response.header("x-request-id") == "trace-11"
