"""The service navigation a signed-in person sees, by what their role lets them do."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apprenticeships.portal.web import Identity

KEY_MANAGERS = frozenset({"Owner", "AccountOwner", "Developer"})
TEAM_MANAGERS = frozenset({"Owner", "AccountOwner"})
# Everyone in an employer or provider sees its team (a developer's account has none).
TEAM_MEMBERS = frozenset({"Owner", "Transactor", "Viewer", "AccountOwner", "Contributor"})
REVIEWERS = frozenset({"Owner", "Transactor"})
AUDIT_READERS = frozenset({"Owner", "AccountOwner"})
PROVIDER_MANAGERS = frozenset({"Owner"})
MEMBER_ROLES = frozenset(
    {"Owner", "Transactor", "Viewer", "AccountOwner", "Contributor", "Developer"}
)


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
