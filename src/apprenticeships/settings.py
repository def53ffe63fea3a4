"""Settings, read from ``APPRENTICESHIPS_*`` environment variables (or a ``.env`` file).

Nothing here runs at import time: ``Settings()`` is built by ``create_app`` and by the CLI.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_RATE = re.compile(r"^\s*(\d{1,9})\s*/\s*(\d{1,9})\s*$")


@dataclass(frozen=True, slots=True)
class RateLimitRule:
    """``calls`` requests per ``seconds``-long fixed window."""

    calls: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> RateLimitRule:
        match = _RATE.match(text)
        if not match:
            raise ValueError(
                f"rate limit must look like CALLS/SECONDS, for example 150/300, not {text!r}"
            )
        calls, seconds = int(match.group(1)), int(match.group(2))
        if calls < 1 or seconds < 1:
            raise ValueError("rate limit calls and seconds must both be at least 1")
        return cls(calls, seconds)

    def __str__(self) -> str:
        return f"{self.calls}/{self.seconds}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="APPRENTICESHIPS_", env_file=".env", extra="ignore", frozen=True
    )

    var_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str | None = None
    redis_prefix: str = "apprenticeships:"
    # Rate-limit calls in flight to Redis at once per process; more wait their turn.
    redis_max_in_flight: int = Field(default=256, ge=1, le=100_000)
    secret_key: SecretStr | None = None
    rate_limit: str = "150/300"
    deprecation_months: int = Field(default=3, ge=1, le=36)
    sandbox_hosts: Annotated[frozenset[str], NoDecode] = frozenset()
    public_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = 1024 * 1024
    # How often each process looks for key revocations and catalog changes made by others.
    cache_poll_seconds: float = Field(default=0.5, gt=0, le=1.0)
    # Key snapshots are re-read at least this often even without a change event.
    key_cache_ttl_seconds: float = 300.0
    negative_cache_ttl_seconds: float = 30.0
    negative_cache_size: int = 100_000
    usage_flush_seconds: float = 10.0
    # GOV.UK Frontend's built files (dist/govuk); by default where `make install` puts them.
    frontend_dir: Path | None = None
    log_level: str = "INFO"
    access_log: bool = True
    # Email: SMTP when smtp_url is set (smtp://user:pass@host:587 with STARTTLS, or
    # smtps://... with TLS from the start); otherwise .eml files in mail_dir (default
    # var/mail). mail_from defaults to no-reply at the public URL's host.
    smtp_url: SecretStr | None = None
    mail_dir: Path | None = None
    mail_from: str = ""
    # OpenID Connect sign-in for employer and provider people: offered once the issuer is
    # set (with the client id and secret the identity provider registered us under).
    # The id token names the person's organisation (`employer:<hashed id>` or
    # `provider:<ukprn>`) and role (the CLI's role names) in these two claims.
    oidc_issuer: str | None = None
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr | None = None
    oidc_organisation_claim: str = "organisation"
    oidc_role_claim: str = "role"
    oidc_scopes: str = "openid email profile"

    @field_validator("sandbox_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(h.strip().lower() for h in value.split(",") if h.strip())
        return value

    @field_validator("rate_limit")
    @classmethod
    def _check_rate(cls, value: str) -> str:
        RateLimitRule.parse(value)
        return value

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("oidc_issuer")
    @classmethod
    def _check_issuer(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not is_secure_url(value):
            raise ValueError(
                "the OpenID Connect issuer must be an https:// URL (http:// only on loopback)"
            )
        return value

    @model_validator(mode="after")
    def _check_oidc_client(self) -> Settings:
        if self.oidc_issuer is not None and not (
            self.oidc_client_id.strip()
            and self.oidc_client_secret is not None
            and self.oidc_client_secret.get_secret_value()
        ):
            raise ValueError(
                "APPRENTICESHIPS_OIDC_ISSUER needs APPRENTICESHIPS_OIDC_CLIENT_ID and "
                "APPRENTICESHIPS_OIDC_CLIENT_SECRET"
            )
        if "openid" not in self.oidc_scopes.split():
            raise ValueError("APPRENTICESHIPS_OIDC_SCOPES must include openid")
        return self

    @property
    def oidc_enabled(self) -> bool:
        """Whether the sign-in page offers OpenID Connect."""
        return self.oidc_issuer is not None

    @property
    def resolved_mail_dir(self) -> Path:
        return self.mail_dir if self.mail_dir is not None else self.var_dir / "mail"

    @property
    def resolved_mail_from(self) -> str:
        """The From address of every email."""
        if self.mail_from:
            return self.mail_from
        host = urlsplit(self.public_url).hostname or "localhost"
        # An address at an IP literal would need brackets, and nobody answers there.
        if not re.search(r"[a-z]", host) or "." not in host:
            host = "localhost"
        return f"Apprenticeship Service API <no-reply@{host}>"

    @property
    def default_rate_limit(self) -> RateLimitRule:
        return RateLimitRule.parse(self.rate_limit)

    @property
    def async_database_url(self) -> str:
        """The database URL with the async driver SQLAlchemy needs."""
        url = self.database_url or f"sqlite:///{self.var_dir / 'apprenticeships.sqlite3'}"
        return to_async_url(url)

    def resolved_secret_key(self) -> bytes:
        """The HMAC secret: from settings, or generated once into ``var/secret_key``."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value().encode()
        return _load_or_create_secret(self.var_dir / "secret_key")


def is_secure_url(url: str) -> bool:
    """An https URL, or an http one on this machine (a local identity provider)."""
    parts = urlsplit(url)
    if not parts.hostname or parts.username or parts.password:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "::1", "localhost")


def to_async_url(url: str) -> str:
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql+psycopg://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def _load_or_create_secret(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48).encode()
    # Write a private temporary file, then link it into place: link fails if another
    # process got there first, so every process ends up with the same complete secret.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(value + b"\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        value = path.read_bytes().strip()
    finally:
        temporary.unlink()
    return value
