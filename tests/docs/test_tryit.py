"""Try it on the reference pages: a person's sandbox key (from the CLI, as an operator
hands it out) and the form's fields become one request to the sandbox, made in-process
through the gateway, shown as curl with the key masked and answered with the sandbox's
status, headers and body. It counts against the key's rate limit; a live key gets the
gateway's 401; a POST without the form's CSRF token sends nothing; the key is in no log
and on no page."""

from __future__ import annotations

import asyncio
import html
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from apprenticeships.app import Platform
from apprenticeships.gateway import responses
from apprenticeships.keys.repository import KeyListing, KeyRepository
from apprenticeships.keys.service import KeyService
from apprenticeships.settings import RateLimitRule
from tests import builders
from tests.conftest import PlatformFactory, client_for
from tests.recruitment.bodies import valid_body
from tests.support.cli import Run, cli_runner

pytestmark = pytest.mark.asyncio

SECRET = "test-secret-not-for-production"  # the platform fixture's
SECRET_BYTES = SECRET.encode()
LIMIT = RateLimitRule.parse("150/300")
METHODS = ("get", "put", "post", "delete", "patch")
SEARCH = "/docs/display-advert/v2/try/SearchVacancies"
CREATE = "/docs/recruitment/v1/try/CreateVacancy"


@dataclass
class World:
    platform: Platform
    client: httpx.AsyncClient
    cli: Run
    legal_entity: str
    keys: dict[str, str]

    async def run(self, *args: str) -> str:
        """The CLI, in a thread: it runs its own event loop."""
        result = await asyncio.to_thread(self.cli, *args)
        return str(result.stdout).strip()

    async def token(self, path: str) -> str:
        page = await self.client.get(path)
        assert page.status_code == 200, page.text[:300]
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match is not None
        return html.unescape(match.group(1))

    async def tried(self, path: str, data: dict[str, str]) -> httpx.Response:
        return await self.client.post(path, data={"csrf_token": await self.token(path), **data})

    async def remaining(self, name: str) -> int:
        """What is left of the key's rate limit, without counting a call."""
        async with self.platform.sessions() as session:
            [key_id] = [k.key_id for k in await KeyService(session, SECRET_BYTES).list_keys()
                        if k.name == name]  # fmt: skip
            row = await KeyRepository(session).row_by_id(key_id)
        assert row is not None
        decision = await self.platform.limiter.peek(str(row.subscription_id), LIMIT)
        return decision.remaining

    async def listing(self) -> list[KeyListing]:
        async with self.platform.sessions() as session:
            return await KeyService(session, SECRET_BYTES).list_keys()


@pytest.fixture
async def world(
    platform_factory: PlatformFactory,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_url: str,
) -> AsyncIterator[World]:
    (tmp_path / "cli").mkdir()
    cli = cli_runner(monkeypatch, tmp_path / "cli", sqlite_url)
    monkeypatch.setenv("APPRENTICESHIPS_SECRET_KEY", SECRET)
    async with (
        platform_factory(database_url=sqlite_url, access_log=True) as platform,
        client_for(platform) as client,
    ):
        world = World(platform, client, cli, "", {})
        employer = await world.run("accounts", "add-employer", "--name", "Acme Engineering")
        world.legal_entity = await world.run(
            "accounts", "add-legal-entity", "--employer", employer, "--name", "Acme Ltd"
        )
        await world.run("accounts", "add-provider", "--ukprn", "10000001", "--name", "Northfield")
        await world.run("accounts", "add-developer", "--email", "dev@example.com")
        for name, product, owner in [
            ("display", "display-advert-sandbox", "developer:dev@example.com"),
            ("display_live", "display-advert", "developer:dev@example.com"),
            ("recruitment", "recruitment-sandbox", f"employer:{employer}"),
        ]:
            world.keys[name] = await world.run(
                "keys", "issue", "--product", product, "--owner", owner, "--name", name
            )
        provider = await builders.create_provider(platform.sessions, "10000009", "Sandbox College")
        for title in ("Sandbox Engineer", "Sandbox Chef"):
            await builders.create_vacancy(
                platform.sessions,
                employer=employer,
                legal_entity=world.legal_entity,
                ukprn=provider,
                environment="sandbox",
                title=title,
            )
        await platform.vacancy_indexes.reload()
        yield world


