"""Where email goes: an SMTP server, or ``.eml`` files in a directory.

``APPRENTICESHIPS_SMTP_URL`` chooses SMTP:

- ``smtp://user:password@host:587``: STARTTLS is required (the password never crosses
  the network in the clear); ``?starttls=off`` sends without TLS, for a relay on this
  machine or a network you trust.
- ``smtps://user:password@host:465``: TLS from the first byte.

User name and password are optional and percent-encoded, as in any URL. Without the
setting, each email is written to ``APPRENTICESHIPS_MAIL_DIR`` as an RFC 5322 file
(readable by any mail client) and its subject and links are logged, so a developer can
follow the links without a mail server.
"""

from __future__ import annotations

import asyncio
import os
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import structlog

from apprenticeships.mail.repository import ClaimedEmail
from apprenticeships.settings import Settings

log = structlog.get_logger("apprenticeships.mail")

SMTP_TIMEOUT_SECONDS = 20.0
LINK = re.compile(r"https?://[^\s<>\"]+")


class SmtpUrlError(ValueError):
    """A bad ``APPRENTICESHIPS_SMTP_URL``; the message never includes the password."""


class Sender(Protocol):
    # What the logs call it: "smtp host:port" or "files in DIR" (never a password).
    description: str

    async def send(self, message: EmailMessage) -> None:
        """Deliver one message or raise."""


def build_message(email: ClaimedEmail, from_address: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = from_address
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.created_at)
    domain = _domain(from_address)
    # The same for every attempt, so a receiver can tell a resend from a new email.
    message["Message-ID"] = f"<{email.message_id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    # 7bit keeps the links whole in the raw message; 8bit for names with accents.
    message.set_content(email.body, cte="7bit" if email.body.isascii() else "8bit")
    return message


def links_in(message: EmailMessage) -> list[str]:
    body = message.get_body(("plain",))
    text = body.get_content() if isinstance(body, EmailMessage) else ""
    return LINK.findall(str(text))


class FileSender:
    """Writes each email to ``directory`` as ``<date>-<id>.eml``, readable only by the
    platform's user (the links in it sign people in)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.description = f"files in {directory}"

    async def send(self, message: EmailMessage) -> None:
        path = await asyncio.to_thread(self._write, message)
        # Log what a developer needs to follow the email without opening it.
        log.info(
            "mail_written", path=str(path), subject=message["Subject"], links=links_in(message)
        )

    def _write(self, message: EmailMessage) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        message_id = str(message["Message-ID"]).strip("<>").partition("@")[0]
        stamp = message["Date"].datetime.strftime("%Y%m%dT%H%M%S")
        # Sorted by name is sorted by date; the message id makes each name unique.
        path = self.directory / f"{stamp}-{message_id}.eml"
        temporary = path.with_name(f".{path.name}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.as_bytes(policy=SMTP))
        # Whole or not at all: a reader never sees half an email.
        os.replace(temporary, path)
        return path


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise SmtpUrlError("APPRENTICESHIPS_SMTP_URL is not a URL") from None
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SmtpUrlError(
                "APPRENTICESHIPS_SMTP_URL must look like smtp://user:password@host:587 "
                "or smtps://user:password@host:465"
            )
        implicit = parts.scheme == "smtps"
        options = parse_qs(parts.query)
        starttls = options.get("starttls", ["on"])[-1].lower()
        if starttls not in ("on", "off") or (implicit and "starttls" in options):
            raise SmtpUrlError(
                "APPRENTICESHIPS_SMTP_URL takes ?starttls=off (smtp:// only) or nothing"
            )
        return cls(
            host=parts.hostname,
            port=port or (465 if implicit else 587),
            implicit_tls=implicit,
            starttls=not implicit and starttls == "on",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
        )


class SmtpSender:
    """One connection per message, in a worker thread (``smtplib``): emails are few,
    and a stuck server then holds up no other work."""

    def __init__(
        self,
        server: SmtpServer,
        *,
        local_hostname: str = "localhost",
        tls_context: ssl.SSLContext | None = None,
        timeout: float = SMTP_TIMEOUT_SECONDS,
    ) -> None:
        self.server = server
        self.local_hostname = local_hostname
        self.tls_context = tls_context or ssl.create_default_context()
        self.timeout = timeout
        scheme = "smtps" if server.implicit_tls else "smtp"
        self.description = f"{scheme}://{server.host}:{server.port}"

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)
        log.info("mail_sent", server=self.description, subject=message["Subject"])

    def _send(self, message: EmailMessage) -> None:
        server = self.server
        client: smtplib.SMTP
        if server.implicit_tls:
            client = smtplib.SMTP_SSL(
                server.host,
                server.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout,
                context=self.tls_context,
            )
        else:
            client = smtplib.SMTP(
                server.host, server.port, local_hostname=self.local_hostname, timeout=self.timeout
            )
        with client:
            client.ehlo()
            if server.starttls:
                # Raises SMTPNotSupportedError when the server offers no STARTTLS.
                client.starttls(context=self.tls_context)
                client.ehlo()
            if server.username is not None:
                client.login(server.username, server.password or "")
            client.send_message(message)


def sender_from_settings(settings: Settings) -> Sender:
    """SMTP when ``APPRENTICESHIPS_SMTP_URL`` is set, otherwise files in the mail dir."""
    url = settings.smtp_url.get_secret_value() if settings.smtp_url is not None else ""
    if not url:
        return FileSender(settings.resolved_mail_dir)
    return SmtpSender(SmtpServer.parse(url), local_hostname=_domain(settings.resolved_mail_from))


def _domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"
