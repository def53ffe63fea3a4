"""The two senders: .eml files, and SMTP against a real SMTP server (aiosmtpd) that each
test starts on loopback: plain with a password, STARTTLS, implicit TLS, and a server
that fails first, which the outbox retries."""

from __future__ import annotations

import email
import os
import socket
import ssl
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.mail.delivery import DeliveryReport, deliver_pending, retry_delay
from apprenticeships.mail.outbox import Outbox
from apprenticeships.mail.repository import ClaimedEmail
from apprenticeships.mail.senders import (
    FileSender,
    SmtpSender,
    SmtpServer,
    SmtpUrlError,
    build_message,
    sender_from_settings,
)
from apprenticeships.settings import Settings
from apprenticeships.storage.engine import unit_of_work

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FROM = "Apprenticeship Service API <no-reply@apprenticeships.example>"
LINK = "http://127.0.0.1:8000/portal/confirm/tok_" + "x" * 43
BODY = f"Hello Zoë,\n\nConfirm your email address:\n\n{LINK}\n"


def claimed(body: str = BODY, subject: str = "Confirm your email address") -> ClaimedEmail:
    return ClaimedEmail(7, "zoe@example.com", subject, body, "abc123", NOW, 0)


def test_a_message_has_the_headers_a_mail_client_needs_and_keeps_links_whole() -> None:
    message = build_message(claimed(body=f"Hi\n\n{LINK}\n"), FROM)
    raw = message.as_bytes()
    assert LINK.encode() in raw  # 7bit: no quoted-printable line breaks inside the link
    parsed = email.message_from_bytes(raw, policy=default)
    assert parsed["From"] == FROM
    assert parsed["To"] == "zoe@example.com"
    assert parsed["Message-ID"] == "<abc123@apprenticeships.example>"
    assert parsed["Date"].datetime == NOW
    assert parsed["Auto-Submitted"] == "auto-generated"