def parse(response: httpx.Response) -> LexborHTMLParser:
    return LexborHTMLParser(response.text)


def text(node: LexborNode | None) -> str:
    assert node is not None
    return " ".join(node.text(separator=" ").split())


def shown_headers(page: LexborHTMLParser) -> dict[str, str]:
    return {
        row.attributes["data-header"] or "": text(row.css_first("td"))
        for row in page.css("#try-headers tr[data-header]")
    }


async def test_a_get_is_sent_to_the_sandbox_and_shown_with_its_answer(world: World) -> None:
    key = world.keys["display"]
    response = await world.tried(
        SEARCH,
        {"key": key, "query.PageSize": "1", "query.Sort": "AgeAsc", "header.X-Version": "2"},
    )
    assert response.status_code == 200, response.text[:500]
    page = parse(response)
    assert text(page.css_first("h1")) == "Try search live apprenticeship adverts in the sandbox"
    assert text(page.css_first("#try-status")) == "200 OK"
    body = json.loads(text(page.css_first("#try-body")))
    assert body["total"] == 2 and len(body["vacancies"]) == 1
    assert body["vacancies"][0]["title"] in ("Sandbox Engineer", "Sandbox Chef")
    headers = shown_headers(page)
    assert headers["ratelimit-policy"] == '"default";q=150;w=300'
    assert headers["ratelimit"].startswith('"default";r=149;')
    assert headers["content-type"].startswith("application/json")
    assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])
    # The exact request, as curl, the key read from the environment.
    curl = page.css_first("#try-curl").text()  # type: ignore[union-attr]
    assert curl == (
        "curl -sS -i 'http://127.0.0.1:8000/sandbox/vacancies/vacancy?PageSize=1&Sort=AgeAsc' \\\n"
        '  -H "Ocp-Apim-Subscription-Key: $APPRENTICESHIPS_SANDBOX_API_KEY" \\\n'
        "  -H 'X-Version: 2'"
    )
    assert text(page.css_first("#try-key")) == f"appr_sandbox_…{key[-4:]}"
    assert key not in response.text
    # The form comes back as it was filled in, without the key.
    assert page.css_first('input[name="query.PageSize"]').attributes["value"] == "1"  # type: ignore[union-attr]
    assert page.css_first('input[name="key"]').attributes.get("value") in (None, "")  # type: ignore[union-attr]
    # The same request made directly finds the counter one further on.
    direct = await world.client.get(
        "/sandbox/vacancies/vacancy",
        headers={"Ocp-Apim-Subscription-Key": key, "X-Version": "2"},
    )
    assert direct.headers["ratelimit"].startswith('"default";r=148;')


async def test_a_post_sends_the_body_and_shows_the_created_answer(world: World) -> None:
    client_id = str(uuid.uuid4())
    body = json.dumps(valid_body(world.legal_entity), indent=2)
    response = await world.tried(
        CREATE,
        {"key": world.keys["recruitment"], "path.id": client_id, "header.X-Version": "1",
         "body": body},
    )  # fmt: skip
    assert response.status_code == 200, response.text[:500]
    page = parse(response)
    assert text(page.css_first("#try-status")) == "201 Created"
    assert json.loads(text(page.css_first("#try-body"))) == {"vacancyReference": "1000000001"}
    assert "location" not in shown_headers(page)  # none, as the real service (R7)
    curl = page.css_first("#try-curl").text()  # type: ignore[union-attr]
    first, *rest = curl.split("\n")
    assert first == (
        f"curl -sS -i -X POST 'http://127.0.0.1:8000/sandbox/managevacancies/vacancy/{client_id}' \\"
    )
    assert rest[:4] == [
        '  -H "Ocp-Apim-Subscription-Key: $APPRENTICESHIPS_SANDBOX_API_KEY" \\',
        "  -H 'X-Version: 1' \\",
        "  -H 'Content-Type: application/json' \\",
        "  --data-binary @- <<'JSON'",
    ]
    assert "\n".join(rest[4:]) == body + "\nJSON"
    # The sandbox checks the body as live does: a broken one is its 400, shown as it is.
    broken = await world.tried(
        CREATE,
        {"key": world.keys["recruitment"], "path.id": client_id, "header.X-Version": "1",
         "body": "{not json"},
    )  # fmt: skip
    page = parse(broken)
    assert text(page.css_first("#try-status")) == "400 Bad Request"
    assert json.loads(text(page.css_first("#try-body")))["status"] == 400
    # The canned id gets the sandbox's 429, with its Retry-After.
    canned = "11111111-1111-1111-1111-111111111111"
    fields = {"key": world.keys["recruitment"], "path.id": canned, "body": body}
    limited = parse(await world.tried(CREATE, {**fields, "header.X-Version": "1"}))
    assert text(limited.css_first("#try-status")) == "429 Too Many Requests"
    assert shown_headers(limited)["retry-after"] == "60"


