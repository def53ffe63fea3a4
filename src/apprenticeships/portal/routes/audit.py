"""The Audit log page: an organisation's Owners / Account owners read their
organisation's log; platform admins read every organisation's, each entry naming its
organisation. Newest first, a page at a time. Anyone else finds no such page."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from apprenticeships.audit.service import AuditEntry
from apprenticeships.portal.audit import PortalAudit
from apprenticeships.portal.web import Access, Portal, Visitor

MAX_PAGE = 1_000_000


def _uk_time() -> tzinfo:
    try:
        return ZoneInfo("Europe/London")
    except ZoneInfoNotFoundError:  # no time zone database on this machine
        return UTC


class AuditPages:
    def __init__(self, portal: Portal, audit: PortalAudit) -> None:
        self.portal = portal
        self.audit = audit
        self.zone = _uk_time()

    def routes(self) -> list[BaseRoute]:
        # Signed in, not necessarily acting for an organisation: a platform admin may
        # belong to none. Who may read what is decided by ``PortalAudit``.
        return [self.portal.route("/audit", self.log, access=Access.SIGNED_IN)]

    async def log(self, request: Request, visitor: Visitor) -> Response:
        identity = visitor.identity
        assert identity is not None
        if not identity.is_admin and identity.organisation_id is None:
            return RedirectResponse("/portal/organisations", status_code=303)
        page = _page_number(request.query_params.get("page", "1"))
        view = await self.audit.page(identity, page) if page is not None else None
        if view is None:
            return self.portal.not_found(request, visitor)
        entries = view.page
        pagination: dict[str, Any] = {}
        if entries.has_previous:
            pagination["previous"] = {"href": f"/portal/audit?page={entries.page - 1}"}
        if entries.has_next:
            pagination["next"] = {"href": f"/portal/audit?page={entries.page + 1}"}
        return self.portal.render(
            request, visitor, "audit.html",
            {
                "title": "Audit log",
                "every_organisation": view.every_organisation,
                "rows": [self._row(entry) for entry in entries.entries],
                "page": entries.page,
                "pagination": pagination,
            },
        )  # fmt: skip

    def _row(self, entry: AuditEntry) -> dict[str, Any]:
        return {
            "when": _when(entry.at, self.zone),
            "when_iso": entry.at.isoformat(),
            "who": entry.actor_email or "",
            "organisation": entry.organisation_name or "",
            "what": entry.action.label,
            "details": [f"{name}: {value}" for name, value in entry.details.items()],
            "address": entry.address or "",
        }


def _page_number(text: str) -> int | None:
    if not text.isdigit() or len(text) > 7:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_PAGE else None


def _when(at: datetime, zone: tzinfo) -> str:
    """GOV.UK style: 2 March 2026, 9:05am."""
    local = at.astimezone(zone)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{local.day} {local:%B %Y}, {hour}:{local:%M}{suffix}"
