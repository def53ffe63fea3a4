"""The random tokens in emailed links (confirm, invite, reset).

A token is 256 random bits, URL-safe; only its SHA-256 is stored, so a copy of the
database lets nobody use a link. A plain hash is enough (unlike passwords): the token is
random, so there is nothing to guess.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from apprenticeships.accounts.vocabulary import TokenPurpose

LIFETIMES = {
    TokenPurpose.CONFIRM: timedelta(hours=24),
    TokenPurpose.INVITE: timedelta(days=7),
    TokenPurpose.RESET: timedelta(hours=1),
}


def new_token() -> tuple[str, str]:
    """A fresh token and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
