"""Reading what people type into the portal's forms (and the CLI's options), with the
GOV.UK Design System's error wording. Each returns the clean value, or the problem."""

from __future__ import annotations

import re

from apprenticeships.accounts.vocabulary import Role, roles_for
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import FieldProblem

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")
MAX_NAME = 255

# Form names: the portal's fields carry these names, and problems name them.
NAME = "name"
EMAIL_FIELD = "email"
PASSWORD = "password"  # noqa: S105  (form field names, not passwords)
CURRENT_PASSWORD = "current_password"  # noqa: S105
NEW_PASSWORD = "new_password"  # noqa: S105
ROLE = "role"


def email_problem(email: str, field: str = EMAIL_FIELD) -> FieldProblem | None:
    if not email.strip():
        return FieldProblem(field, "Enter an email address")
    if not EMAIL.match(normalise_email(email)):
        return FieldProblem(
            field, "Enter an email address in the correct format, like name@example.com"
        )
    return None


def normalise_email(email: str) -> str:
    """Trimmed and lower-case: how emails are stored and compared (a mail system's
    local part may be case-sensitive in theory; no mainstream one is)."""
    return email.strip().lower()


def clean_name(name: str) -> str:
    return " ".join(name.split())


def name_problem(name: str, field: str = NAME) -> FieldProblem | None:
    cleaned = clean_name(name)
    if not cleaned:
        return FieldProblem(field, "Enter a full name")
    if len(cleaned) > MAX_NAME:
        return FieldProblem(field, f"Full name must be {MAX_NAME} characters or fewer")
    return None


def parse_role(value: str, kind: OwnerKind) -> Role | FieldProblem:
    """A role the CLI or a form named, if an organisation of this kind has it."""
    allowed = roles_for(kind)
    for role in allowed:
        if value.strip() == role.value:
            return role
    names = ", ".join(role.value for role in allowed)
    return FieldProblem(ROLE, f"Select a role ({names} for {kind.value} accounts)")
