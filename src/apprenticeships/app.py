"""The platform as one ASGI application: operations endpoints, docs, and the gateway in
front of the product APIs.

``create_app(settings)`` builds everything without connecting to anything; the lifespan
(or ``Platform.running()`` in tests) connects, loads the caches and starts the
background work, and closes it all again.

Paths: ``/health``, ``/ready``, ``/metrics``, ``/docs`` (the documentation site and the
OpenAPI documents), ``/portal``, ``/assets`` and ``/apprenticeship/...`` (the public
advert pages) are the platform's own;
every other path goes to the gateway, which answers unknown ones itself. Nothing
redirects: a near-miss path (a trailing slash) is a 404, since a redirect would drop the
``/sandbox`` prefix and echo the client's ``Host``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route, Router, request_response
from starlette.types import ASGIApp, Receive, Scope, Send

from apprenticeships import __version__
from apprenticeships.accounts.housekeeping import prune_accounts
from apprenticeships.accounts.sessions import session_store
from apprenticeships.advertpages.site import AdvertPages, advert_environment
from apprenticeships.apis import build_product_apps
from apprenticeships.background import Stopping, stop_all
from apprenticeships.catalog.products import PRODUCTS, Product
from apprenticeships.catalog.service import CatalogService
from apprenticeships.dependencies import ProductState
from apprenticeships.docs.openapi import OpenApiDocuments
from apprenticeships.docs.site import DocsSite, docs_environment
from apprenticeships.gateway.invalidation import CacheEventPoller
from apprenticeships.gateway.keycache import KeyCache
from apprenticeships.gateway.middleware import Gateway
from apprenticeships.gateway.ratelimit import (
    FallbackRateLimiter,
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
)
from apprenticeships.gateway.redisclient import PipelinedRedis
from apprenticeships.gateway.requestid import RequestId
from apprenticeships.gateway.usage import UsageRecorder
from apprenticeships.gateway.versions import VersionTable
from apprenticeships.geo.service import Geocoder, shipped_districts
from apprenticeships.keys.service import KeyService
from apprenticeships.keys.snapshot import KeySnapshot
from apprenticeships.mail.delivery import MailWorker
from apprenticeships.mail.senders import sender_from_settings
from apprenticeships.observability.accesslog import AccessLog
from apprenticeships.observability.logs import configure_logging
from apprenticeships.observability.metrics import Metrics
from apprenticeships.portal.assets import assets_app, check_frontend, frontend_dir
from apprenticeships.portal.security import SecurityHeaders
from apprenticeships.portal.site import PortalSite
from apprenticeships.portal.templating import Pages
from apprenticeships.referencedata.service import ReferenceDataCache
from apprenticeships.settings import Settings
from apprenticeships.storage import migrate
from apprenticeships.storage.engine import create_engine, session_factory, unit_of_work
from apprenticeships.storage.events import EventKind
from apprenticeships.vacancies.index import VacancyIndexes

log = structlog.get_logger("apprenticeships.app")

JSON = "application/json; charset=utf-8"
HOUSEKEEPING_SECONDS = 3600.0


class DatabaseNotReadyError(RuntimeError):
    pass


class Platform:
    def __init__(
        self,
        settings: Settings,
        products: tuple[Product, ...] = PRODUCTS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        # The gateway's own clocks, which tests drive: seconds since the epoch (key
        # expiry, version sunsets) and monotonic seconds (rate-limit windows, key cache).
        epoch_clock: Callable[[], float] = time.time,
        monotonic_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.products = products
        self.secret_key = settings.resolved_secret_key()
        self.engine = create_engine(settings.async_database_url)
        self.sessions = session_factory(self.engine)
        self.metrics = Metrics()
        self.redis: Redis | None = None
        self.rate_limit_redis: PipelinedRedis | None = None
        self.limiter: RateLimiter
        if settings.redis_url:
            # redis-py for readiness checks; the hot path has its own pipelined connection.
            self.redis = Redis.from_url(
                settings.redis_url,
                socket_timeout=0.5,
                socket_connect_timeout=0.5,
                retry=Retry(NoBackoff(), 1),
                max_connections=4,
            )
            self.rate_limit_redis = PipelinedRedis(settings.redis_url)
            self.limiter = FallbackRateLimiter(
                RedisRateLimiter(self.rate_limit_redis, settings.redis_prefix),
                MemoryRateLimiter(monotonic_clock),
                on_state_change=self.metrics.rate_limit_backend_changed,
                concurrency=settings.redis_max_in_flight,
                clock=monotonic_clock,
            )
        else:
            self.limiter = MemoryRateLimiter(monotonic_clock)
        self.key_cache = KeyCache(
            self._load_key,
            ttl=settings.key_cache_ttl_seconds,
            negative_ttl=settings.negative_cache_ttl_seconds,
            negative_size=settings.negative_cache_size,
            clock=monotonic_clock,
        )
        self.metrics.watch_key_cache(lambda: self.key_cache.stats)
        self.versions = VersionTable(products, settings.deprecation_months, settings.public_url)
        self.reference_data = ReferenceDataCache(self.sessions)
        self.vacancy_indexes = VacancyIndexes(self.sessions)
        self.usage = UsageRecorder(self.sessions, settings.usage_flush_seconds, clock)
        self.poller = CacheEventPoller(
            self.sessions,
            self.key_cache,
            {
                EventKind.CATALOG: self.reload_catalog,
                EventKind.REFERENCE_DATA: self.reference_data.reload,
                EventKind.VACANCIES: self.vacancy_indexes.request_reload,
            },
            settings.cache_poll_seconds,
        )
        self.geocoder = Geocoder(shipped_districts(), self.sessions)
        # -- email and account housekeeping (portal, issue 10) --
        # The outbox is delivered in the background, never in a request: the portal's
        # use cases only write to it (mail/). ``mail.wake()`` after a commit sends at once.
        self.mail = MailWorker(
            self.sessions, sender_from_settings(settings), settings.resolved_mail_from, clock=clock
        )
        self.product_apps = build_product_apps(
            products,
            ProductState(
                settings,
                self.sessions,
                clock,
                components={
                    ReferenceDataCache: self.reference_data,
                    VacancyIndexes: self.vacancy_indexes,
                    Geocoder: self.geocoder,
                },
            ),
        )
        self.gateway = Gateway(
            products=products,
            apps=self.product_apps,
            key_cache=self.key_cache,
            limiter=self.limiter,
            versions=self.versions,
            usage=self.usage,
            metrics=self.metrics,
            secret_key=self.secret_key,
            sandbox_hosts=settings.sandbox_hosts,
            max_body_bytes=settings.max_body_bytes,
            access_log=AccessLog() if settings.access_log else None,
            clock=epoch_clock,
        )
        self.frontend_dir = frontend_dir(settings.frontend_dir)
        self.portal_redis: Redis | None = None
        if settings.redis_url:
            self.portal_redis = Redis.from_url(
                settings.redis_url, socket_timeout=2, socket_connect_timeout=2
            )
        self.portal_site = PortalSite(
            settings=settings,
            sessions=self.sessions,
            store=session_store(
                self.sessions, self.portal_redis, settings.redis_prefix + "portal:"
            ),
            secret_key=self.secret_key,
            clock=clock,
            mail_sent=self.mail.wake,
        )
        self.portal: ASGIApp = RequestId(self.portal_site.app)
        self.documents = OpenApiDocuments(products, self.product_apps, settings.max_body_bytes)
        rate = settings.default_rate_limit
        self.docs: ASGIApp = RequestId(
            DocsSite(
                Pages(docs_environment()),
                self.documents,
                self.versions.statuses,
                clock,
                settings.public_url,
                (rate.calls, rate.seconds),
                settings.deprecation_months,
                # Try it calls the sandbox through the gateway, in-process.
                gateway=self.gateway,
                tokens=self.portal_site.portal.tokens,
            ).app()
        )
        self.advert_pages: ASGIApp = RequestId(
            AdvertPages(
                Pages(advert_environment()), self.sessions, clock, settings.public_url
            ).app()
        )
        # Measured: matching the four routes before the default costs an API request a
        # few microseconds, about 2% of its CPU time in process and not visible end to
        # end (issue 9); a path table by hand would save that and nothing else.
        self.router = Router(
            [
                _operation("/health", self._health),
                _operation("/ready", self._ready),
                _operation("/metrics", self._metrics),
                Route("/docs", _MountedRoot("/docs", self.docs)),
                Mount("/docs", app=self.docs),
                Route("/portal", _MountedRoot("/portal", self.portal)),
                Mount("/portal", app=self.portal),
                Mount("/assets", app=SecurityHeaders(assets_app(self.frontend_dir))),
                Mount("/apprenticeship", app=self.advert_pages),
            ],
            redirect_slashes=False,
            default=self.gateway,  # which adds the request id itself
            lifespan=self._lifespan,
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = Stopping()
        self.started = False

    # -- lifecycle ---------------------------------------------------------------------

    async def _load_key(self, key_hash: str) -> KeySnapshot | None:
        async with self.sessions() as session:
            return await KeyService(session, self.secret_key).snapshot(
                key_hash, self.settings.default_rate_limit, datetime.now(UTC)
            )

    async def reload_catalog(self) -> None:
        async with self.sessions() as session:
            self.versions.load(await CatalogService(session, self.products).releases())

    async def _check_schema(self) -> None:
        if not await migrate.is_installed(self.engine):
            raise DatabaseNotReadyError(
                "the database has no tables yet: run `apprenticeships db upgrade` first"
            )

    async def startup(self) -> None:
        await self._check_schema()
        check_frontend(self.frontend_dir)
        await self.reload_catalog()
        await self.reference_data.reload()
        await self.vacancy_indexes.reload()
        await self.poller.start_from_latest()
        self._stopping = stopping = Stopping()
        self._tasks = [
            asyncio.create_task(self.poller.run(stopping), name="cache-events"),
            asyncio.create_task(self.usage.run(stopping), name="key-usage"),
            asyncio.create_task(self.vacancy_indexes.run(stopping), name="vacancy-index"),
            asyncio.create_task(self.mail.run(stopping), name="mail"),
            asyncio.create_task(self.portal_site.housekeeping(stopping), name="portal-sessions"),
            asyncio.create_task(self._housekeeping(stopping), name="accounts-housekeeping"),
        ]
        self.started = True
        # Everything built so far lives as long as the process: keep it out of the cyclic
        # garbage collector's full passes, which otherwise pause requests for tens of ms.
        gc.freeze()

    async def _housekeeping(self, stopping: Stopping) -> None:
        """Hourly: forget sign-in failures, emailed links and sent email nobody needs."""
        while not stopping.asked:
            try:
                async with unit_of_work(self.sessions) as session:
                    await prune_accounts(session, self.clock())
            except Exception:  # the database is away: next hour
                log.exception("housekeeping_failed")
            await stopping.pause(HOUSEKEEPING_SECONDS)

    async def shutdown(self) -> None:
        await stop_all(self._stopping, self._tasks)
        self._tasks = []
        await self.usage.flush()
        if self.gateway.access_log is not None:
            self.gateway.access_log.flush()
        if self.rate_limit_redis is not None:
            await self.rate_limit_redis.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        if self.portal_redis is not None:
            await self.portal_redis.aclose()
        await self.engine.dispose()
        self.started = False

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Platform]:
        await self.startup()
        try:
            yield self
        finally:
            await self.shutdown()

    @asynccontextmanager
    async def _lifespan(self, app: object) -> AsyncIterator[None]:
        """The ASGI lifespan. The router reports a failure to the server (with the
        traceback), which then stops; the log gets the traceback too."""
        try:
            await self.startup()
        except Exception:
            log.exception("startup_failed")
            raise
        try:
            yield
        finally:
            try:
                await self.shutdown()
            except Exception:
                log.exception("shutdown_failed")
                raise

    # -- requests ----------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # No WebSockets here: closed before routing, as the gateway speaks only HTTP.
            await send({"type": "websocket.close", "code": 1008})
            return
        await self.router(scope, receive, send)

    async def _health(self, request: Request) -> Response:
        return _no_store(200, json.dumps({"status": "ok", "version": __version__}).encode(), JSON)

    async def _ready(self, request: Request) -> Response:
        """Ready when the database answers. Redis being down does not make the platform
        unready (it keeps serving with per-process limits) but is reported here."""
        checks: dict[str, Any] = {}
        ready = True
        try:
            async with asyncio.timeout(2):
                async with self.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as error:
            checks["database"] = f"unreachable: {type(error).__name__}"
            ready = False
        if self.redis is None:
            checks["redis"] = "not configured"
            checks["rateLimiting"] = "memory"
        else:
            try:
                async with asyncio.timeout(1):
                    await self.redis.ping()
                checks["redis"] = "ok"
            except Exception as error:
                checks["redis"] = f"unreachable: {type(error).__name__}"
            checks["rateLimiting"] = self.limiter.backend
        status = "ready" if ready else "not ready"
        if ready and checks.get("redis", "ok") not in ("ok", "not configured"):
            status = "degraded"
        body = {"status": status, "checks": checks}
        return _no_store(200 if ready else 503, json.dumps(body).encode(), JSON)

    async def _metrics(self, request: Request) -> Response:
        return _no_store(200, self.metrics.render(), "text/plain; version=0.0.4; charset=utf-8")


def _operation(path: str, endpoint: Callable[[Request], Awaitable[Response]]) -> Route:
    """An operations endpoint with a request id. It answers every method: given a
    function, Route would refuse other methods with a 405 of its own, before the request
    id wrapper, so that response would go out without ``X-Request-Id``."""
    app: ASGIApp = RequestId(request_response(endpoint))
    return Route(path, app)


class _MountedRoot:
    """``/portal`` itself, answered by the app mounted at ``/portal`` as its ``/`` (a
    Mount matches only paths under its prefix, and nothing here redirects)."""

    def __init__(self, prefix: str, app: ASGIApp) -> None:
        self.prefix = prefix
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        inner = {**scope, "path": self.prefix + "/", "root_path": self.prefix}
        await self.app(inner, receive, send)


def _no_store(status: int, content: bytes, media_type: str) -> Response:
    return Response(
        content, status_code=status, media_type=media_type, headers={"cache-control": "no-store"}
    )


def create_app(settings: Settings | None = None) -> Platform:
    settings = settings or Settings()
    configure_logging(settings.log_level)
    return Platform(settings)
