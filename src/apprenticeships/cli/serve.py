"""``apprenticeships serve``: the APIs, portal and docs over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy.exc import DBAPIError, OperationalError

from apprenticeships.cli.common import (
    CliError,
    fail,
    first_line,
    is_sqlite,
    load_settings,
    with_engine,
)
from apprenticeships.install import install

# How the server runs the app (the benchmark runs its server the same way).
SERVER_OPTIONS: dict[str, Any] = {
    "factory": True,
    "loop": "uvloop",
    "http": "httptools",
    "log_config": None,  # the app's own JSON logging
    "access_log": False,  # the gateway writes its own access log
    "server_header": False,
    "proxy_headers": False,
}


# `apprenticeships serve`: the package registers it on the root app.
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes; more than 1 needs Redis.")] = 1,
) -> None:
    """Serve the APIs, portal and docs (migrating the embedded SQLite database first)."""
    import uvicorn

    try:
        settings = load_settings()
    except CliError as error:
        fail(str(error))
    if workers < 1:
        fail("--workers must be at least 1")
    if workers > 1 and not settings.redis_url:
        fail(
            f"--workers {workers} needs Redis (set APPRENTICESHIPS_REDIS_URL): without it each "
            "process would count rate limits on its own and admit more than the limit"
        )
    if is_sqlite(settings):
        try:
            with_engine(settings, install)
        except (OperationalError, DBAPIError, OSError) as error:
            fail(f"cannot prepare the database: {first_line(error)}")
    # Make sure every worker uses the same secret (generated once into var/).
    settings.resolved_secret_key()
    uvicorn.run(
        "apprenticeships.app:create_app", host=host, port=port, workers=workers, **SERVER_OPTIONS
    )
