"""Running the CLI as an operator would, with a database of the test's own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from apprenticeships.cli import app

Run = Callable[..., Result]


def cli_runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> Run:
    """``run(*args, ok=True)``: invokes the CLI and checks the outcome; a failure must be
    exactly one ``error: ...`` line on stderr and never a traceback."""
    monkeypatch.chdir(tmp_path)
    for name in ("REDIS_URL", "SECRET_KEY", "RATE_LIMIT", "DATABASE_URL"):
        monkeypatch.delenv(f"APPRENTICESHIPS_{name}", raising=False)
    monkeypatch.setenv("APPRENTICESHIPS_DATABASE_URL", database_url)
    monkeypatch.setenv("APPRENTICESHIPS_VAR_DIR", str(tmp_path / "var"))
    runner = CliRunner()

    def run(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(app, list(args))
        assert (result.exit_code == 0) == ok, (result.exit_code, result.stdout, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        if not ok:
            assert result.stderr.startswith("error: ")
            assert result.stderr.count("\n") == 1, result.stderr
        return result

    return run
