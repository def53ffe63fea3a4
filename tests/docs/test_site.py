"""The documentation site: the list of APIs matches what the gateway does, every
operation and parameter of each OpenAPI document is on its reference page, and the
gateway's successor-version link lands on one."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from apprenticeships.app import Platform
from apprenticeships.catalog.lifecycle import VersionState
from apprenticeships.catalog.products import PRODUCTS
from apprenticeships.docs import guide
from tests import builders
from tests.conftest import PlatformFactory, client_for

pytestmark = pytest.mark.asyncio

METHODS = ("get", "put", "post", "delete", "patch")
DOCUMENTS = [(p.id, v) for p in PRODUCTS for v in p.versions]


def parse(response: httpx.Response) -> LexborHTMLParser:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return LexborHTMLParser(response.text)


def text(node: LexborNode | None) -> str:
    assert node is not None
    return " ".join(node.text(separator=" ").split())


def version_rows(page: LexborHTMLParser, product: str) -> dict[int, tuple[str, str]]:
    """Each listed version of a product: (state, what the status cell says)."""
    rows = page.css(f'section[data-product="{product}"] tr[data-version]')
    return {
        int(row.attributes["data-version"] or 0): (
            row.attributes["data-state"] or "",
            text(row.css("td")[0]),
        )
        for row in rows
    }


async def test_the_api_list_shows_each_version_as_the_gateway_serves_it(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    page = parse(await client.get("/docs"))
    now = datetime.now(UTC)
    for product in PRODUCTS:
        statuses = platform.versions.statuses(product, now)
        listed = version_rows(page, product.id)
        assert set(listed) == {
            s.version for s in statuses if s.state is not VersionState.UNRELEASED
        }
        for status in statuses:
            if status.state is VersionState.UNRELEASED:
                continue
            state, said = listed[status.version]
            assert state == status.state.value
            link = page.css_first(
                f'section[data-product="{product.id}"] tr[data-version="{status.version}"] a'
            )
            assert link is not None
            assert link.attributes["href"] == f"/docs/{product.id}/v{status.version}"
    # On a new platform Display advert version 1 is deprecated beside version 2.
    listed = version_rows(page, "display-advert")
    assert listed[2] == ("current", "Current Use this version.")
    state, said = listed[1]
    assert state == "deprecated"
    [display] = [p for p in PRODUCTS if p.id == "display-advert"]
    sunset = next(s for s in platform.versions.statuses(display, now) if s.version == 1).sunset_at
    assert sunset is not None
    assert f"Stops working on {sunset.day} {sunset:%B %Y}" in said
    assert "Move to version 2." in said


async def test_after_the_sunset_the_list_says_the_version_is_gone_as_the_gateway_does(
    platform_factory: PlatformFactory,
) -> None:
    later = datetime.now(UTC) + timedelta(days=200)
    async with (
        platform_factory(clock=lambda: later, epoch_clock=later.timestamp) as platform,
        client_for(platform) as client,
    ):
        page = parse(await client.get("/docs"))
        state, said = version_rows(page, "display-advert")[1]
        assert state == "decommissioned"
        assert said.startswith("Gone Stopped working on ")
        assert said.endswith("calls to it get 404. Use version 2.")
        key = await builders.developer_key(platform)
        answer = await client.get(
            "/vacancies/vacancy", headers={"Ocp-Apim-Subscription-Key": key, "X-Version": "1"}
        )
        assert answer.status_code == 404
        assert "decommissioned" in answer.json()["message"]
        # Its reference stays readable, saying it is gone.
        reference = parse(await client.get("/docs/display-advert/v1"))
        assert "stopped working on" in text(reference.css_first("#version-status"))


async def test_pages_are_public_with_the_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/docs/", "/docs/recruitment/v1"):
        response = await client.get(path)
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
        nonce = re.search(r"'nonce-([^']+)'", policy)
        assert nonce is not None and f'<script nonce="{nonce.group(1)}">' in response.text
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
        assert "x-request-id" in response.headers
        # Only the reference pages set a cookie: the seed of their try-it forms' CSRF
        # tokens (tests/docs/test_tryit.py).
        if not path.startswith("/docs/recruitment"):
            assert "set-cookie" not in response.headers
    head = await client.head("/docs")
    assert head.status_code == 200


async def test_the_guide_covers_keys_versions_limits_sandbox_and_safety_with_examples(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    page = parse(await client.get("/docs"))
    public_url = platform.settings.public_url
    for anchor, words in {
        "get-a-key": ["/portal/register", "Owner", "Account owner", "ask them for a key"],
        "first-call": ["Ocp-Apim-Subscription-Key", "X-Version"],
        "versions": ["Deprecation", "Sunset", 'rel="successor-version"', "3 months"],
        "rate-limits": ["RateLimit-Policy", "RateLimit", "Retry-After", "429", "150 calls"],
        "sandbox": [f"{public_url}/sandbox", "sandbox key", "1000000001"],
        "key-safety": ["environment variable", "source tree", "Rotate", "each release"],
    }.items():
        heading = page.css_first(f"h2#{anchor}")
        assert heading is not None, anchor
        section, markup = [], []
        node = heading.next
        while node is not None and node.tag != "h2":
            section.append(node.text(separator=" "))
            markup.append(node.html or "")
            node = node.next
        said = " ".join(" ".join(section).split())
        for word in words:
            assert word in said or word in "".join(markup), (anchor, word)
    examples = {
        node.attributes["data-example"]: text(node) for node in page.css("pre[data-example]")
    }
    assert set(examples) == set(guide.examples(public_url, guide.Versions(2, 1, True)))
    languages = {node.attributes["data-language"] for node in page.css("pre[data-example]")}
    assert languages == {"shell", "python"}
    for example_id, code in examples.items():
        if example_id != "key-scan-shell":
            assert public_url in code, example_id


@pytest.mark.parametrize(("product", "version"), DOCUMENTS)
async def test_every_operation_and_parameter_of_the_document_is_on_its_page(
    client: httpx.AsyncClient, product: str, version: int
) -> None:
    document: dict[str, Any] = (await client.get(f"/docs/{product}/v{version}/openapi.json")).json()
    page = parse(await client.get(f"/docs/{product}/v{version}"))
    assert text(page.css_first("h1")) == f"{document['info']['title']} version {version} reference"
    contents = {a.attributes["href"] for a in page.css("nav.app-contents a")}
    operations = 0
    for path, item in document["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            operations += 1
            anchor = operation["operationId"]
            assert f"#{anchor}" in contents
            section = page.css_first(f"section#{anchor}")
            assert section is not None, anchor
            assert section.attributes["data-method"] == method.upper()
            assert section.attributes["data-path"] == path
            assert text(section.css_first("h2")) == operation["summary"]
            names = {
                row.attributes["data-field"]
                for row in section.css(f"table#{anchor}-parameters tr[data-field]")
            }
            assert names == {p["name"] for p in operation.get("parameters", [])}
            statuses = {d.attributes["data-status"] for d in section.css("details[data-status]")}
            assert statuses == set(operation["responses"])
            assert {"401", "404", "429"} <= statuses
            if "requestBody" in operation:
                assert "413" in statuses
                ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
                fields = {
                    row.attributes["data-field"]
                    for row in section.css(f"table#{anchor}-body tr[data-field]")
                }
                assert fields == set(schema["properties"])
            # The gateway's exact bodies are among the examples.
            examples = " ".join(text(pre) for pre in section.css("details pre"))
            assert "Access denied due to missing subscription key." in examples
            assert "Rate limit is exceeded. Try again in 42 seconds." in examples
            assert text(section.css("pre")[-1]).startswith("curl -sS")
    assert operations > 0
    for name in document["components"]["schemas"]:
        assert page.css_first(f"section#schema-{name}") is not None, name
    download = page.css_first('a[href$="/openapi.json"]')
    assert download is not None
    assert download.attributes["href"] == f"/docs/{product}/v{version}/openapi.json"


async def test_the_successor_version_link_of_a_deprecated_version_is_its_reference(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    key = await builders.developer_key(platform)
    answer = await client.get(
        "/vacancies/vacancy", headers={"Ocp-Apim-Subscription-Key": key, "X-Version": "1"}
    )
    assert answer.status_code == 200
    links = {
        rel: url for url, rel in re.findall(r'<([^>]+)>; rel="([^"]+)"', answer.headers["link"])
    }
    assert set(links) == {"successor-version", "deprecation"}
    url = httpx.URL(links["successor-version"])
    assert str(url).startswith(platform.settings.public_url)
    page = parse(await client.get(url.path))
    assert text(page.css_first("h1")) == "Display advert API version 2 reference"
    assert "current version" in text(page.css_first("#version-status"))
    # The deprecated version's own page says when it stops, and links to it.
    old = parse(await client.get("/docs/display-advert/v1"))
    status = text(old.css_first("#version-status"))
    assert "deprecated and stops working on" in status
    successor = old.css_first("#version-status a")
    assert successor is not None and successor.attributes["href"] == url.path
    # The deprecation link is that page.
    assert httpx.URL(links["deprecation"]).path == "/docs/display-advert/v1"


@pytest.mark.parametrize(
    "path",
    ["/docs/nothing/v1", "/docs/display-advert/v9", "/docs/display-advert/v0", "/docs/x"],
)
async def test_unknown_products_and_versions_are_the_404_page(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    page = LexborHTMLParser(response.text)
    assert text(page.css_first("h1")) == "Page not found"
    link = page.css_first("main a")
    assert link is not None and link.attributes["href"] == "/docs"
    assert "content-security-policy" in response.headers


async def test_other_methods_on_pages_are_refused_without_a_redirect(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/docs/display-advert/v2")
    assert response.status_code == 405
    assert "location" not in response.headers
