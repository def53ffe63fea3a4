"""The gateway: every API request passes these checks, in this order, before product code.

1. a product owns the path (else 404), 2. the key is an active key of that product and
environment (else 401), 3. the X-Version header names a live version (else 404),
4. the subscription is within its rate limit (else 429). Steps 1-3 are not counted
against the limit. Every request that got past step 2 is counted in its key's usage
(``gateway/usage.py``), whatever its answer.

It is plain ASGI and writes its own responses: exception handlers live inside the
product apps, so raising from here would not reach them.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apprenticeships.catalog.products import Environment, Product
from apprenticeships.gateway import responses
from apprenticeships.gateway.context import (
    REQUEST_ID_SCOPE_KEY,
    SCOPE_KEY,
    RequestBodyTooLarge,
    SubscriptionContext,
)
from apprenticeships.gateway.keycache import KeyCache
from apprenticeships.gateway.ratelimit import Decision, RateLimiter
from apprenticeships.gateway.requestid import HEADER as HEADER_REQUEST_ID
from apprenticeships.gateway.requestid import new_request_id
from apprenticeships.gateway.usage import UsageRecorder
from apprenticeships.gateway.versions import Headers, Refused, VersionTable
from apprenticeships.keys import tokens
from apprenticeships.keys.snapshot import KeySnapshot
from apprenticeships.observability.accesslog import AccessLog
from apprenticeships.observability.metrics import Metrics
from apprenticeships.settings import RateLimitRule

log = structlog.get_logger("apprenticeships.gateway")

SANDBOX_PREFIX = "/sandbox"
_HEADER_KEY = b"ocp-apim-subscription-key"
_HEADER_VERSION = b"x-version"
_HEADER_LENGTH = b"content-length"
_HEADER_HOST = b"host"
# Headers a client must not be able to forge towards an upstream.
_FORGEABLE_PREFIX = b"x-request-context-"
# Requests of other methods that come without a Content-Length have their body counted
# as it is read, and stopped at the limit.
_BODILESS_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "DELETE"))


class _Request(NamedTuple):
    key: str | None
    version: str | None
    content_length: int | None
    host: str
    request_id: bytes | None
    # Everything product code may see: not the key, not forgeable context headers.
    forwarded: list[tuple[bytes, bytes]]


def _read_headers(raw: Iterable[tuple[bytes, bytes]]) -> _Request:
    """One pass over the headers: what the gateway needs, and what it passes on."""
    key = version = None
    length: int | None = None
    host = ""
    request_id = None
    forwarded = []
    for header in raw:
        name, value = header
        name = name.lower()
        if name == _HEADER_KEY:
            if key is None:
                key = value.decode("latin-1").strip(" \t")  # HTTP whitespace only
            continue
        if name.startswith(_FORGEABLE_PREFIX):
            continue
        forwarded.append(header)
        if name == _HEADER_VERSION:
            if version is None:
                version = value.decode("latin-1").strip(" \t")
        elif name == _HEADER_LENGTH:
            text = value.strip()
            length = int(text) if text.isdigit() and len(text) < 19 else -1
        elif name == _HEADER_HOST:
            host = value.decode("latin-1").rsplit(":", 1)[0].strip().lower()
        elif name == HEADER_REQUEST_ID:
            request_id = value
    # An empty header is the same as no header, for the key and the version alike.
    return _Request(key or None, version or None, length, host, request_id, forwarded)


class Gateway:
    def __init__(
        self,
        *,
        products: Iterable[Product],
        apps: Mapping[tuple[str, int], ASGIApp],
        key_cache: KeyCache,
        limiter: RateLimiter,
        versions: VersionTable,
        usage: UsageRecorder,
        metrics: Metrics,
        secret_key: bytes,
        sandbox_hosts: frozenset[str],
        max_body_bytes: int,
        access_log: AccessLog | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # Product paths are one segment ("/vacancies"), so the first segment finds them.
        self._products = {p.path.strip("/"): p for p in products}
        assert all("/" not in segment for segment in self._products)
        self._apps = apps
        self._key_cache = key_cache
        self._limiter = limiter
        self._versions = versions
        self._usage = usage
        self._metrics = metrics
        self._hasher = tokens.KeyHasher(secret_key)
        self._sandbox_hosts = sandbox_hosts
        self._max_body = max_body_bytes
        self.access_log = access_log
        self._clock = clock

    def _match(self, path: str) -> Product | None:
        end = path.find("/", 1)
        return self._products.get(path[1:] if end < 0 else path[1:end])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        outcome = _Outcome()
        request = _read_headers(scope["headers"])
        request_id = new_request_id(request.request_id)
        scope[REQUEST_ID_SCOPE_KEY] = request_id
        id_header = (HEADER_REQUEST_ID, request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome.status = message["status"]
                # The message is this response's own, made by the app for this send.
                message["headers"] = [*message.get("headers", ()), id_header, *outcome.extra]
            await send(message)

        try:
            admitted = await self._admit(scope["path"], request, outcome)
            if isinstance(admitted, _Refusal):
                await responses.send_gateway_error(send_with_id, *admitted)
            else:
                await self._forward(admitted, scope, request, receive, send_with_id, outcome)
        except Exception:
            # A product app's handler has already logged and answered its own errors.
            if outcome.status is None:
                log.exception("unhandled_error", request_id=request_id, path=scope.get("path"))
                await responses.send_gateway_error(
                    send_with_id, 500, f"Internal server error. Trace id: {request_id}."
                )
        finally:
            self._observe(scope, request_id, outcome, time.perf_counter() - started)

    async def _admit(self, path: str, request: _Request, outcome: _Outcome) -> _Admitted | _Refusal:
        """Steps 1 to 4, in order: the caller admitted, or the gateway's answer."""
        environment, path = self._environment(path, request.host)
        outcome.environment = environment

        # 1. Which product?
        product = self._match(path)
        if product is None:
            return _NOT_FOUND
        outcome.product = product.id

        # 2. Whose key? (never from the query string)
        if request.key is None:
            return _MISSING_KEY
        snapshot = await self._authenticate(request.key, product, environment)
        if snapshot is None:
            return _INVALID_KEY
        outcome.snapshot = snapshot

        # 3. Which version? Refusals from here on carry the rate-limit state, uncounted.
        now = self._clock()
        resolution = self._versions.resolve(product, request.version, now)
        if isinstance(resolution, Refused):
            return await self._refuse_uncounted(
                snapshot, 404, resolution.message, resolution.headers
            )
        outcome.version = resolution.version
        if request.content_length is not None and (
            request.content_length < 0 or request.content_length > self._max_body
        ):
            message = responses.body_too_large_message(self._max_body)
            return await self._refuse_uncounted(snapshot, 413, message, resolution.headers)

        # 4. Within the limit? Counted from here on, refused or not.
        decision = await self._limiter.hit(str(snapshot.subscription_id), snapshot.rate_limit)
        limit_headers = _limit_headers(snapshot, decision)
        if not decision.allowed:
            retry_after = (b"retry-after", str(decision.reset).encode())
            return _Refusal(
                429,
                responses.too_many_requests_message(decision.reset),
                (*resolution.headers, retry_after, *limit_headers),
            )
        context = SubscriptionContext(
            owner_kind=snapshot.owner_kind,
            owner_id=snapshot.owner_id,
            product_id=product.id,
            environment=environment,
            subscription_id=snapshot.subscription_id,
            key_id=snapshot.key_id,
            version=resolution.version,
        )
        return _Admitted(path, context, (*resolution.headers, *limit_headers))

    def _environment(self, path: str, host: str) -> tuple[Environment, str]:
        """The environment a request is for, and its path without the sandbox prefix."""
        if path == SANDBOX_PREFIX or path.startswith(SANDBOX_PREFIX + "/"):
            return Environment.SANDBOX, path[len(SANDBOX_PREFIX) :]
        if host and host in self._sandbox_hosts:
            return Environment.SANDBOX, path
        return Environment.LIVE, path

    async def _refuse_uncounted(
        self, snapshot: KeySnapshot, status: int, message: str, headers: Headers
    ) -> _Refusal:
        """A refusal after the key check: it shows the rate limit but does not count."""
        decision = await self._limiter.peek(str(snapshot.subscription_id), snapshot.rate_limit)
        return _Refusal(status, message, (*headers, *_limit_headers(snapshot, decision)))

    async def _forward(
        self,
        admitted: _Admitted,
        scope: Scope,
        request: _Request,
        receive: Receive,
        send: Send,
        outcome: _Outcome,
    ) -> None:
        """5. Product code, with the caller in the scope in place of the key."""
        context = admitted.context
        app = self._apps.get((context.product_id, context.version))
        if app is None:
            await responses.send_gateway_error(
                send, 404, responses.RESOURCE_NOT_FOUND, admitted.headers
            )
            return
        # The scope is this request's own (the server makes one per request).
        scope["path"] = admitted.path
        scope["raw_path"] = admitted.path.encode()
        scope["headers"] = request.forwarded
        scope[SCOPE_KEY] = context
        # A router in front of the gateway leaves itself here; the product app routes the
        # request (and would build its URLs) with its own.
        scope.pop("router", None)
        outcome.extra = admitted.headers
        if request.content_length is None and scope["method"] not in _BODILESS_METHODS:
            receive = _limited_receive(receive, self._max_body)
        try:
            await app(scope, receive, send)
        except RequestBodyTooLarge:
            if outcome.status is None:
                await responses.send_gateway_error(
                    send, 413, responses.body_too_large_message(self._max_body)
                )

    async def _authenticate(
        self, key: str, product: Product, environment: Environment
    ) -> KeySnapshot | None:
        if len(key) not in tokens.KEY_LENGTHS:
            return None
        key_hash = self._hasher.hash(key)
        snapshot = self._key_cache.known(key_hash)
        if snapshot is None:
            # Malformed keys and keys for the other environment never reach the store.
            if tokens.environment_of(key) is not environment:
                return None
            snapshot = await self._key_cache.get(key_hash)
        if (
            snapshot is None
            or snapshot.product_id != product.id
            or snapshot.environment is not environment
            or (snapshot.expires_at is not None and snapshot.expires_at <= self._clock())
        ):
            return None
        return snapshot

    def _observe(self, scope: Scope, request_id: str, outcome: _Outcome, elapsed: float) -> None:
        status = outcome.status or 500
        snapshot = outcome.snapshot
        if snapshot is not None:
            # Every request that resolved to a key, whatever its answer (429s too).
            self._usage.record(snapshot.key_id, self._clock(), status)
        version = str(outcome.version) if outcome.version is not None else "none"
        self._metrics.observe_request(
            outcome.product or "none", version, outcome.environment, str(status), elapsed
        )
        if self.access_log is not None:
            self.access_log.write(
                request_id,
                scope["method"],
                scope["path"],
                outcome.product,
                outcome.version,
                outcome.environment,
                snapshot.subscription_id if snapshot else None,
                snapshot.key_id if snapshot else None,
                status,
                elapsed,
            )


