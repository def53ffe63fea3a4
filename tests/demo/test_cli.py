"""`apprenticeships demo seed` as an operator (or `make run`) runs it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.cli import Run, cli_runner


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_url: str) -> Run:
    return cli_runner(monkeypatch, tmp_path, sqlite_url)


def test_seed_writes_the_manifest_file_and_a_second_run_adds_nothing(
    cli: Run, tmp_path: Path
) -> None:
    first = cli("demo", "seed", "--vacancies", "200", "--manifest", "var/demo-manifest.json")
    assert first.stdout == ""
    assert "200 live adverts; 250 adverts added" in first.stderr
    written = json.loads((tmp_path / "var" / "demo-manifest.json").read_text("utf-8"))
    assert written["vacancies"]["live"] == 200
    assert len(written["vacancies"]["references"]) == 20
    assert written["developers"] == [{"email": "dev@example.com"}]

    again = cli("demo", "seed", "--vacancies", "200")
    assert json.loads(again.stdout) == written
    assert "; 0 adverts added" in again.stderr


def test_seed_refuses_a_negative_number_in_one_line(cli: Run) -> None:
    assert cli("demo", "seed", "--vacancies", "-5", ok=False).stderr == (
        "error: --vacancies must be 0 or more\n"
    )


def test_seed_reports_a_manifest_it_cannot_write_in_one_line(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a directory", encoding="utf-8")
    result = cli("demo", "seed", "--vacancies", "0", "--manifest", "taken/manifest.json", ok=False)
    assert result.stderr.startswith("error: cannot write the manifest to taken/manifest.json")


def test_demo_keys_issues_working_keys_for_both_apis(cli: Run) -> None:
    cli("demo", "seed", "--vacancies", "0")
    shown = cli("demo", "keys").stdout
    keys = re.findall(r"appr_(?:live|sandbox)_\w+", shown)
    assert len(set(keys)) == 6
    assert "legal entity VK7MXB" in shown
    assert "/managevacancies/accountlegalentities" in shown
    listed = cli("keys", "list").stdout
    for owner, product in (
        ("developer:", "display-advert"),
        ("developer:", "display-advert-sandbox"),
        ("employer:MJ7YVK", "recruitment"),
        ("employer:MJ7YVK", "recruitment-sandbox"),
        ("provider:10000001", "track-progress"),
        ("provider:10000001", "track-progress-sandbox"),
    ):
        assert any(
            owner in line and f" {product} " in f" {line} " for line in listed.splitlines()
        ), (
            owner,
            product,
        )


def test_demo_keys_without_the_demo_data_says_what_to_run(cli: Run) -> None:
    stderr = cli("demo", "keys", ok=False).stderr
    assert stderr == (
        "error: the demo employer MJ7YVK does not exist yet: run `apprenticeships demo seed` first\n"
    )
