"""The portal's frame: assets, security headers, error pages, no redirects."""

from __future__ import annotations

import re

import httpx
import pytest

from apprenticeships.app import Platform

pytestmark = pytest.mark.asyncio


async def test_pages_send_security_headers_with_a_fresh_nonce(client: httpx.AsyncClient) -> None:
    first = await client.get("/portal")
    second = await client.get("/portal/")
    assert first.status_code == second.status_code == 200
    assert first.text.startswith("<!DOCTYPE html>")
    policy = first.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    # The only inline script carries this response's nonce; the next response has another.
    assert f'<script nonce="{nonce.group(1)}">' in first.text
    assert nonce.group(1) not in second.headers["content-security-policy"]
    assert first.headers["x-content-type-options"] == "nosniff"
    assert first.headers["referrer-policy"] == "no-referrer"
    assert first.headers["x-frame-options"] == "DENY"
    assert first.headers["cache-control"] == "no-store"
    assert "x-request-id" in first.headers


async def test_unknown_portal_pages_are_404_pages_and_nothing_redirects(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/portal/nope", "/portal/apis/", "/portal//", "/portal/assets/x"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert '<h1 class="govuk-heading-l">Page not found</h1>' in response.text
        assert "location" not in response.headers


async def test_frontend_assets_are_served_from_the_npm_install(client: httpx.AsyncClient) -> None:
    css = await client.get("/assets/govuk-frontend.min.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    # The stylesheet names its fonts under /assets/fonts: each is served.
    fonts = sorted(set(re.findall(r"url\((/assets/fonts/[^)]+)\)", css.text)))
    assert fonts
    for font in fonts:
        answer = await client.get(font)
        assert answer.status_code == 200, font
        assert answer.content[:4] in (b"wOF2", b"wOFF")
    own = await client.get("/assets/portal/portal.css")
    assert own.status_code == 200 and ".portal-link-button" in own.text
    missing = await client.get("/assets/fonts/none.woff2")
    assert missing.status_code == 404


async def test_the_platform_still_answers_api_paths_through_the_gateway(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    response = await client.get("/vacancies/vacancy")
    assert response.status_code == 401
    assert response.json()["statusCode"] == 401
