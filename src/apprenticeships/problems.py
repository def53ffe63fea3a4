"""Product errors: RFC 9457 problem bodies in the shape the real APIs (ASP.NET) send.

One base class carries status and title; one handler turns it into a response. Anything
unexpected becomes a logged 500 with a trace id, never a stack trace.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

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


class ProblemError(Exception):
    """Raise from product code for an expected failure the caller should see."""

    status = 400

    def __init__(
        self, detail: str | None = None, errors: Mapping[str, Sequence[str]] | None = None
    ):
        super().__init__(detail or TITLES.get(self.status, ""))
        self.detail = detail
        self.errors = dict(errors) if errors else None


class BadRequest(ProblemError):
    status = 400


class Forbidden(ProblemError):
    status = 403


class NotFound(ProblemError):
    status = 404


class EmptyNotFound(Exception):
    """A 404 with no body at all (the Track progress API's answer for an apprenticeship
    the caller cannot see, whether or not it exists)."""


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    error: str
    description: str


class ListedProblem(Exception):
    """A 400 whose problems are a list of ``{error, description}`` (the Track progress
    API's shape): ``{"title", "status": 400, "errors": [...]}``. A problem with a single
    message has it as the title and no errors."""

    def __init__(self, title: str, errors: Sequence[ErrorDetail] = ()) -> None:
        super().__init__(title)
        self.title = title
        self.errors = list(errors)


def problem_response(
    request: Request,
    status: int,
    *,
    detail: str | None = None,
    errors: Mapping[str, Sequence[str]] | None = None,
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
    body["traceId"] = str(request.scope.get(REQUEST_ID_SCOPE_KEY, ""))
    return Response(json.dumps(body).encode(), status_code=status, media_type=PROBLEM_JSON)


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


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, error: Exception) -> Response:
        assert isinstance(error, ProblemError)
        return problem_response(request, error.status, detail=error.detail, errors=error.errors)

    async def on_validation(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return problem_response(request, 400, errors=_validation_errors(error))

    async def on_http(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if error.status_code in (404, 405):
            # No operation of this version matches: the gateway's own "Resource not found".
            content = responses.body(404, responses.RESOURCE_NOT_FOUND)
            return Response(content, status_code=404, media_type="application/json; charset=utf-8")
        return problem_response(request, error.status_code, detail=str(error.detail))

    async def on_too_large(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestBodyTooLarge)
        content = responses.body(413, responses.body_too_large_message(error.limit))
        return Response(content, status_code=413, media_type="application/json; charset=utf-8")

    async def on_listed(request: Request, error: Exception) -> Response:
        assert isinstance(error, ListedProblem)
        body = {
            "title": error.title,
            "status": 400,
            "errors": [{"error": e.error, "description": e.description} for e in error.errors],
            "traceId": str(request.scope.get(REQUEST_ID_SCOPE_KEY, "")),
        }
        return Response(json.dumps(body).encode(), status_code=400, media_type=PROBLEM_JSON)

    async def on_empty_not_found(request: Request, error: Exception) -> Response:
        return Response(b"", status_code=404)

    async def on_unexpected(request: Request, error: Exception) -> Response:
        log.exception(
            "unhandled_error",
            request_id=request.scope.get(REQUEST_ID_SCOPE_KEY),
            path=request.url.path,
        )
        return problem_response(request, 500)

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(ListedProblem, on_listed)
    app.add_exception_handler(EmptyNotFound, on_empty_not_found)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestBodyTooLarge, on_too_large)
    app.add_exception_handler(Exception, on_unexpected)