class _Outcome:
    __slots__ = ("environment", "extra", "product", "snapshot", "status", "version")

    def __init__(self) -> None:
        # Headers the product's responses get (versions, rate limits), once admitted.
        self.extra: Headers = ()
        self.environment: str = Environment.LIVE
        self.product: str | None = None
        self.version: int | None = None
        self.status: int | None = None
        self.snapshot: KeySnapshot | None = None


class _Refusal(NamedTuple):
    """The gateway's own answer: ``send_gateway_error``'s arguments."""

    status: int
    message: str
    headers: Headers = ()


_NOT_FOUND = _Refusal(404, responses.RESOURCE_NOT_FOUND)
_MISSING_KEY = _Refusal(401, responses.MISSING_KEY)
_INVALID_KEY = _Refusal(401, responses.INVALID_KEY)


class _Admitted(NamedTuple):
    path: str  # without the sandbox prefix, as the product apps route it
    context: SubscriptionContext
    # Headers every response to the request carries (versions, rate limits).
    headers: Headers


@functools.lru_cache(maxsize=1024)
def _policy_header(rule: RateLimitRule) -> tuple[bytes, bytes]:
    return (b"ratelimit-policy", f'"default";q={rule.calls};w={rule.seconds}'.encode())


def _limit_headers(snapshot: KeySnapshot, decision: Decision) -> Headers:
    return (
        _policy_header(snapshot.rate_limit),
        (b"ratelimit", f'"default";r={decision.remaining};t={decision.reset}'.encode()),
    )


def _limited_receive(receive: Receive, limit: int) -> Receive:
    """For bodies sent without a length: stop reading once they pass the limit."""
    received = 0

    async def limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise RequestBodyTooLarge(limit)
        return message

    return limited
