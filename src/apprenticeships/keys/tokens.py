"""API key format: ``appr_live_`` or ``appr_sandbox_``, 32 random base62 characters
(190 bits), then a 6-character base62 CRC32 of the prefix and those 32.

The prefix tells people and secret scanners what the string is and where it works; the
checksum lets the gateway reject typos and made-up strings without any lookup.
"""

from __future__ import annotations

import hmac
import secrets
import zlib
from dataclasses import dataclass

from apprenticeships.catalog.products import Environment

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RANDOM_LENGTH = 32
CHECKSUM_LENGTH = 6
PREFIXES = {Environment.LIVE: "appr_live_", Environment.SANDBOX: "appr_sandbox_"}
_LENGTHS = {len(p) + RANDOM_LENGTH + CHECKSUM_LENGTH: (p, e) for e, p in PREFIXES.items()}
KEY_LENGTHS = frozenset(_LENGTHS)
_ALLOWED = frozenset(ALPHABET)


@dataclass(frozen=True, slots=True)
class NewKey:
    secret: str
    environment: Environment

    @property
    def fragment(self) -> str:
        return visible_fragment(self.secret)


def _base62(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, remainder = divmod(number, 62)
        chars.append(ALPHABET[remainder])
    return "".join(reversed(chars))


def _checksum(prefix: str, body: str) -> str:
    # The prefix is covered too, so a live key relabelled as a sandbox key is rejected.
    return _base62(zlib.crc32((prefix + body).encode("ascii")), CHECKSUM_LENGTH)


def generate(environment: Environment) -> NewKey:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    prefix = PREFIXES[environment]
    return NewKey(prefix + body + _checksum(prefix, body), environment)


def environment_of(candidate: str) -> Environment | None:
    """The environment a well-formed key is for, or None if it is not a key at all.

    Cheap: length first, then prefix, alphabet and checksum. No store is consulted.
    """
    match = _LENGTHS.get(len(candidate))
    if match is None:
        return None
    prefix, environment = match
    if not candidate.startswith(prefix):
        return None
    body = candidate[len(prefix) : len(prefix) + RANDOM_LENGTH]
    checksum = candidate[len(prefix) + RANDOM_LENGTH :]
    if not _ALLOWED.issuperset(body) or not hmac.compare_digest(_checksum(prefix, body), checksum):
        return None
    return environment


def key_hash(secret_key: bytes, candidate: str) -> str:
    """What the store keeps: HMAC-SHA-256 of the key under the server secret."""
    return hmac.digest(secret_key, candidate.encode("utf-8"), "sha256").hex()


class KeyHasher:
    """``key_hash`` for the hot path: the keyed HMAC state is prepared once and copied."""

    def __init__(self, secret_key: bytes) -> None:
        self._prepared = hmac.new(secret_key, digestmod="sha256")

    def hash(self, candidate: str) -> str:
        mac = self._prepared.copy()
        mac.update(candidate.encode("utf-8"))
        return mac.hexdigest()


def visible_fragment(candidate: str) -> str:
    prefix = next(p for p in PREFIXES.values() if candidate.startswith(p))
    return f"{prefix}…{candidate[-4:]}"


def new_key_id() -> str:
    return "key_" + secrets.token_hex(8)
