"""The gateway contract (shared/spec/gateway.md), line by line, through the real platform."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel
from sqlalchemy import update
from starlette.types import Message, Receive, Scope, Send

from apprenticeships.app import Platform
from apprenticeships.catalog.lifecycle import add_months
from apprenticeships.gateway.context import SCOPE_KEY, SubscriptionContext
from apprenticeships.keys import tokens
from apprenticeships.problems import install_problem_handlers
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import ApiVersion, Organisation
from tests import builders
from tests.conftest import PlatformFactory
from tests.support.asgi import call
from tests.support.aspnet import trace_id_for
from tests.support.clocks import ManualClock
from tests.support.responses import RawResponse

ROUTES = "/vacancies/referencedata/courses/routes"
NOT_FOUND = b'{"statusCode": 404, "message": "Resource not found"}'
MISSING = (
    b'{"statusCode": 401, "message": "Access denied due to missing subscription key. '
    b'Make sure to include subscription key when making requests to an API."}'
)
INVALID = (
    b'{"statusCode": 401, "message": "Access denied due to invalid subscription key. '
    b'Make sure to provide a valid key for an active subscription."}'
)
JSON_TYPE = "application/json; charset=utf-8"


def h(**headers: str) -> list[tuple[bytes, bytes]]:
    return [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]


def api_headers(key: str, version: str | None = "2") -> list[tuple[bytes, bytes]]:
    headers = [(b"ocp-apim-subscription-key", key.encode())]
    if version is not None:
        headers.append((b"x-version", version.encode()))
    return headers


def mistyped(key: str) -> str:
    """The key with its last character changed: always a different key, so always invalid
    (its checksum no longer matches)."""
    return key[:-1] + ("A" if key[-1] != "A" else "B")


def remaining(response: RawResponse) -> int:
    value = response.header("RateLimit")
    assert value is not None
    return int(value.split(";r=")[1].split(";")[0])


@pytest.fixture
async def keys(platform: Platform) -> AsyncIterator[dict[str, Any]]:
    sessions, secret = platform.sessions, platform.secret_key
    employer = await builders.create_employer(sessions)
    provider = await builders.create_provider(sessions)
    developer = await builders.create_developer(sessions)
    return {
        "employer": employer,
        "developer": developer,
        "provider": provider,
        "live": await builders.issue_key(sessions, secret, f"developer:{developer}"),
        "sandbox": await builders.issue_key(
            sessions, secret, f"developer:{developer}", "display-advert-sandbox"
        ),
        "recruitment": await builders.issue_key(
            sessions, secret, f"employer:{employer}", "recruitment"
        ),
        "track": await builders.issue_key(
            sessions, secret, f"provider:{provider}", "track-progress"
        ),
    }


# -- 1. unknown path -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/nothing", "/vacanciesx", "/vacancy", "/sandbox", "/sandbox/nothing", "/doc"]
)
async def test_unknown_path_is_404_resource_not_found(platform: Platform, path: str) -> None:
    response = await call(platform, path)
    assert response.status == 404
    assert response.body == NOT_FOUND
    assert response.header("content-type") == JSON_TYPE
    assert response.header("RateLimit") is None
    assert response.header("x-request-id")


async def test_unknown_path_wins_over_a_bad_key(platform: Platform) -> None:
    response = await call(platform, "/elsewhere", h(ocp_apim_subscription_key="nonsense"))
    assert (response.status, response.body) == (404, NOT_FOUND)


# -- 2. key ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   "])
async def test_missing_or_empty_key_is_401_missing(platform: Platform, value: str | None) -> None:
    headers = h(x_version="2") + (
        [] if value is None else [(b"ocp-apim-subscription-key", value.encode())]
    )
    response = await call(platform, ROUTES, headers)
    assert (response.status, response.body) == (401, MISSING)
    assert response.header("content-type") == JSON_TYPE
    assert response.header("RateLimit") is None
    assert response.header("api-supported-versions") is None


async def test_key_in_query_string_is_never_accepted(
    platform: Platform, keys: dict[str, Any]
) -> None:
    key = keys["live"].secret
    for name in ("subscription-key", "Ocp-Apim-Subscription-Key", "key"):
        response = await call(platform, ROUTES, h(x_version="2"), query=f"{name}={key}".encode())
        assert (response.status, response.body) == (401, MISSING)


async def test_header_name_is_case_insensitive(platform: Platform, keys: dict[str, Any]) -> None:
    for name in (
        b"OCP-APIM-SUBSCRIPTION-KEY",
        b"Ocp-Apim-Subscription-Key",
        b"ocp-apim-subscription-key",
    ):
        response = await call(
            platform, ROUTES, [(name, keys["live"].secret.encode()), (b"X-VERSION", b"2")]
        )
        assert response.status == 200, response.body


async def test_valid_key_reaches_the_product(platform: Platform, keys: dict[str, Any]) -> None:
    response = await call(platform, ROUTES, api_headers(keys["live"].secret))
    assert response.status == 200
    names = [route["name"] for route in response.json()["routes"]]
    assert len(names) == 15
    assert "Digital" in names


async def test_made_up_keys_are_invalid(platform: Platform, keys: dict[str, Any]) -> None:
    real = keys["live"].secret
    unknown = tokens.generate(tokens.Environment.LIVE).secret  # well formed, never issued
    typo = mistyped(real)  # checksum no longer matches
    for candidate in (unknown, typo, real.upper(), real + "x", real[:-1], "appr_live_", "abc"):
        response = await call(platform, ROUTES, api_headers(candidate))
        assert (response.status, response.body) == (401, INVALID), candidate


async def test_key_of_another_product_is_invalid(platform: Platform, keys: dict[str, Any]) -> None:
    for name in ("recruitment", "track"):
        response = await call(platform, ROUTES, api_headers(keys[name].secret))
        assert (response.status, response.body) == (401, INVALID)
    response = await call(
        platform, "/managevacancies/vacancy", api_headers(keys["live"].secret, "1")
    )
    assert (response.status, response.body) == (401, INVALID)


async def test_live_and_sandbox_keys_work_only_in_their_environment(
    platform: Platform, keys: dict[str, Any]
) -> None:
    live, sandbox = keys["live"].secret, keys["sandbox"].secret
    assert (await call(platform, ROUTES, api_headers(live))).status == 200
    assert (await call(platform, "/sandbox" + ROUTES, api_headers(sandbox))).status == 200
    wrong = await call(platform, "/sandbox" + ROUTES, api_headers(live))
    assert (wrong.status, wrong.body) == (401, INVALID)
    wrong = await call(platform, ROUTES, api_headers(sandbox))
    assert (wrong.status, wrong.body) == (401, INVALID)


async def test_sandbox_hosts_serve_the_sandbox_at_bare_paths(
    platform_factory: PlatformFactory,
) -> None:
    async with platform_factory(sandbox_hosts="api-sandbox.example.org") as platform:
        developer = await builders.create_developer(platform.sessions)
        sandbox = await builders.issue_key(
            platform.sessions,
            platform.secret_key,
            f"developer:{developer}",
            "display-advert-sandbox",
        )
        live = await builders.issue_key(
            platform.sessions, platform.secret_key, f"developer:{developer}"
        )
        host = [(b"host", b"API-Sandbox.example.org:443")]
        ok = await call(platform, ROUTES, host + api_headers(sandbox.secret))
        assert ok.status == 200
        assert len(ok.json()["routes"]) == 15
        refused = await call(platform, ROUTES, host + api_headers(live.secret))
        assert (refused.status, refused.body) == (401, INVALID)
        # Other hosts are live as usual.
        assert (
            await call(platform, ROUTES, [(b"host", b"api.example.org")] + api_headers(live.secret))
        ).status == 200


async def test_revoked_key_is_invalid_at_once(platform: Platform, keys: dict[str, Any]) -> None:
    key = keys["live"]
    assert (await call(platform, ROUTES, api_headers(key.secret))).status == 200
    await builders.revoke_key(platform.sessions, platform.secret_key, key.key_id)
    await platform.poller.poll_once()
    response = await call(platform, ROUTES, api_headers(key.secret))
    assert (response.status, response.body) == (401, INVALID)


async def test_revocation_reaches_the_cache_within_a_second_by_itself(
    platform: Platform, keys: dict[str, Any]
) -> None:
    key = keys["live"]
    assert (await call(platform, ROUTES, api_headers(key.secret))).status == 200
    await builders.revoke_key(platform.sessions, platform.secret_key, key.key_id)
    revoked_at = time.monotonic()
    while (await call(platform, ROUTES, api_headers(key.secret))).status == 200:
        assert time.monotonic() - revoked_at < 1.0, "revocation took longer than 1 second"
        await asyncio.sleep(0.02)
    assert (await call(platform, ROUTES, api_headers(key.secret))).body == INVALID


async def test_suspended_owner_keys_are_invalid(platform: Platform, keys: dict[str, Any]) -> None:
    key = keys["recruitment"]
    async with unit_of_work(platform.sessions) as session:
        await session.execute(
            update(Organisation)
            .where(Organisation.public_id == keys["employer"])
            .values(status="suspended")
        )
    platform.key_cache.clear()
    response = await call(platform, "/managevacancies/vacancy", api_headers(key.secret, "1"))
    assert (response.status, response.body) == (401, INVALID)


async def test_rotated_key_works_through_the_grace_period_then_stops(
    platform_factory: PlatformFactory,
) -> None:
    clock = ManualClock(time.time())
    async with platform_factory(epoch_clock=clock) as platform:
        developer = await builders.create_developer(platform.sessions)
        old = await builders.issue_key(
            platform.sessions, platform.secret_key, f"developer:{developer}"
        )
        new = await builders.rotate_key(
            platform.sessions, platform.secret_key, old.key_id, timedelta(minutes=10)
        )
        await platform.poller.poll_once()
        first = await call(platform, ROUTES, api_headers(old.secret))
        second = await call(platform, ROUTES, api_headers(new.secret))
        assert (first.status, second.status) == (200, 200)
        # Both keys belong to one subscription, so they share one counter.
        assert remaining(second) == remaining(first) - 1
        clock.now = time.time() + 10 * 60  # the grace period is over
        expired = await call(platform, ROUTES, api_headers(old.secret))
        assert (expired.status, expired.body) == (401, INVALID)
        assert (await call(platform, ROUTES, api_headers(new.secret))).status == 200


async def test_product_code_gets_the_subscription_context_and_never_the_key(
    platform: Platform, keys: dict[str, Any]
) -> None:
    seen: dict[str, Any] = {}

    async def echo(scope: Scope, receive: Receive, send: Send) -> None:
        seen["context"] = scope[SCOPE_KEY]
        seen["headers"] = dict(scope["headers"])
        seen["path"] = scope["path"]
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    platform.product_apps[("recruitment", 1)] = echo  # type: ignore[assignment]
    key = keys["recruitment"]
    forged = [(b"x-request-context-subscription-name", b"Employer-XXXXXX-Recruitment")]
    response = await call(platform, "/managevacancies/x", api_headers(key.secret, "1") + forged)
    assert response.status == 204
    context = seen["context"]
    assert isinstance(context, SubscriptionContext)
    assert context.owner_kind == "employer"
    assert context.owner_id == keys["employer"]
    assert (context.product_id, context.environment, context.version) == ("recruitment", "live", 1)
    assert context.key_id == key.key_id
    assert b"ocp-apim-subscription-key" not in seen["headers"]
    assert b"x-request-context-subscription-name" not in seen["headers"]
    assert key.secret.encode() not in json.dumps(repr(seen)).encode()


# -- 3. version ------------------------------------------------------------------------------


@pytest.mark.parametrize("sent", [None, "", "  "])
async def test_missing_version_is_404_saying_how_to_send_it(
    platform: Platform, keys: dict[str, Any], sent: str | None
) -> None:
    response = await call(platform, ROUTES, api_headers(keys["live"].secret, sent))
    assert response.status == 404
    assert response.body == (
        b'{"statusCode": 404, "message": "Resource not found: the X-Version header is missing. '
        b'Send the API version as a whole number, for example X-Version: 2."}'
    )
    assert response.header("api-supported-versions") == "1, 2"
    assert response.header("RateLimit-Policy") == '"default";q=150;w=300'


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("7", "7"),
        ("0", "0"),
        ("3", "3"),
        ("007", "7"),
        ("2.0", '\\"2.0\\"'),
        ("-1", '\\"-1\\"'),
        ("v2", '\\"v2\\"'),
        ("99999999999999999999", "99999999999999999999"),
    ],
)
async def test_unknown_version_is_404_listing_the_versions(
    platform: Platform, keys: dict[str, Any], sent: str, shown: str
) -> None:
    response = await call(platform, ROUTES, api_headers(keys["live"].secret, sent))
    assert response.status == 404
    expected = (
        f'{{"statusCode": 404, "message": "Resource not found: version {shown} of the Display '
        f'advert API does not exist. Available versions: 1, 2."}}'
    )
    assert response.body.decode() == expected


async def test_long_or_binary_version_is_quoted_back_short_and_safe(
    platform: Platform, keys: dict[str, Any]
) -> None:
    for value in (b"9" * 10_000, b"\x01\x02", "2\u00e9".encode("latin-1"), b"A" * 10_000):
        response = await call(
            platform,
            ROUTES,
            [(b"ocp-apim-subscription-key", keys["live"].secret.encode()), (b"x-version", value)],
        )
        assert response.status == 404
        message = response.json()["message"]
        assert message.startswith("Resource not found: version ")
        assert message.endswith("Available versions: 1, 2.")
        assert len(message) < 150
        assert all(" " <= ch <= "~" for ch in message)


async def _release_v2_at(platform: Platform, released_at: datetime) -> None:
    async with unit_of_work(platform.sessions) as session:
        await session.execute(
            update(ApiVersion)
            .where(ApiVersion.product_id == "display-advert", ApiVersion.version == 2)
            .values(released_at=released_at)
        )
    await platform.reload_catalog()


async def test_deprecated_version_carries_deprecation_sunset_and_link(
    platform_factory: PlatformFactory,
) -> None:
    # The gateway's clock is set inside the deprecation, whatever the date of the run.
    moment = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
    async with platform_factory(epoch_clock=ManualClock(moment.timestamp())) as platform:
        key = await builders.developer_key(platform)
        released = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
        await _release_v2_at(platform, released)
        old = await call(platform, ROUTES, api_headers(key, "1"))
        assert old.status == 200
        assert old.header("Deprecation") == f"@{int(released.timestamp())}"
        sunset = parsedate_to_datetime(old.header("Sunset") or "")
        assert sunset == add_months(released, 3) == datetime(2027, 1, 1, 9, 30, tzinfo=UTC)
        assert old.header("Link") == (
            '<http://127.0.0.1:8000/docs/display-advert/v2>; rel="successor-version", '
            '<http://127.0.0.1:8000/docs/display-advert/v1>; rel="deprecation"; type="text/html"'
        )
        assert old.header("api-supported-versions") == "1, 2"
        current = await call(platform, ROUTES, api_headers(key, "2"))
        assert current.status == 200
        assert current.header("Deprecation") is None
        assert current.header("Sunset") is None
        assert current.header("api-supported-versions") == "1, 2"
        assert old.json() == current.json()


async def test_decommissioned_version_is_404_saying_when_and_what_to_use(
    platform: Platform, keys: dict[str, Any]
) -> None:
    released = datetime.now(UTC) - timedelta(days=200)
    await _release_v2_at(platform, released)
    response = await call(platform, ROUTES, api_headers(keys["live"].secret, "1"))
    assert response.status == 404
    sunset = add_months(released, 3)
    assert response.json() == {
        "statusCode": 404,
        "message": f"Resource not found: version 1 of the Display advert API was decommissioned on {sunset:%Y-%m-%d}. Use version 2.",
    }
    assert response.header("api-supported-versions") == "2"
    unknown = await call(platform, ROUTES, api_headers(keys["live"].secret, "5"))
    assert unknown.json()["message"].endswith("Available versions: 2.")


async def test_sandbox_runs_the_same_versions_as_live(
    platform: Platform, keys: dict[str, Any]
) -> None:
    for version in ("1", "2"):
        response = await call(
            platform, "/sandbox" + ROUTES, api_headers(keys["sandbox"].secret, version)
        )
        assert response.status == 200
        assert response.header("api-supported-versions") == "1, 2"
    response = await call(platform, "/sandbox" + ROUTES, api_headers(keys["sandbox"].secret, "3"))
    assert response.json()["message"].endswith("Available versions: 1, 2.")


# -- order of checks and what is counted -------------------------------------------------------


async def test_key_is_checked_before_version_and_version_before_limit(
    platform_factory: PlatformFactory,
) -> None:
    async with platform_factory(rate_limit="1/300") as platform:
        key = await builders.developer_key(platform)
        bad_key_no_version = await call(
            platform, ROUTES, [(b"ocp-apim-subscription-key", b"wrong")]
        )
        assert (bad_key_no_version.status, bad_key_no_version.body) == (401, INVALID)
        assert (await call(platform, ROUTES, api_headers(key))).status == 200
        assert (await call(platform, ROUTES, api_headers(key))).status == 429
        # With the limit used up, a bad version is still a version error, not a 429.
        bad_version = await call(platform, ROUTES, api_headers(key, "9"))
        assert bad_version.status == 404
        assert bad_version.header("Retry-After") is None
        assert remaining(bad_version) == 0


async def test_rejections_before_the_limit_are_not_counted(
    platform: Platform, keys: dict[str, Any]
) -> None:
    key = keys["live"].secret
    first = await call(platform, ROUTES, api_headers(key))
    assert remaining(first) == 149
    for _ in range(5):
        await call(platform, ROUTES, api_headers(key, None))  # missing version
        await call(platform, ROUTES, api_headers(key, "8"))  # unknown version
        await call(platform, ROUTES, api_headers(mistyped(key)))  # invalid key
        await call(platform, "/elsewhere", api_headers(key))  # unknown path
    second = await call(platform, ROUTES, api_headers(key))
    assert remaining(second) == 148


async def test_unknown_operation_of_a_known_version_is_404_and_counted(
    platform: Platform, keys: dict[str, Any]
) -> None:
    key = keys["live"].secret
    for path, method in (
        ("/vacancies/nothing-here", "GET"),
        (ROUTES, "POST"),
        ("/vacancies", "GET"),
    ):
        response = await call(platform, path, api_headers(key), method=method)
        assert (response.status, response.body) == (404, NOT_FOUND)
        assert response.header("api-supported-versions") == "1, 2"
    assert remaining(response) == 147


# -- 4. rate limit ---------------------------------------------------------------------------


async def test_limit_admits_exactly_q_then_429_with_retry_after(
    platform_factory: PlatformFactory, limiter_backend: dict[str, Any]
) -> None:
    async with platform_factory(rate_limit="5/300", **limiter_backend) as platform:
        key = await builders.developer_key(platform)
        answers = [await call(platform, ROUTES, api_headers(key)) for _ in range(8)]
        assert [a.status for a in answers] == [200] * 5 + [429] * 3
        assert [remaining(a) for a in answers] == [4, 3, 2, 1, 0, 0, 0, 0]
        for answer in answers:
            assert answer.header("RateLimit-Policy") == '"default";q=5;w=300'
        refused = answers[-1]
        retry = int(refused.header("Retry-After") or "0")
        assert 1 <= retry <= 300
        assert refused.body.decode() == (
            f'{{"statusCode": 429, "message": "Rate limit is exceeded. Try again in {retry} seconds."}}'
        )
        assert refused.header("RateLimit") == f'"default";r=0;t={retry}'
        assert refused.header("content-type") == JSON_TYPE


async def test_window_resets_to_the_full_allowance_and_429s_do_not_extend_it(
    platform_factory: PlatformFactory,
) -> None:
    clock = ManualClock()
    async with platform_factory(rate_limit="2/1", monotonic_clock=clock) as platform:
        key = await builders.developer_key(platform)
        opened = clock()
        assert [(await call(platform, ROUTES, api_headers(key))).status for _ in range(2)] == [
            200,
            200,
        ]
        # Keep hammering: refused requests must not push the end of the window back.
        for _ in range(19):
            refused = await call(platform, ROUTES, api_headers(key))
            assert refused.status == 429
            assert refused.header("Retry-After") == "1"
            clock.advance(0.05)
        clock.now = opened + 1  # the window's end
        fresh = await call(platform, ROUTES, api_headers(key))
        assert fresh.status == 200
        assert remaining(fresh) == 1


async def test_redis_window_resets_to_the_full_allowance_and_429s_do_not_extend_it(
    platform_factory: PlatformFactory, redis_url: tuple[str, str]
) -> None:
    url, prefix = redis_url
    async with platform_factory(rate_limit="2/1", redis_url=url, redis_prefix=prefix) as platform:
        key = await builders.developer_key(platform)
        # The window runs on Redis's clock, so this test waits for real; it reads its own
        # clock around the first request, which bounds where the window can start.
        before = time.monotonic()
        assert (await call(platform, ROUTES, api_headers(key))).status == 200
        opened_by = time.monotonic()
        assert (await call(platform, ROUTES, api_headers(key))).status == 200
        # Keep hammering: refused requests must not push the end of the window back.
        while time.monotonic() < before + 0.6:  # well inside the window
            refused = await call(platform, ROUTES, api_headers(key))
            assert refused.status == 429
            assert refused.header("Retry-After") == "1"
            await asyncio.sleep(0.05)
        await asyncio.sleep(max(0.0, opened_by + 1.05 - time.monotonic()))  # surely after it
        fresh = await call(platform, ROUTES, api_headers(key))
        assert fresh.status == 200
        assert remaining(fresh) == 1


async def test_product_and_subscription_overrides_change_the_limit(
    platform: Platform, keys: dict[str, Any]
) -> None:
    key = keys["live"].secret
    await builders.set_limit(platform.sessions, platform.secret_key, "display-advert", "40/60")
    await platform.poller.poll_once()
    response = await call(platform, ROUTES, api_headers(key))
    assert response.header("RateLimit-Policy") == '"default";q=40;w=60'
    await builders.set_limit(
        platform.sessions,
        platform.secret_key,
        "display-advert",
        "3/120",
        f"developer:{keys['developer']}",
    )
    await platform.poller.poll_once()
    statuses = [(await call(platform, ROUTES, api_headers(key))).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # The sandbox product keeps the default.
    sandbox = await call(platform, "/sandbox" + ROUTES, api_headers(keys["sandbox"].secret))
    assert sandbox.header("RateLimit-Policy") == '"default";q=150;w=300'


async def test_memory_backend_is_exact_under_concurrency(
    platform: Platform, keys: dict[str, Any]
) -> None:
    key = keys["live"].secret
    answers = await asyncio.gather(*(call(platform, ROUTES, api_headers(key)) for _ in range(400)))
    statuses = [a.status for a in answers]
    assert statuses.count(200) == 150
    assert statuses.count(429) == 250


# -- other limits ----------------------------------------------------------------------------


async def test_declared_body_over_1_mib_is_413(platform: Platform, keys: dict[str, Any]) -> None:
    headers = api_headers(keys["live"].secret) + [
        (b"content-length", str(1024 * 1024 + 1).encode())
    ]
    response = await call(platform, ROUTES, headers, method="POST", body_chunks=[b"x" * 10])
    assert response.status == 413
    assert response.json() == {
        "statusCode": 413,
        "message": "Request body too large. The limit is 1048576 bytes.",
    }
    assert response.header("RateLimit") is not None
    assert remaining(response) == 150  # not counted


async def test_streamed_body_over_1_mib_is_413(platform: Platform, keys: dict[str, Any]) -> None:
    received: list[int] = []
    reader = FastAPI()
    install_problem_handlers(reader)

    @reader.post("/managevacancies/vacancy")
    async def create(request: Request) -> dict[str, int]:
        received.append(len(await request.body()))
        return {"size": received[-1]}

    platform.product_apps[("recruitment", 1)] = reader
    key = keys["recruitment"].secret
    chunks = [b"x" * 65536] * 17  # 1,114,112 bytes, no Content-Length
    response = await call(
        platform,
        "/managevacancies/vacancy",
        api_headers(key, "1"),
        method="POST",
        body_chunks=chunks,
    )
    assert response.status == 413
    assert response.json()["statusCode"] == 413
    assert received == []
    small = await call(
        platform,
        "/managevacancies/vacancy",
        api_headers(key, "1"),
        method="POST",
        body_chunks=[b"x" * 1000] * 3,
    )
    assert (small.status, small.json()) == (200, {"size": 3000})


async def test_request_id_is_echoed_when_sane_and_replaced_when_not(platform: Platform) -> None:
    sane = await call(platform, "/health", [(b"x-request-id", b"abc-123.DEF_4:5")])
    assert sane.header("x-request-id") == "abc-123.DEF_4:5"
    for bad in (b"a" * 200, b"has space", b"\xff\xfe", b"<script>", b""):
        answer = await call(platform, "/health", [(b"x-request-id", bad)])
        generated = answer.header("x-request-id") or ""
        assert len(generated) == 32
        assert generated != bad.decode("latin-1")
    gateway = await call(platform, "/elsewhere", [(b"x-request-id", b"trace-1")])
    assert gateway.header("x-request-id") == "trace-1"


async def test_unexpected_product_error_is_a_500_with_trace_id_and_no_trace(
    platform: Platform, keys: dict[str, Any]
) -> None:
    broken = FastAPI()
    install_problem_handlers(broken)

    @broken.get("/managevacancies/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    platform.product_apps[("recruitment", 1)] = broken
    response = await call(
        platform,
        "/managevacancies/boom",
        api_headers(keys["recruitment"].secret, "1") + [(b"x-request-id", b"t-1")],
    )
    assert response.status == 500
    body = response.json()
    assert body["status"] == 500
    assert body["traceId"] == trace_id_for("t-1")
    assert b"secret internals" not in response.body
    assert b"Traceback" not in response.body


async def test_product_apps_build_urls_from_their_own_routes(
    platform: Platform, keys: dict[str, Any]
) -> None:
    app = FastAPI()

    @app.get("/managevacancies/here", name="here")
    async def here(request: Request) -> dict[str, str]:
        return {"url": str(request.url_for("here"))}

    platform.product_apps[("recruitment", 1)] = app
    response = await call(
        platform, "/managevacancies/here", api_headers(keys["recruitment"].secret, "1")
    )
    assert (response.status, response.json()) == (
        200,
        {"url": "http://testserver/managevacancies/here"},
    )


async def test_gateway_failure_is_a_json_500_without_details(
    platform: Platform, keys: dict[str, Any]
) -> None:
    async def failing_loader(key_hash: str) -> None:
        raise ConnectionError("database host db.internal refused")

    platform.key_cache._loader = failing_loader  # the database going away mid-flight
    platform.key_cache.clear()
    response = await call(
        platform, ROUTES, api_headers(keys["live"].secret) + [(b"x-request-id", b"t-2")]
    )
    assert response.status == 500
    assert response.json() == {
        "statusCode": 500,
        "message": "Internal server error. Trace id: t-2.",
    }


async def test_non_http_scopes_are_closed(platform: Platform) -> None:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await platform({"type": "websocket", "path": "/vacancies", "headers": []}, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1008}]


class TitleBody(BaseModel):
    title: str


async def test_malformed_json_is_a_400_problem_from_the_product(
    platform: Platform, keys: dict[str, Any]
) -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/managevacancies/echo")
    async def echo(body: TitleBody) -> dict[str, str]:
        return {"title": body.title}

    platform.product_apps[("recruitment", 1)] = app
    headers = api_headers(keys["recruitment"].secret, "1") + [
        (b"content-type", b"application/json")
    ]
    response = await call(
        platform, "/managevacancies/echo", headers, method="POST", body_chunks=[b'{"title": ']
    )
    assert response.status == 400
    assert response.header("content-type") == "application/problem+json; charset=utf-8"
    body = response.json()
    assert (body["title"], body["status"]) == ("One or more validation errors occurred.", 400)
    assert list(body["errors"]) == ["$"], body
    assert body["traceId"] == trace_id_for(response.header("x-request-id") or "")
    ok = await call(
        platform, "/managevacancies/echo", headers, method="POST", body_chunks=[b'{"title": "x"}']
    )
    assert (ok.status, ok.json()) == (200, {"title": "x"})


# -- every route is behind the gateway ------------------------------------------------------


async def test_every_product_route_needs_a_key_of_its_own_product(
    platform: Platform, keys: dict[str, Any]
) -> None:
    """No product route can be reached without a key, or with another product's key: a
    route added later is covered without naming it here."""
    own = {"display-advert": "live", "recruitment": "recruitment", "track-progress": "track"}
    checked = 0
    for (product_id, version), app in platform.product_apps.items():
        for template, operations in app.openapi()["paths"].items():
            path = re.sub(r"\{[^}]+\}", "1", template)
            for method in operations:
                method = method.upper()
                missing = await call(platform, path, h(x_version=str(version)), method=method)
                assert (missing.status, missing.body) == (401, MISSING), (product_id, path)
                for other, key in own.items():
                    if other == product_id:
                        continue
                    wrong = await call(
                        platform, path, api_headers(keys[key].secret, str(version)), method=method
                    )
                    assert (wrong.status, wrong.body) == (401, INVALID), (product_id, path, other)
                checked += 1
    assert checked >= 5 + 5 + 3  # display advert v1 and v2 each, recruitment, track progress


async def test_a_trailing_slash_on_any_product_route_is_a_404_never_a_redirect(
    platform: Platform, keys: dict[str, Any]
) -> None:
    """A redirect would drop the /sandbox prefix and echo the client's Host."""
    sessions, secret = platform.sessions, platform.secret_key
    owners = {
        "display-advert": f"developer:{keys['developer']}",
        "recruitment": f"employer:{keys['employer']}",
        "track-progress": f"provider:{keys['provider']}",
    }
    prefixes = {"live": "", "sandbox": "/sandbox"}
    product_keys = {
        (product_id, environment): await builders.issue_key(
            sessions, secret, owner, product_id + ("-sandbox" if environment == "sandbox" else "")
        )
        for product_id, owner in owners.items()
        for environment in prefixes
    }
    checked = 0
    for (product_id, version), app in platform.product_apps.items():
        for template, operations in app.openapi()["paths"].items():
            path = re.sub(r"\{[^}]+\}", "1", template) + "/"
            for method in operations:
                for environment, prefix in prefixes.items():
                    key = product_keys[(product_id, environment)].secret
                    response = await call(
                        platform,
                        prefix + path,
                        api_headers(key, str(version)) + [(b"x-request-id", b"slash")],
                        method=method.upper(),
                    )
                    where = (method, prefix + path)
                    assert (response.status, response.body) == (404, NOT_FOUND), where
                    assert response.header("location") is None, where
                    assert response.header("x-request-id") == "slash", where
                    assert response.header("RateLimit") is not None, where  # past the gateway
                    checked += 1
    assert checked >= 2 * (5 + 5 + 3)
