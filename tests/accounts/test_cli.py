"""``apprenticeships accounts`` as an operator runs it: people get invitations by email
(written to var/mail here), legal entities and permissions, one-line errors."""

from __future__ import annotations

import email
import re
import socket
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from tests.support.cli import Run, cli_runner

PUBLIC_URL = "https://apprenticeships.example"


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_url: str) -> Run:
    monkeypatch.setenv("APPRENTICESHIPS_PUBLIC_URL", PUBLIC_URL)
    for name in ("SMTP_URL", "MAIL_DIR", "MAIL_FROM"):
        monkeypatch.delenv(f"APPRENTICESHIPS_{name}", raising=False)
    return cli_runner(monkeypatch, tmp_path, sqlite_url)


def mail_to(tmp_path: Path, address: str) -> list[EmailMessage]:
    found = []
    for path in sorted((tmp_path / "var" / "mail").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        assert isinstance(message, EmailMessage)
        if message["To"] == address:
            found.append(message)
    return found


def body(message: EmailMessage) -> str:
    return str(message.get_content()).replace("\r\n", "\n")


def test_add_person_invites_them_with_a_single_use_link(cli: Run, tmp_path: Path) -> None:
    employer = cli("accounts", "add-employer", "--name", "Acme Engineering").stdout.strip()
    person = cli(
        "accounts",
        "add-person",
        "--email",
        "Sam@Acme.example",
        "--name",
        "Sam Jones",
        "--employer",
        employer.lower(),
        "--role",
        "Owner",
    ).stdout.strip()
    assert person.isdigit()
    [invitation] = mail_to(tmp_path, "sam@acme.example")
    assert invitation["Subject"] == "You have been invited to the Apprenticeship Service API portal"
    assert re.search(re.escape(PUBLIC_URL) + r"/portal/set-password/[\w-]{43}\n", body(invitation))
    assert "Acme Engineering" in body(invitation) and "as Owner" in body(invitation)

    cli("accounts", "add-provider", "--ukprn", "10000001", "--name", "Northfield College")
    cli(
        "accounts",
        "add-person",
        "--email",
        "sam@acme.example",
        "--name",
        "Sam Jones",
        "--provider",
        "10000001",
        "--role",
        "AccountOwner",
    )
    # Already invited and without a password: a second invitation, for the provider.
    assert len(mail_to(tmp_path, "sam@acme.example")) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--employer", "MJ7YVK", "--provider", "10000001"), "give exactly one of --employer"),
        ((), "give exactly one of --employer"),
        (("--employer", "ZZZZZZ"), "no employer 'ZZZZZZ'"),
        (("--provider", "10000009"), "no provider '10000009'"),
    ],
)
def test_add_person_refuses_in_one_line(cli: Run, args: tuple[str, ...], message: str) -> None:
    result = cli(
        "accounts",
        "add-person",
        "--email",
        "a@b.example",
        "--name",
        "A",
        "--role",
        "Owner",
        *args,
        ok=False,
    )
    assert message in result.stderr


def test_add_person_refuses_a_role_of_another_kind_of_organisation(cli: Run) -> None:
    cli("accounts", "add-provider", "--ukprn", "10000001", "--name", "Northfield College")
    result = cli(
        "accounts",
        "add-person",
        "--email",
        "a@b.example",
        "--name",
        "A",
        "--provider",
        "10000001",
        "--role",
        "Owner",
        ok=False,
    )
    assert result.stderr == (
        "error: role: Select a role (AccountOwner, Contributor, Viewer for provider accounts)\n"
    )


def test_add_admin_and_add_developer_send_invitations(cli: Run, tmp_path: Path) -> None:
    assert cli("accounts", "add-admin", "--email", "OPS@example.com").stdout == "ops@example.com\n"
    [admin] = mail_to(tmp_path, "ops@example.com")
    assert "/portal/set-password/" in body(admin)
    assert (
        "already a platform admin"
        in cli("accounts", "add-admin", "--email", "ops@example.com", ok=False).stderr
    )
    account = cli("accounts", "add-developer", "--email", "dev@example.com").stdout.strip()
    assert re.fullmatch(r"[0-9a-f-]{36}", account)
    [developer] = mail_to(tmp_path, "dev@example.com")
    assert "/portal/set-password/" in body(developer) and "as Developer" in body(developer)


def test_legal_entities_and_permissions(cli: Run) -> None:
    employer = cli("accounts", "add-employer", "--name", "Acme Engineering").stdout.strip()
    entity = cli(
        "accounts", "add-legal-entity", "--employer", employer, "--name", "Acme Ltd"
    ).stdout.strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", entity)
    cli("accounts", "add-provider", "--ukprn", "10000001", "--name", "Northfield College")
    granted = cli(
        "accounts",
        "grant",
        "--provider",
        "10000001",
        "--legal-entity",
        entity,
        "--permission",
        "Recruitment",
    ).stdout
    assert granted == f"10000001 may now use Recruitment for legal entity {entity}\n"
    changed = cli(
        "accounts",
        "grant",
        "--provider",
        "10000001",
        "--legal-entity",
        entity,
        "--permission",
        "RecruitmentRequiresReview",
    ).stdout
    assert changed.endswith("(was Recruitment)\n")
    revoked = cli(
        "accounts", "revoke-permission", "--provider", "10000001", "--legal-entity", entity
    ).stdout
    assert revoked == (
        f"10000001 no longer has RecruitmentRequiresReview for legal entity {entity}\n"
    )
    assert (
        "has no permission"
        in cli(
            "accounts",
            "revoke-permission",
            "--provider",
            "10000001",
            "--legal-entity",
            entity,
            ok=False,
        ).stderr
    )
    assert (
        "permission: Select a permission"
        in cli(
            "accounts",
            "grant",
            "--provider",
            "10000001",
            "--legal-entity",
            entity,
            "--permission",
            "Everything",
            ok=False,
        ).stderr
    )
    assert (
        "no legal entity 'NOPE00'"
        in cli(
            "accounts",
            "grant",
            "--provider",
            "10000001",
            "--legal-entity",
            "NOPE00",
            "--permission",
            "Recruitment",
            ok=False,
        ).stderr
    )
    assert (
        "no employer 'ZZZZZZ'"
        in cli(
            "accounts", "add-legal-entity", "--employer", "ZZZZZZ", "--name", "X", ok=False
        ).stderr
    )


def test_a_command_whose_email_cannot_be_sent_still_succeeds_and_says_so(
    cli: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("APPRENTICESHIPS_SMTP_URL", f"smtp://u:hunter2secret@127.0.0.1:{port}")
    result = cli("accounts", "add-admin", "--email", "ops@example.com")
    assert result.stdout == "ops@example.com\n"
    assert "warning: an email could not be sent now; it stays queued" in result.stderr
    assert "hunter2secret" not in result.stdout + result.stderr
    assert not (tmp_path / "var" / "mail").exists()
