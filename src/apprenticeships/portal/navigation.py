"""The service navigation a signed-in person sees, by what their role lets them do."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from apprenticeships.accounts.vocabulary import (
    Role,
    can_manage_keys,
    can_manage_providers,
    can_manage_team,
    can_review,
    can_see_audit,
)

if TYPE_CHECKING:
    from apprenticeships.portal.web import Identity


def _roles(allowed: Callable[[Role], bool]) -> frozenset[str]:
    """The role names a page admits, from the accounts rules (the services check the
    same rules again on every action)."""
    return frozenset(role.value for role in Role if allowed(role))


KEY_MANAGERS = _roles(can_manage_keys)
TEAM_MANAGERS = _roles(can_manage_team)
# Everyone in an employer or provider sees its team (a developer's account has none).
TEAM_MEMBERS = _roles(lambda role: role is not Role.DEVELOPER)
REVIEWERS = _roles(can_review)
AUDIT_READERS = _roles(can_see_audit)
PROVIDER_MANAGERS = _roles(can_manage_providers)


def navigation(identity: Identity | None, path: str) -> list[dict[str, object]]:
    if identity is None:
        return []
    items: list[tuple[str, str]] = []
    role = identity.role
    if identity.organisation_id is not None and role is not None:
        items.append(("/portal/apis", "API keys"))
        items.append(("/portal/usage", "Usage"))
        if role in TEAM_MEMBERS:
            items.append(("/portal/team", "Team"))
        if role in PROVIDER_MANAGERS and identity.organisation_kind == "employer":
            items.append(("/portal/providers", "Training providers"))
        if role in REVIEWERS and identity.organisation_kind == "employer":
            items.append(("/portal/review", "Adverts to review"))
        if role in AUDIT_READERS:
            items.append(("/portal/audit", "Audit log"))
    if identity.is_admin:
        items.append(("/portal/admin/adverts", "Submitted adverts"))
        if ("/portal/audit", "Audit log") not in items:
            items.append(("/portal/audit", "Audit log"))
    if identity.organisations > 1:
        items.append(("/portal/organisations", "Switch organisation"))
    items.append(("/portal/account", "Your account"))
    return [
        {"href": href, "text": text, "active": path == href or path.startswith(href + "/")}
        for href, text in items
    ]
