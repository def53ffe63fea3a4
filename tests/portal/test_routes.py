"""Every portal page declares who may use it, and the server enforces it: a test that
fails when a route has no declaration, when a page becomes public by accident, or when
an anonymous request gets past the sign-in check."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from apprenticeships.app import Platform
from apprenticeships.portal.web import Access, declared_access

pytestmark = pytest.mark.asyncio

# The only pages anyone may open without signing in (paths as the routes declare them).
PUBLIC = {
    "/",
    "/register",
    "/confirm/{token}",
    "/sign-in",
    "/sign-out",
    "/set-password/{token}",
    "/forgot-password",
}


def portal_routes(platform: Platform) -> list[Route]:
    app = platform.portal_site.app
    inner = getattr(app, "app", app)
    assert isinstance(inner, Starlette)
    routes = [route for route in inner.routes if isinstance(route, Route)]
    assert len(routes) == len(inner.routes), "the portal mounts only pages"
    return routes


async def test_every_portal_route_declares_who_may_use_it(platform: Platform) -> None:
    routes = portal_routes(platform)
    undeclared = [route.path for route in routes if declared_access(route) is None]
    assert not undeclared, f"portal routes without an access declaration: {undeclared}"
    public = set()
    for route in routes:
        declared = declared_access(route)
        assert declared is not None
        if declared.access is Access.ANYONE:
            public.add(route.path)
        if declared.roles is not None:
            assert declared.access is Access.MEMBER, route.path
    assert public == PUBLIC


async def test_no_page_but_the_public_ones_shows_anything_to_a_stranger(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    for route in portal_routes(platform):
        if route.path in PUBLIC:
            continue
        path = "/portal" + re.sub(r"\{[^}]+\}", "1", route.path)
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            answer = await client.request(method, path)
            if method == "GET":
                assert answer.status_code == 303, (method, path)
                assert answer.headers["location"] == "/portal/sign-in"
            else:
                # A POST is refused before anything else: no CSRF token.
                assert answer.status_code == 403, (method, path)