async def test_the_file_sender_writes_a_private_rfc_5322_file_and_logs_subject_and_links(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "var" / "mail"
    await FileSender(directory).send(build_message(claimed(), FROM))
    [path] = directory.iterdir()
    assert path.name == "20260302T090000-abc123.eml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends
    parsed = email.message_from_bytes(raw, policy=default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == "Confirm your email address"
    assert parsed.get_content().replace("\r\n", "\n") == BODY
    logged = capfd.readouterr().out
    assert '"event": "mail_written"' in logged
    assert '"subject": "Confirm your email address"' in logged
    assert LINK in logged
    assert "zoe@example.com" not in logged
    assert not [p for p in directory.iterdir() if p.name.startswith(".")]  # no temporary left


# -- SMTP ----------------------------------------------------------------------------


@dataclass
class Handler:
    """The test SMTP server's mailbox. ``refuse`` answers that many DATA commands with a
    temporary failure first."""

    refuse: int = 0
    received: list[Envelope] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        self.received.append(envelope)
        return "250 2.0.0 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"p@ss:word", handled=False)

    def parsed(self) -> list[EmailMessage]:
        messages = []
        for envelope in self.received:
            content = envelope.original_content or envelope.content
            assert isinstance(content, bytes)
            parsed = email.message_from_bytes(content, policy=default)
            assert isinstance(parsed, EmailMessage)
            messages.append(parsed)
        return messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def server_tls(certificate_authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def client_tls(certificate_authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    certificate_authority.configure_trust(context)
    return context


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    started: list[Controller] = []

    def start(handler: Handler, **options: Any) -> int:
        port = free_port()
        controller = Controller(
            handler,
            hostname="127.0.0.1",
            port=port,
            authenticator=handler.authenticate,
            ready_timeout=10,
            **options,
        )
        controller.start()
        started.append(controller)
        return port

    yield start
    for controller in started:
        controller.stop()


async def test_plain_smtp_with_a_password_delivers_the_message(smtp_server: Any) -> None:
    handler = Handler()
    port = smtp_server(handler, auth_require_tls=False)
    sender = SmtpSender(
        SmtpServer.parse(f"smtp://mailer:p%40ss%3Aword@127.0.0.1:{port}?starttls=off")
    )
    await sender.send(build_message(claimed(), FROM))
    assert handler.logins == [(b"mailer", b"p@ss:word")]
    [envelope] = handler.received
    assert envelope.mail_from == "no-reply@apprenticeships.example"
    assert envelope.rcpt_tos == ["zoe@example.com"]
    [message] = handler.parsed()
    assert message["Subject"] == "Confirm your email address"
    assert message.get_content().replace("\r\n", "\n") == BODY


async def test_starttls_is_used_before_the_password_is_sent(
    smtp_server: Any, server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    handler = Handler()
    # The server refuses AUTH and mail before STARTTLS.
    port = smtp_server(handler, tls_context=server_tls, require_starttls=True)
    sender = SmtpSender(
        SmtpServer.parse(f"smtp://mailer:p%40ss%3Aword@localhost:{port}"), tls_context=client_tls
    )
    await sender.send(build_message(claimed(), FROM))
    assert handler.logins == [(b"mailer", b"p@ss:word")]
    assert [m["To"] for m in handler.parsed()] == ["zoe@example.com"]


async def test_smtps_speaks_tls_from_the_first_byte(
    smtp_server: Any, server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    handler = Handler()
    port = smtp_server(handler, ssl_context=server_tls, auth_require_tls=False)
    sender = SmtpSender(
        SmtpServer.parse(f"smtps://mailer:p%40ss%3Aword@localhost:{port}"), tls_context=client_tls
    )
    await sender.send(build_message(claimed(), FROM))
    assert handler.logins == [(b"mailer", b"p@ss:word")]
    assert len(handler.received) == 1


async def test_smtp_refuses_to_send_when_the_server_offers_no_starttls(smtp_server: Any) -> None:
    handler = Handler()
    port = smtp_server(handler, auth_require_tls=False)
    sender = SmtpSender(SmtpServer.parse(f"smtp://mailer:p%40ss%3Aword@127.0.0.1:{port}"))
    with pytest.raises(Exception, match="STARTTLS"):
        await sender.send(build_message(claimed(), FROM))
    assert handler.logins == []
    assert handler.received == []


async def test_a_wrong_smtp_password_fails_the_send(smtp_server: Any) -> None:
    handler = Handler()
    port = smtp_server(handler, auth_require_tls=False, auth_exclude_mechanism=["LOGIN"])
    sender = SmtpSender(
        SmtpServer.parse(f"smtp://mailer:wrong@127.0.0.1:{port}?starttls=off"), timeout=5
    )
    with pytest.raises(Exception, match="535"):
        await sender.send(build_message(claimed(), FROM))
    assert handler.received == []


async def test_the_outbox_retries_a_server_that_refused_and_sends_once(
    sessions: async_sessionmaker[AsyncSession], smtp_server: Any
) -> None:
    handler = Handler(refuse=1)
    port = smtp_server(handler, auth_require_tls=False)
    sender = SmtpSender(SmtpServer.parse(f"smtp://127.0.0.1:{port}?starttls=off"))
    async with unit_of_work(sessions) as session:
        await Outbox(session).enqueue("zoe@example.com", "Your invitation", BODY, now=NOW)
    assert await deliver_pending(sessions, sender, FROM, NOW) == DeliveryReport(failed=1)
    assert handler.received == []
    assert await deliver_pending(sessions, sender, FROM, NOW + timedelta(seconds=10)) == (
        DeliveryReport()
    )
    later = NOW + retry_delay(1)
    assert await deliver_pending(sessions, sender, FROM, later) == DeliveryReport(sent=1)
    assert [m["Subject"] for m in handler.parsed()] == ["Your invitation"]


async def test_an_unreachable_server_is_a_failed_attempt_not_a_crash(
    sessions: async_sessionmaker[AsyncSession], capfd: pytest.CaptureFixture[str]
) -> None:
    sender = SmtpSender(
        SmtpServer.parse(f"smtp://mailer:secret-password@127.0.0.1:{free_port()}"), timeout=5
    )
    async with unit_of_work(sessions) as session:
        await Outbox(session).enqueue("zoe@example.com", "Hello", BODY, now=NOW)
    assert await deliver_pending(sessions, sender, FROM, NOW) == DeliveryReport(failed=1)
    logged = capfd.readouterr().out
    assert '"event": "mail_send_failed"' in logged
    assert "ConnectionRefusedError" in logged
    assert "secret-password" not in logged


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", SmtpServer("mail.example.com", 587, False, True, None, None)),
        (
            "smtp://u%40x:p%2Fw@mail.example.com:2525",
            SmtpServer("mail.example.com", 2525, False, True, "u@x", "p/w"),
        ),
        (
            "smtps://u:p@mail.example.com",
            SmtpServer("mail.example.com", 465, True, False, "u", "p"),
        ),
        ("smtp://localhost:25?starttls=off", SmtpServer("localhost", 25, False, False, None, None)),
    ],
)
def test_smtp_urls(url: str, expected: SmtpServer) -> None:
    assert SmtpServer.parse(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://u:topsecret@mail.example.com",
        "smtp://u:topsecret@mail.example.com:notaport",
        "smtp://u:topsecret@mail.example.com?starttls=maybe",
        "smtps://u:topsecret@mail.example.com?starttls=off",
        "smtp://",
    ],
)
def test_bad_smtp_urls_are_refused_without_showing_the_password(url: str) -> None:
    with pytest.raises(SmtpUrlError) as refused:
        SmtpServer.parse(url)
    assert "topsecret" not in str(refused.value)


def test_settings_choose_smtp_when_a_url_is_set_and_files_otherwise(tmp_path: Path) -> None:
    base: dict[str, Any] = {"_env_file": None, "var_dir": tmp_path / "var"}
    files = sender_from_settings(Settings(**base))
    assert isinstance(files, FileSender)
    assert files.directory == tmp_path / "var" / "mail"
    chosen = sender_from_settings(Settings(**base, mail_dir=tmp_path / "out"))
    assert isinstance(chosen, FileSender) and chosen.directory == tmp_path / "out"
    smtp = sender_from_settings(
        Settings(
            **base,
            smtp_url="smtps://u:topsecret@mail.example.com",
            public_url="https://apprenticeships.example",
        )
    )
    assert isinstance(smtp, SmtpSender)
    assert smtp.description == "smtps://mail.example.com:465"
    assert smtp.local_hostname == "apprenticeships.example"
    assert "topsecret" not in smtp.description


def test_the_from_address_follows_the_public_url_unless_set(tmp_path: Path) -> None:
    def settings(**values: Any) -> Settings:
        return Settings(_env_file=None, var_dir=tmp_path, **values)

    assert settings(public_url="https://apprenticeships.example/").resolved_mail_from == (
        "Apprenticeship Service API <no-reply@apprenticeships.example>"
    )
    assert settings(public_url="http://127.0.0.1:8000").resolved_mail_from.endswith(
        "<no-reply@localhost>"
    )
    assert settings(mail_from="Ops <ops@example.org>").resolved_mail_from == "Ops <ops@example.org>"
    assert os.sep not in settings().resolved_mail_from
