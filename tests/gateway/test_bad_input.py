"""Whatever a client sends, the gateway answers with one of its own bodies, never a 500."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprenticeships.app import Platform
from apprenticeships.settings import Settings
from tests import builders
from tests.support.asgi import call
from tests.support.responses import RawResponse

ROUTES = "/vacancies/referencedata/courses/routes"
INVALID = "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."
MISSING = "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."

HEADER_BYTES = st.binary(max_size=300).filter(lambda b: b"\r" not in b and b"\n" not in b)
NASTY = [
    b"9" * 10_000,
    b"x" * 10_240,
    "ключ".encode(),
    "é".encode("latin-1"),
    b"\x00\x01\x02\x7f",
    b"\t",
    b"2.0",
    b"-1",
    b"+2",
    b"2 ",
    b"0x2",
    b"99999999999999999999",
    b"1e3",
    b"\xff\xfe",
    b"null",
    b"appr_live_" + b"A" * 38,
    b"appr_sandbox_" + b"\xc3" * 38,
]


@pytest.fixture(scope="module")
def shared_platform(
    tmp_path_factory: pytest.TempPathFactory, sqlite_databases: object
) -> Iterator[tuple[Platform, str]]:
    """One running platform for many generated requests (hypothesis runs each example in
    the same test function)."""
    url = sqlite_databases.new()  # type: ignore[attr-defined]
    settings_ = Settings(
        database_url=url,
        var_dir=tmp_path_factory.mktemp("var"),
        secret_key="fuzz",
        rate_limit="1000000/300",
        access_log=False,
        _env_file=None,  # type: ignore[call-arg]
    )
    platform = Platform(settings_)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(platform.startup())

    async def make_key() -> str:
        email = await builders.create_developer(platform.sessions)
        return (
            await builders.issue_key(platform.sessions, platform.secret_key, f"developer:{email}")
        ).secret

    key = loop.run_until_complete(make_key())
    platform.loop = loop  # type: ignore[attr-defined]
    yield platform, key
    loop.run_until_complete(platform.shutdown())
    loop.close()


def check_gateway_answer(response: RawResponse) -> None:
    assert response.status < 500, response.body
    assert response.status in (200, 401, 404), response.status
    if response.status != 200:
        body = response.json()
        assert set(body) == {"statusCode", "message"}
        assert body["statusCode"] == response.status
        assert response.header("content-type") == "application/json; charset=utf-8"
    assert response.header("x-request-id")


def run(platform: Platform, path: str, headers: list[tuple[bytes, bytes]]) -> RawResponse:
    # The platform's own event loop, where its connections and background tasks live.
    return platform.loop.run_until_complete(call(platform, path, headers))  # type: ignore[attr-defined, no-any-return]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=HEADER_BYTES | st.sampled_from(NASTY), version=HEADER_BYTES | st.sampled_from(NASTY))
def test_any_key_and_version_bytes_get_a_gateway_answer(
    shared_platform: tuple[Platform, str], key: bytes, version: bytes
) -> None:
    platform, _ = shared_platform
    response = run(platform, ROUTES, [(b"ocp-apim-subscription-key", key), (b"x-version", version)])
    check_gateway_answer(response)
    if key.strip(b" \t"):
        assert (response.status, response.json()["message"]) == (401, INVALID)
    else:
        assert (response.status, response.json()["message"]) == (401, MISSING)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    version=HEADER_BYTES | st.sampled_from(NASTY),
    request_id=HEADER_BYTES | st.sampled_from(NASTY),
    host=HEADER_BYTES | st.sampled_from(NASTY),
    length=HEADER_BYTES | st.sampled_from([b"-1", b"abc", b"99999999999999999999999", b"0"]),
)
def test_valid_key_with_any_other_headers_never_fails(
    shared_platform: tuple[Platform, str],
    version: bytes,
    request_id: bytes,
    host: bytes,
    length: bytes,
) -> None:
    platform, key = shared_platform
    headers = [
        (b"ocp-apim-subscription-key", key.encode()),
        (b"x-version", version),
        (b"x-request-id", request_id),
        (b"host", host),
        (b"content-length", length),
    ]
    response = run(platform, ROUTES, headers)
    assert response.status < 500
    assert response.status in (200, 404, 413)
    if response.status == 404:
        message = response.json()["message"]
        assert message.startswith("Resource not found")
        assert len(message) < 200


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.text(min_size=1, max_size=200).map(lambda p: "/" + p))
def test_any_path_gets_a_gateway_answer(shared_platform: tuple[Platform, str], path: str) -> None:
    platform, key = shared_platform
    response = run(
        platform, path, [(b"ocp-apim-subscription-key", key.encode()), (b"x-version", b"2")]
    )
    assert response.status < 500
    assert response.status in (200, 404, 405) or path.startswith(
        ("/health", "/ready", "/metrics", "/docs")
    )
