"""The domain's expected failures: one base class, a few kinds by meaning.

Services raise these with data (a message for people, the fields at fault), never with
HTTP statuses or response bodies. Each edge maps them to its own shape: the product APIs
to their problem bodies (``problems.py``, per product), the CLI to one ``error: ...``
line, the portal to its error pages. Whatever the edge, a domain error is never a 500.

Messages are written for the person who asked, and ``str(error)`` is always one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


class DomainError(Exception):
    """An expected failure; ``message`` says why (it may be empty where the kind alone
    says enough, as for a plain "not found")."""

    default_message = "the operation cannot be done"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return _one_line(self.message or self.default_message)


# The name CLI-facing services grew up with: their errors carry only a message.
OperationError = DomainError


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One broken rule: the field at fault as the caller named it (``""`` for a rule
    across fields) and what is wrong with it."""

    field: str
    message: str


class InvalidInput(DomainError):
    """The input breaks rules. ``problems`` lists every one found, in the order found;
    ``message`` sums them up (or is the only problem, when no field is at fault)."""

    default_message = "the input is not valid"

    def __init__(self, message: str = "", problems: Iterable[FieldProblem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)

    @classmethod
    def by_field(cls, errors: Mapping[str, Sequence[str]], message: str = "") -> InvalidInput:
        """From messages grouped by field, keeping both orders."""
        return cls(
            message, (FieldProblem(f, text) for f, texts in errors.items() for text in texts)
        )

    @classmethod
    def of(cls, field: str, message: str) -> InvalidInput:
        """One field's one problem."""
        return cls(problems=(FieldProblem(field, message),))

    def grouped(self) -> dict[str, list[str]]:
        """The problems grouped by field, fields in the order first found."""
        grouped: dict[str, list[str]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.field, []).append(problem.message)
        return grouped

    def __str__(self) -> str:
        listed = "; ".join(
            f"{p.field}: {p.message}" if p.field else p.message for p in self.problems
        )
        if self.message and listed:
            return _one_line(f"{self.message}: {listed}")
        return _one_line(self.message or listed or self.default_message)


class Forbidden(DomainError):
    """The caller may not do this (or act for this)."""

    default_message = "not allowed"


class NotFound(DomainError):
    """The thing asked for does not exist, or the caller may not know that it does."""

    default_message = "not found"


class Conflict(DomainError):
    """The request clashes with what is already there (a second use of an id, a state
    that does not allow the change). ``field`` names the input that clashes, if one does."""

    default_message = "this conflicts with the current state"

    def __init__(self, message: str = "", field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())
