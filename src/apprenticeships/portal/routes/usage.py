"""Usage pages: the organisation's requests per hour over the last 7 days, the answers'
status codes and 429s, per organisation (``/portal/usage``) and per key
(``/portal/keys/{key_id}/usage``, also ``/portal/usage?key={key_id}``).

Any member of the organisation may see them, whatever their role. Another
organisation's key id, and a made-up one, get the 404 page.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from apprenticeships.errors import Forbidden, NotFound
from apprenticeships.portal.charts import LABELS, STACK_ORDER, chart_view, hour_label
from apprenticeships.portal.usage import PortalUsage, api_name
from apprenticeships.portal.web import Access, Portal, Visitor
from apprenticeships.usage.service import UsageChart

USAGE = "/portal/usage"


def key_usage_path(key_id: str) -> str:
    return f"/portal/keys/{key_id}/usage"


class UsagePages:
    def __init__(self, portal: Portal, usage: PortalUsage) -> None:
        self.portal = portal
        self.usage = usage

    def routes(self) -> list[BaseRoute]:
        p = self.portal
        return [
            p.route("/usage", self.organisation, access=Access.MEMBER),
            p.route("/keys/{key_id}/usage", self.key, access=Access.MEMBER),
        ]

    async def organisation(self, request: Request, visitor: Visitor) -> Response:
        key_id = request.query_params.get("key")
        if key_id is not None:
            return await self._key(request, visitor, key_id)
        identity = visitor.identity
        assert identity is not None
        try:
            usage = await self.usage.organisation(identity)
        except Forbidden as error:
            return self._refused(request, visitor, error)
        context = {
            "title": "Usage",
            "organisation_name": identity.organisation_name,
            "usage": usage,
            **_chart_context(usage.chart, "organisation"),
        }
        return self.portal.render(request, visitor, "usage.html", context)

    async def key(self, request: Request, visitor: Visitor) -> Response:
        return await self._key(request, visitor, request.path_params["key_id"])

    async def _key(self, request: Request, visitor: Visitor, key_id: str) -> Response:
        identity = visitor.identity
        assert identity is not None
        try:
            usage = await self.usage.key(identity, key_id)
        except NotFound:
            return self.portal.not_found(request, visitor)
        except Forbidden as error:
            return self._refused(request, visitor, error)
        context = {
            "title": f"Usage of {usage.key.name}",
            "organisation_name": identity.organisation_name,
            "usage": usage,
            "api": api_name(usage.key),
            **_chart_context(usage.chart, "key"),
        }
        return self.portal.render(request, visitor, "key_usage.html", context)

    def _refused(self, request: Request, visitor: Visitor, error: Exception) -> Response:
        return self.portal.message(request, visitor, str(error), status=403)


def _chart_context(chart: UsageChart, scope: str) -> dict[str, Any]:
    return {
        "chart": chart,
        "view": chart_view(chart),
        "scope": scope,
        "classes": STACK_ORDER,
        "labels": LABELS,
        "hour_label": hour_label,
        "api_name": api_name,
        "key_usage_path": key_usage_path,
    }