async def test_a_live_key_gets_the_gateways_401_and_counts_nothing(world: World) -> None:
    key = world.keys["display_live"]
    response = await world.tried(SEARCH, {"key": key, "header.X-Version": "2"})
    page = parse(response)
    assert text(page.css_first("#try-status")) == "401 Unauthorized"
    assert json.loads(text(page.css_first("#try-body"))) == {
        "statusCode": 401,
        "message": responses.INVALID_KEY,
    }
    assert "ratelimit" not in shown_headers(page)
    assert text(page.css_first("#try-key")) == f"appr_live_…{key[-4:]}"
    assert key not in response.text
    assert await world.platform.usage.flush() == 0
    # The live key still works where it belongs, its counter untouched.
    live = await world.client.get(
        "/vacancies/vacancy", headers={"Ocp-Apim-Subscription-Key": key, "X-Version": "2"}
    )
    assert live.headers["ratelimit"].startswith('"default";r=149;')


async def test_calls_are_counted_in_the_keys_usage_and_rate_limit(world: World) -> None:
    key = world.keys["display"]
    assert await world.remaining("display") == 150
    for _ in range(3):
        await world.tried(SEARCH, {"key": key, "header.X-Version": "2"})
    assert await world.remaining("display") == 147
    assert await world.platform.usage.flush() == 1
    [listed] = [k for k in await world.listing() if k.name == "display"]
    assert listed.usage_count == 3 and listed.last_used_at is not None


async def test_posts_without_a_valid_csrf_token_are_refused_and_send_nothing(
    world: World,
) -> None:
    key = world.keys["display"]
    token = await world.token(SEARCH)
    for data in (
        {"key": key, "header.X-Version": "2"},
        {"key": key, "header.X-Version": "2", "csrf_token": "forged"},
    ):
        response = await world.client.post(SEARCH, data=data)
        assert response.status_code == 403
        assert "This form has expired" in response.text
        assert key not in response.text
    # A token without the cookie it was made for is refused too.
    async with client_for(world.platform) as stranger:
        response = await stranger.post(
            SEARCH, data={"key": key, "header.X-Version": "2", "csrf_token": token}
        )
        assert response.status_code == 403
    assert await world.platform.usage.flush() == 0
    assert await world.remaining("display") == 150


