"""The operator's CLI, run as operators run it: arguments in, stdout/stderr and exit code out."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import Run, cli_runner

FIXTURES = Path(__file__).parent / "referencedata" / "fixtures"


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_url: str) -> Run:
    return cli_runner(monkeypatch, tmp_path, sqlite_url)


def test_accounts_and_keys_round_trip(cli: Run) -> None:
    employer = cli("accounts", "add-employer", "--name", "Acme Engineering").stdout.strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", employer)
    assert (
        cli(
            "accounts", "add-provider", "--ukprn", "10000001", "--name", "Northfield College"
        ).stdout.strip()
        == "10000001"
    )
    cli("accounts", "add-developer", "--email", "dev@example.com")
    assert (
        cli("accounts", "add-admin", "--email", "ops@example.com").stdout.strip()
        == "ops@example.com"
    )

    issued = cli(
        "keys",
        "issue",
        "--product",
        "recruitment",
        "--owner",
        f"employer:{employer}",
        "--name",
        "ATS",
    )
    key = issued.stdout.strip()
    assert re.fullmatch(r"appr_live_[0-9A-Za-z]{38}", key)
    key_id = re.search(r"Issued (key_[0-9a-f]+)", issued.stderr).group(1)  # type: ignore[union-attr]
    sandbox = cli(
        "keys",
        "issue",
        "--product",
        "display-advert-sandbox",
        "--owner",
        "developer:DEV@example.com",
    )
    assert sandbox.stdout.startswith("appr_sandbox_")

    listing = cli("keys", "list").stdout
    assert key_id in listing
    assert key[-4:] in listing
    assert key not in listing
    assert "recruitment" in listing
    assert "display-advert-sandbox" in listing
    only_mine = cli("keys", "list", "--owner", "developer:dev@example.com").stdout
    assert key_id not in only_mine

    rotated = cli("keys", "rotate", key_id, "--grace", "1h")
    assert rotated.stdout.strip().startswith("appr_live_")
    assert rotated.stdout.strip() != key
    assert "expires" in cli("keys", "list").stdout
    cli("keys", "revoke", key_id)
    assert "revoked" in cli("keys", "list").stdout
    assert "already revoked" in cli("keys", "revoke", key_id, ok=False).stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("keys", "issue", "--product", "recruitment", "--owner", "developer:dev@example.com"),
            "developer accounts may not hold Recruitment API keys",
        ),
        (
            ("keys", "issue", "--product", "track-progress", "--owner", "employer:BBBBBB"),
            "employer accounts may not hold",
        ),
        (
            ("keys", "issue", "--product", "nonsense", "--owner", "developer:dev@example.com"),
            "unknown product 'nonsense'",
        ),
        (
            ("keys", "issue", "--product", "display-advert", "--owner", "dev@example.com"),
            "owner must be",
        ),
        (
            (
                "keys",
                "issue",
                "--product",
                "display-advert",
                "--owner",
                "developer:ghost@example.com",
            ),
            "no developer",
        ),
        (("keys", "revoke", "key_doesnotexist"), "no key 'key_doesnotexist'"),
        (("keys", "rotate", "key_x", "--grace", "soon"), "a duration looks like"),
        (
            ("limits", "set", "lots", "--product", "display-advert"),
            "rate limit must look like CALLS/SECONDS",
        ),
        (
            (
                "limits",
                "set",
                "5/60",
                "--product",
                "display-advert",
                "--owner",
                "developer:dev@example.com",
            ),
            "has no Display advert API subscription",
        ),
        (("accounts", "add-provider", "--ukprn", "123", "--name", "X"), "a UKPRN is 8 digits"),
        (("accounts", "add-developer", "--email", "nope"), "is not an email address"),
        (("versions", "release", "display-advert"), "version 2 is already the newest"),
        (("versions", "release", "elsewhere"), "unknown product"),
    ],
)
def test_bad_input_is_a_one_line_error(cli: Run, args: tuple[str, ...], message: str) -> None:
    cli("accounts", "add-developer", "--email", "dev@example.com")
    assert message in cli(*args, ok=False).stderr


def test_limits_set_for_product_and_owner(cli: Run) -> None:
    cli("accounts", "add-developer", "--email", "dev@example.com")
    cli("keys", "issue", "--product", "display-advert", "--owner", "developer:dev@example.com")
    assert "is now 300/300" in cli("limits", "set", "300/300", "--product", "display-advert").stderr
    cli(
        "limits",
        "set",
        "20/60",
        "--product",
        "display-advert",
        "--owner",
        "developer:dev@example.com",
    )


def test_versions_list_shows_the_lifecycle(cli: Run) -> None:
    table = cli("versions", "list").stdout
    lines = {tuple(line.split()[1:4]) for line in table.splitlines() if "│" in line}
    assert (
        any(cells[:3] == ("display-advert", "│", "1") for cells in lines)
        or "display-advert" in table
    )
    assert re.search(r"display-advert\s*│\s*1\s*│\s*deprecated", table)
    assert re.search(r"display-advert\s*│\s*2\s*│\s*current", table)
    assert re.search(r"track-progress\s*│\s*1\s*│\s*current", table)


def test_import_standards_from_the_ifate_file(cli: Run, tmp_path: Path) -> None:
    result = cli(
        "referencedata", "import", "standards", str(FIXTURES / "ifate_standards_sample.json")
    )
    assert "Standards:" in result.stderr
    assert "Skipped: 1 older versions, 1 without a LARS code" in result.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert "not JSON" in cli("referencedata", "import", "standards", str(broken), ok=False).stderr
    assert (
        "no such file"
        in cli(
            "referencedata", "import", "standards", str(tmp_path / "missing.json"), ok=False
        ).stderr
    )


def test_bad_settings_and_unreachable_databases_are_one_line_errors(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APPRENTICESHIPS_RATE_LIMIT", "many")
    assert "APPRENTICESHIPS_RATE_LIMIT" in cli("keys", "list", ok=False).stderr
    monkeypatch.delenv("APPRENTICESHIPS_RATE_LIMIT")
    monkeypatch.setenv(
        "APPRENTICESHIPS_DATABASE_URL", "postgresql://nobody:hunter2@127.0.0.1:1/none"
    )
    failure = cli("keys", "list", ok=False).stderr
    assert "cannot use the database" in failure
    assert "hunter2" not in failure


def test_serve_refuses_several_workers_without_redis(cli: Run) -> None:
    result = cli("serve", "--workers", "3", ok=False)
    assert "needs Redis" in result.stderr
    assert "APPRENTICESHIPS_REDIS_URL" in result.stderr


def test_unmigrated_postgres_gets_a_clear_instruction(
    cli: Run, monkeypatch: pytest.MonkeyPatch, postgres_databases: object
) -> None:
    from tests.support import services

    services.require(services.POSTGRES_URL, "APPRENTICESHIPS_TEST_DATABASE_URL", "PostgreSQL")
    assert isinstance(postgres_databases, services.PostgresDatabases)

    url = postgres_databases.new_empty()
    try:
        monkeypatch.setenv("APPRENTICESHIPS_DATABASE_URL", url)
        assert "run `apprenticeships db upgrade` first" in cli("keys", "list", ok=False).stderr
        assert "Database is up to date" in cli("db", "upgrade").stderr
        cli("accounts", "add-developer", "--email", "dev@example.com")
    finally:
        postgres_databases.drop(url)


def test_the_installed_command_runs_as_a_program(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "apprenticeships", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0
    for command in (
        "serve",
        "db",
        "accounts",
        "keys",
        "limits",
        "versions",
        "referencedata",
        "demo",
    ):
        assert command in result.stdout
