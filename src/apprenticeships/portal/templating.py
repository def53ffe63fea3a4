"""Rendering pages: Jinja2 with GOV.UK Frontend's macros (``govuk-frontend-jinja``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from apprenticeships.portal.security import NONCE_STATE_KEY

SERVICE_NAME = "Apprenticeship Service APIs"


def environment() -> Environment:
    loader = ChoiceLoader(
        [
            PackageLoader("apprenticeships.portal", "templates"),
            PrefixLoader(
                {"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}
            ),
        ]
    )
    return Environment(
        loader=loader,
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


class Pages:
    """Renders a template with what every page needs (nonce, CSRF token, navigation)."""

    def __init__(self, env: Environment | None = None) -> None:
        self.env = env or environment()

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any],
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        values: dict[str, Any] = {
            "service_name": SERVICE_NAME,
            "csp_nonce": request.scope.get("state", {}).get(NONCE_STATE_KEY, ""),
            "request_path": request.url.path,
        }
        values.update(context)
        html = self.env.get_template(template).render(values)
        response = HTMLResponse(html, status_code=status, headers=dict(headers or {}))
        response.headers["cache-control"] = "no-store"
        return response