async def test_the_key_is_in_no_log(
    world: World, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    keys = (world.keys["display"], world.keys["display_live"], world.keys["recruitment"])
    for key in keys:
        await world.tried(SEARCH, {"key": key, "header.X-Version": "2"})
    await world.tried(SEARCH, {"key": keys[0] + " x", "header.X-Version": "2"})
    await world.tried(CREATE, {"key": keys[2], "path.id": str(uuid.uuid4()), "body": "[]"})
    assert world.platform.gateway.access_log is not None
    world.platform.gateway.access_log.flush()
    out, err = capfd.readouterr()
    logged = out + err + caplog.text
    assert '"path":"/vacancies/vacancy"' in logged  # the access log was written
    assert '"environment":"sandbox"' in logged
    for key in keys:
        assert key not in logged
        assert key[len("appr_sandbox_") :] not in logged


async def test_missing_key_and_path_parameters_are_form_errors(world: World) -> None:
    response = await world.tried(CREATE, {"key": "", "path.id": "", "body": "{}"})
    assert response.status_code == 400
    page = parse(response)
    assert (page.css_first("title").text() or "").startswith("Error: ")  # type: ignore[union-attr]
    summary = [(a.attributes["href"], text(a)) for a in page.css(".govuk-error-summary a")]
    assert summary == [
        ("#try-CreateVacancy-key", "Enter your sandbox key"),
        ("#try-CreateVacancy-path-id", "Enter id"),
    ]
    assert page.css_first("#try-CreateVacancy-key") is not None
    assert page.css_first("#try-CreateVacancy-path-id") is not None
    assert page.css_first("#try-status") is None  # nothing was sent
    spaced = await world.tried(SEARCH, {"key": "appr sandbox", "header.X-Version": "2"})
    assert spaced.status_code == 400
    assert "Enter your sandbox key as it was shown to you" in spaced.text
    assert await world.platform.usage.flush() == 0


async def test_every_get_and_post_operation_has_a_form_for_each_parameter(
    client: httpx.AsyncClient,
) -> None:
    # The forms' CSRF seed comes in a cookie of the docs' own, once.
    first = await client.get("/docs/display-advert/v2")
    cookie = first.headers["set-cookie"]
    assert cookie.startswith("portal_csrf=") and "HttpOnly" in cookie and "Path=/docs;" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "set-cookie" not in (await client.get("/docs/display-advert/v2")).headers
    for product, version in (("display-advert", 1), ("display-advert", 2), ("recruitment", 1),
                             ("track-progress", 1)):  # fmt: skip
        document = (await client.get(f"/docs/{product}/v{version}/openapi.json")).json()
        response = await client.get(f"/docs/{product}/v{version}")
        page = parse(response)
        ids = [node.attributes["id"] for node in page.css("[id]")]
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        forms = 0
        for item in document["paths"].values():
            for method in METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                anchor = operation["operationId"]
                form = page.css_first(f"section#{anchor} form.app-try")
                if method not in ("get", "post"):
                    assert form is None
                    continue
                forms += 1
                assert form is not None, anchor
                assert form.attributes["action"] == f"/docs/{product}/v{version}/try/{anchor}"
                assert form.attributes["method"] == "post"
                names = {i.attributes["name"] for i in form.css("input, select, textarea")}
                expected = {f"{p['in']}.{p['name']}" for p in operation["parameters"]}
                expected |= {"csrf_token", "key"}
                if "requestBody" in operation:
                    expected.add("body")
                assert names == expected, anchor
                key = form.css_first('input[name="key"]')
                assert key is not None and key.attributes["type"] == "password"
                assert key.attributes["autocomplete"] == "off"
                # Every field has its label.
                for field in form.css("input:not([type=hidden]), select, textarea"):
                    assert page.css_first(f'label[for="{field.attributes["id"]}"]') is not None
                # And its own page answers too.
                alone = await client.get(f"/docs/{product}/v{version}/try/{anchor}")
                assert alone.status_code == 200
        assert forms == sum(
            1 for item in document["paths"].values() for m in ("get", "post") if m in item
        )


@pytest.mark.parametrize(
    "path",
    [
        "/docs/display-advert/v2/try/Nothing",
        "/docs/display-advert/v02/try/SearchVacancies",
        "/docs/display-advert/v9/try/SearchVacancies",
        "/docs/nothing/v1/try/SearchVacancies",
    ],
)
async def test_unknown_operations_have_no_try_page(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 404
    assert (await client.post(path, data={})).status_code == 404


async def test_a_decommissioned_version_has_no_try_it(platform_factory: PlatformFactory) -> None:
    from datetime import UTC, datetime, timedelta

    later = datetime.now(UTC) + timedelta(days=200)
    async with (
        platform_factory(clock=lambda: later, epoch_clock=later.timestamp) as platform,
        client_for(platform) as client,
    ):
        page = parse(await client.get("/docs/display-advert/v1"))
        assert page.css("form.app-try") == []
        assert (await client.get(SEARCH.replace("v2", "v1"))).status_code == 404
        assert parse(await client.get("/docs/display-advert/v2")).css("form.app-try")
