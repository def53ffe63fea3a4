"""Form handling for the portal: CSRF tokens and the errors a page shows.

Every POST form carries ``csrf_token``. The token is an HMAC, under the platform's
secret, of a per-visitor seed: the signed-in session's own CSRF secret, or before
sign-in a random value in the ``portal_csrf`` cookie. A forged form cannot know the
token, and a token from before sign-in stops working at sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from apprenticeships.errors import FieldProblem

CSRF_FIELD = "csrf_token"
ANONYMOUS_CSRF_COOKIE = "portal_csrf"


def new_seed() -> str:
    return secrets.token_urlsafe(32)


class CsrfTokens:
    def __init__(self, secret_key: bytes) -> None:
        self._key = hashlib.sha256(b"portal-csrf\0" + secret_key).digest()

    def token(self, seed: str) -> str:
        digest = hmac.new(self._key, seed.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def valid(self, seed: str | None, submitted: str | None) -> bool:
        if not seed or not submitted:
            return False
        return hmac.compare_digest(self.token(seed), submitted)


@dataclass(slots=True)
class Form:
    """What a person typed (never passwords) and what was wrong with it, in page order."""

    values: dict[str, str] = field(default_factory=dict)
    problems: list[FieldProblem] = field(default_factory=list)

    @classmethod
    def of(cls, data: Mapping[str, object], *names: str) -> Form:
        values = {}
        for name in names:
            value = data.get(name)
            values[name] = value if isinstance(value, str) else ""
        return cls(values)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def add(self, field_name: str, message: str) -> None:
        self.problems.append(FieldProblem(field_name, message))

    @property
    def errors(self) -> bool:
        return bool(self.problems)

    def error(self, name: str) -> dict[str, str] | None:
        """The ``errorMessage`` parameter of a GOV.UK Frontend field macro."""
        for problem in self.problems:
            if problem.field == name:
                return {"text": problem.message}
        return None

    def summary(self) -> list[dict[str, str]]:
        """The error summary's list: each message links to its field (by id)."""
        return [
            {"text": problem.message, "href": f"#{problem.field}"}
            if problem.field
            else {"text": problem.message}
            for problem in self.problems
        ]
