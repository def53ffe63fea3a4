"""Passwords: the policy, and hashing with Argon2id.

The policy is the spec's and NIST SP 800-63B's: at least 12 characters, not one of the
20,000 most common passwords (``data/common-passwords.txt.gz``, see ``data/NOTICE``), and
no composition rules. Passwords are compared after Unicode NFKC normalisation, so the
same password typed on two keyboards is the same password.

Hashing runs in a worker thread: an Argon2id hash takes a quarter of a second of CPU by
design, and the event loop must keep serving other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import gzip
import secrets
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
# Long enough for any passphrase or generated password; bounds the work per attempt.
MAX_LENGTH = 256
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, read once, when first needed (never at import)."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def password_problem(password: str, noun: str = "password") -> str | None:
    """What is wrong with a new password, in the portal's words, or None. ``noun`` is
    what the form calls the field ("new password" when changing it)."""
    password = normalise(password)
    if not password:
        return f"Enter a {noun}"
    if len(password) < MIN_LENGTH:
        return f"{noun.capitalize()} must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"{noun.capitalize()} must be {MAX_LENGTH} characters or fewer"
    # As Django compares with this list: the list is lower-cased.
    if password.lower().strip() in common_passwords():
        return f"Choose a {noun} that is harder to guess"
    return None


@dataclass(frozen=True, slots=True)
class Verified:
    """Whether a password matched; ``new_hash`` is set when it did and the stored hash
    was made with weaker parameters than today's: store it instead."""

    ok: bool
    new_hash: str | None = None


class Passwords:
    """Argon2id hashing. The default parameters are argon2-cffi's, RFC 9106's "low
    memory" choice (64 MiB, 3 passes, 4 lanes); tests pass a cheaper hasher."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher(type=Type.ID)
        if self.hasher.type is not Type.ID:
            raise ValueError("passwords are hashed with Argon2id")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self.hasher.hash, normalise(password))

    async def verify(self, stored: str | None, password: str) -> Verified:
        """Check ``password`` against a stored hash. With no hash (no such person, or
        one who never set a password) the same work is done against a dummy hash, so
        the time taken does not tell whether an account exists."""
        if stored is None:
            await self._verify(await self._dummy_hash(), password)
            return Verified(False)
        if not await self._verify(stored, password):
            return Verified(False)
        if self.hasher.check_needs_rehash(stored):
            return Verified(True, await self.hash(password))
        return Verified(True)

    async def _verify(self, stored: str, password: str) -> bool:
        try:
            return await asyncio.to_thread(self.hasher.verify, stored, normalise(password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def _dummy_hash(self) -> str:
        # One per process and parameters (services are built per request): made once,
        # so only the very first check without a hash costs a hash more.
        parameters = (
            self.hasher.time_cost,
            self.hasher.memory_cost,
            self.hasher.parallelism,
            self.hasher.hash_len,
            self.hasher.salt_len,
        )
        if parameters not in _DUMMY_HASHES:
            _DUMMY_HASHES[parameters] = await self.hash(secrets.token_urlsafe(16))
        return _DUMMY_HASHES[parameters]


_DUMMY_HASHES: dict[tuple[int, int, int, int, int], str] = {}
