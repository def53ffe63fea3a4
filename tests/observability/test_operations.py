"""Health, readiness, metrics, logs and published OpenAPI documents."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from apprenticeships.app import Platform
from apprenticeships.settings import Settings
from tests import builders
from tests.conftest import PlatformFactory
from tests.support.asgi import call

ROUTES = "/vacancies/referencedata/courses/routes"


async def test_health_needs_no_key_and_no_database(make_settings: Callable[..., Settings]) -> None:
    platform = Platform(make_settings(database_url="postgresql://nobody@127.0.0.1:1/none"))
    response = await call(platform, "/health")
    assert response.status == 200
    assert response.json()["status"] == "ok"
    await platform.engine.dispose()


async def test_ready_reports_the_database_and_rate_limiting(platform: Platform) -> None:
    response = await call(platform, "/ready")
    assert response.status == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "not configured", "rateLimiting": "memory"},
    }


async def test_not_ready_without_a_database(make_settings: Callable[..., Settings]) -> None:
    platform = Platform(make_settings(database_url="postgresql://nobody@127.0.0.1:1/none"))
    response = await call(platform, "/ready")
    assert response.status == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"].startswith("unreachable")
    assert "nobody" not in response.body.decode()
    await platform.engine.dispose()


async def test_ready_but_degraded_while_redis_is_unreachable(
    platform_factory: PlatformFactory,
) -> None:
    async with platform_factory(redis_url="redis://127.0.0.1:1/0") as platform:
        key = await builders.developer_key(platform)
        served = await call(
            platform, ROUTES, [(b"ocp-apim-subscription-key", key.encode()), (b"x-version", b"2")]
        )
        assert served.status == 200
        response = await call(platform, "/ready")
        assert response.status == 200
        body = response.json()
        assert body["status"] == "degraded"
        assert body["checks"]["redis"].startswith("unreachable")
        assert body["checks"]["rateLimiting"] == "memory-fallback"
        metrics = (await call(platform, "/metrics")).body.decode()
        assert "apprenticeships_rate_limit_backend_up 0.0" in metrics
        assert "apprenticeships_rate_limit_fallbacks_total 1.0" in metrics


async def test_metrics_count_requests_429s_and_key_cache(platform_factory: PlatformFactory) -> None:
    async with platform_factory(rate_limit="2/300") as platform:
        key = await builders.developer_key(platform)
        headers = [(b"ocp-apim-subscription-key", key.encode()), (b"x-version", b"2")]
        for _ in range(3):
            await call(platform, ROUTES, headers)
        await call(platform, ROUTES, [(b"ocp-apim-subscription-key", b"bad"), (b"x-version", b"2")])
        response = await call(platform, "/metrics")
    assert response.status == 200
    assert response.header(
        "content-type",
    ).startswith("text/plain")  # type: ignore[union-attr]
    text = response.body.decode()
    assert (
        'apprenticeships_requests_total{environment="live",product="display-advert",status="200",version="2"} 2.0'
        in text
    )
    assert (
        'apprenticeships_requests_total{environment="live",product="display-advert",status="429",version="2"} 1.0'
        in text
    )
    assert (
        'apprenticeships_requests_total{environment="live",product="display-advert",status="401",version="none"} 1.0'
        in text
    )
    assert 'apprenticeships_rate_limited_total{product="display-advert"} 1.0' in text
    assert 'apprenticeships_key_cache_lookups_total{result="hit"} 2.0' in text
    assert 'apprenticeships_key_cache_lookups_total{result="miss"} 1.0' in text
    assert 'apprenticeships_request_duration_seconds_count{product="display-advert"} 4.0' in text
    assert "apprenticeships_rate_limit_backend_up 1.0" in text


async def test_access_log_is_json_with_ids_and_never_the_key(
    platform_factory: PlatformFactory, capfd: pytest.CaptureFixture[str]
) -> None:
    async with platform_factory(access_log=True) as platform:
        email = await builders.create_developer(platform.sessions)
        issued = await builders.issue_key(
            platform.sessions, platform.secret_key, f"developer:{email}"
        )
        capfd.readouterr()
        await call(
            platform,
            ROUTES,
            [
                (b"ocp-apim-subscription-key", issued.secret.encode()),
                (b"x-version", b"2"),
                (b"x-request-id", b"req-42"),
            ],
        )
        await call(platform, ROUTES, [(b"ocp-apim-subscription-key", issued.secret[:-2].encode())])
    output = capfd.readouterr().out
    assert issued.secret not in output
    assert issued.secret[:-2] not in output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    requests: list[dict[str, Any]] = [line for line in lines if line.get("event") == "request"]
    assert len(requests) == 2
    served = requests[0]
    assert served["request_id"] == "req-42"
    assert (served["status"], served["product"], served["version"], served["environment"]) == (
        200,
        "display-advert",
        2,
        "live",
    )
    assert served["key_id"] == issued.key_id
    assert isinstance(served["subscription_id"], int)
    assert served["latency_ms"] >= 0
    assert requests[1]["status"] == 401
    assert requests[1]["key_id"] is None


@pytest.mark.parametrize("version", [1, 2])
async def test_openapi_documents_declare_key_version_and_gateway_errors(
    platform: Platform, version: int
) -> None:
    response = await call(platform, f"/docs/display-advert/v{version}/openapi.json")
    assert response.status == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["version"] == str(version)
    assert document["components"]["securitySchemes"]["SubscriptionKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Ocp-Apim-Subscription-Key",
        "description": "Your API key for this product and environment.",
    }
    assert [s["url"] for s in document["servers"]] == [
        "http://127.0.0.1:8000",
        "http://127.0.0.1:8000/sandbox",
    ]
    for path in ("/vacancies/referencedata/courses", "/vacancies/referencedata/courses/routes"):
        operation = document["paths"][path]["get"]
        assert operation["parameters"][0]["name"] == "X-Version"
        assert operation["parameters"][0]["schema"]["enum"] == [str(version)]
        assert {"200", "401", "404", "429"} <= set(operation["responses"])
    schemas = document["components"]["schemas"]
    assert set(schemas["TrainingCourse"]["properties"]) == {
        "larsCode",
        "title",
        "level",
        "route",
        "type",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/docs/display-advert/v9/openapi.json",
        "/docs/nothing/v1/openapi.json",
        "/docs/display-advert/v02/openapi.json",
    ],
)
async def test_unknown_documents_are_404(platform: Platform, path: str) -> None:
    response = await call(platform, path)
    assert (response.status, response.json()) == (
        404,
        {"statusCode": 404, "message": "Resource not found"},
    )


@pytest.mark.parametrize(
    "path",
    [
        "/docs/display-advert/v1/openapi.json",
        "/docs/display-advert/v2/openapi.json",
        "/docs/recruitment/v1/openapi.json",
        "/docs/track-progress/v1/openapi.json",
    ],
)
async def test_published_documents_are_valid_openapi_3_1(platform: Platform, path: str) -> None:
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator

    document = (await call(platform, path)).json()
    validate(document, cls=OpenAPIV31SpecValidator)  # raises with the first problem
