"""The product APIs' edge for errors: RFC 9457 problem bodies in the shapes the real
APIs (ASP.NET) send.

Services raise domain errors (``errors.py``); one handler per product app turns them into
that product's shape (``ErrorShape``): ASP.NET's problem details by default
(``problem_details``), or the product's own (Track progress lists its problems, see
``progress/endpoints.py``). Request parsing errors, unknown routes and over-large bodies
have handlers of their own here. Anything unexpected becomes a logged 500 with a trace
id, never a stack trace.

A body's ``traceId`` is the request id (``X-Request-Id``) by default; a product whose
clients read it in ASP.NET's own form gets ``activity_id`` (see ``TraceId``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from apprenticeships.errors import (
    Conflict,
    DomainError,
    FieldProblem,
    Forbidden,
    InvalidInput,
    NotFound,
)
from apprenticeships.gateway import responses
from apprenticeships.gateway.context import REQUEST_ID_SCOPE_KEY, RequestBodyTooLarge

log = structlog.get_logger("apprenticeships.errors")

PROBLEM_JSON = "application/problem+json; charset=utf-8"
TYPES = {
    400: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
    403: "https://tools.ietf.org/html/rfc9110#section-15.5.4",
    404: "https://tools.ietf.org/html/rfc9110#section-15.5.5",
    409: "https://tools.ietf.org/html/rfc9110#section-15.5.10",
    500: "https://tools.ietf.org/html/rfc9110#section-15.6.1",
}
TITLES = {
    400: "One or more validation errors occurred.",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "An error occurred while processing your request.",
}


# How a product writes the ``traceId`` of its problem bodies.
TraceId = Callable[[Request], str]

_W3C_TRACE_ID = re.compile(r"[0-9a-f]{32}")


def request_id(request: Request) -> str:
    """The request's id, as every response's ``X-Request-Id`` carries it."""
    return str(request.scope.get(REQUEST_ID_SCOPE_KEY, ""))


def activity_id(request: Request) -> str:
    """The request's id in the form ASP.NET writes ``traceId`` (its ``Activity.Id``, a
    W3C trace parent: ``00-<32 hex trace id>-<16 hex span id>-00``). The trace id is the
    ``X-Request-Id`` when that is 32 lower-case hex digits, as the ids the platform makes
    are; otherwise it, like the span id, is a digest of the request id, so the id in the
    logs always finds the response."""
    rid = request_id(request)
    digest = hashlib.sha256(rid.encode()).hexdigest()
    trace = rid if _W3C_TRACE_ID.fullmatch(rid) and rid.strip("0") else digest[:32]
    return f"00-{trace}-{digest[32:48]}-00"


def problem_response(
    request: Request,
    status: int,
    *,
    detail: str | None = None,
    errors: Mapping[str, Sequence[str]] | None = None,
    trace_id: str | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPES.get(status, TYPES[400]),
        "title": TITLES.get(status, "Error"),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = {k: list(v) for k, v in errors.items()}
    body["traceId"] = activity_id(request) if trace_id is None else trace_id
    return Response(json.dumps(body).encode(), status_code=status, media_type=PROBLEM_JSON)


def listed_problem(title: str, problems: Sequence[FieldProblem]) -> Response:
    """A 400 whose problems are a list of ``{error, description}`` (the Track progress
    API's shape): ``{"title", "status": 400, "errors": [...]}``. The real API returns a
    ``ProblemDetails`` it builds itself in a ``BadRequestObjectResult``, which ASP.NET
    writes as it is: no ``type`` and no ``traceId``."""
    body = {
        "title": title,
        "status": 400,
        "errors": [{"error": p.field, "description": p.message} for p in problems],
    }
    return Response(json.dumps(body).encode(), status_code=400, media_type=PROBLEM_JSON)


# How a product answers a domain error.
ErrorShape = Callable[[Request, DomainError], Response]

# Kinds not listed here (the base, or a kind added later) are a 400.
_STATUSES: tuple[tuple[type[DomainError], int], ...] = (
    (InvalidInput, 400),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
)


def problem_details(
    request: Request, error: DomainError, *, trace_id: str | None = None
) -> Response:
    """ASP.NET's answers, as the Display advert and Recruitment APIs give them: bad input
    is a validation problem with every problem keyed by field; otherwise the status says
    the kind and the message, if any, is the ``detail``. ``trace_id`` as for
    ``problem_response``."""
    if isinstance(error, InvalidInput) and error.problems:
        return problem_response(request, 400, errors=error.grouped(), trace_id=trace_id)
    if isinstance(error, Conflict) and error.field is not None:
        # ASP.NET validators report a clash with stored data as a broken rule on the
        # field at fault (the Recruitment API's reused id), not as a 409.
        return problem_response(request, 400, errors={error.field: [str(error)]}, trace_id=trace_id)
    status = next((s for kind, s in _STATUSES if isinstance(error, kind)), 400)
    if status == 403:
        # The real APIs answer a refusal with a bare StatusCodeResult(403), which ASP.NET
        # writes as a problem with no detail: saying why would tell a caller about others.
        return problem_response(request, 403, trace_id=trace_id)
    return problem_response(request, status, detail=error.message or None, trace_id=trace_id)


def _validation_errors(error: RequestValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in error.errors():
        location = [
            str(part)
            for part in item.get("loc", ())
            if part not in ("query", "path", "header", "body")
        ]
        field = ".".join(location) or "request"
        if item.get("type") == "json_invalid":
            field = "$"
        errors.setdefault(field, []).append(str(item.get("msg", "is not valid")))
    return errors


def install_problem_handlers(
    app: FastAPI, shape: ErrorShape = problem_details, trace_id: TraceId = activity_id
) -> None:
    """Answer domain errors in ``shape``, and everything else a product app may meet,
    with ``trace_id``'s ``traceId`` (``shape`` writes its own)."""

    async def on_domain_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, DomainError)
        return shape(request, error)

    async def on_validation(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return problem_response(
            request, 400, errors=_validation_errors(error), trace_id=trace_id(request)
        )

    async def on_http(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if error.status_code in (404, 405):
            # No operation of this version matches: the gateway's own "Resource not found".
            content = responses.body(404, responses.RESOURCE_NOT_FOUND)
            return Response(content, status_code=404, media_type="application/json; charset=utf-8")
        return problem_response(
            request, error.status_code, detail=str(error.detail), trace_id=trace_id(request)
        )

    async def on_too_large(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestBodyTooLarge)
        content = responses.body(413, responses.body_too_large_message(error.limit))
        return Response(content, status_code=413, media_type="application/json; charset=utf-8")

    async def on_unexpected(request: Request, error: Exception) -> Response:
        log.exception(
            "unhandled_error",
            request_id=request.scope.get(REQUEST_ID_SCOPE_KEY),
            path=request.url.path,
        )
        return problem_response(request, 500, trace_id=trace_id(request))

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestBodyTooLarge, on_too_large)
    app.add_exception_handler(Exception, on_unexpected)
