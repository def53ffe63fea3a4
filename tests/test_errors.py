"""Every kind of domain error, at every edge: the product APIs' bodies (each product's
own shape), and the CLI's one ``error:`` line. None of them is ever a 500."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from apprenticeships.app import Platform
from apprenticeships.errors import (
    Conflict,
    DomainError,
    FieldProblem,
    Forbidden,
    InvalidInput,
    NotFound,
    OperationError,
)
from apprenticeships.progress.service import NoSuchApprenticeship
from apprenticeships.recruitment import messages as m
from apprenticeships.recruitment.review import ReviewService
from apprenticeships.recruitment.service import AlreadySubmitted
from tests import builders
from tests.support.asgi import call
from tests.support.cli import Run, cli_runner
from tests.support.responses import RawResponse

PROBLEM_JSON = "application/problem+json; charset=utf-8"
VALIDATION = {
    "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
    "title": "One or more validation errors occurred.",
    "status": 400,
}
FORBIDDEN = {
    "type": "https://tools.ietf.org/html/rfc9110#section-15.5.4",
    "title": "Forbidden",
    "status": 403,
}
NOT_FOUND = {
    "type": "https://tools.ietf.org/html/rfc9110#section-15.5.5",
    "title": "Not Found",
    "status": 404,
}
CONFLICT = {
    "type": "https://tools.ietf.org/html/rfc9110#section-15.5.10",
    "title": "Conflict",
    "status": 409,
}


class Unforeseen(DomainError):
    """A kind no edge knows by name."""


class LegacyError(OperationError):
    """As the CLI-facing services declare theirs."""


# Raised by a route of each product app; the expected answer is checked per product.
ERRORS: dict[str, DomainError] = {
    "fields": InvalidInput.by_field({"Title": ["Too long", "No apprentice"], "": ["Dates"]}),
    "listed": InvalidInput(
        "Failed to record",
        [FieldProblem("b", "first"), FieldProblem("a", "second"), FieldProblem("b", "third")],
    ),
    "message": InvalidInput("Progress must be present"),
    "forbidden": Forbidden("Not linked to this key."),
    "not_found": NotFound(),
    "not_found_said": NotFound("There is no standard with LARS code 1."),
    "conflict_field": Conflict("Used before", field="id"),
    "conflict": Conflict("Already the newest"),
    "already_submitted": AlreadySubmitted(),
    "no_apprenticeship": NoSuchApprenticeship(),
    "unforeseen": Unforeseen("Something the domain refused"),
    "legacy": LegacyError("the grace period is between 0 and 30 days"),
}

# ASP.NET's problem details: the Display advert and Recruitment APIs.
PROBLEM_DETAILS: dict[str, tuple[int, dict[str, Any]]] = {
    "fields": (
        400,
        {**VALIDATION, "errors": {"Title": ["Too long", "No apprentice"], "": ["Dates"]}},
    ),
    "listed": (
        400,
        {**VALIDATION, "errors": {"b": ["first", "third"], "a": ["second"]}},
    ),
    "message": (400, {**VALIDATION, "detail": "Progress must be present"}),
    "forbidden": (403, FORBIDDEN),  # the real StatusCodeResult(403): no detail
    "not_found": (404, NOT_FOUND),
    "not_found_said": (404, {**NOT_FOUND, "detail": "There is no standard with LARS code 1."}),
    "conflict_field": (400, {**VALIDATION, "errors": {"id": ["Used before"]}}),
    "conflict": (409, {**CONFLICT, "detail": "Already the newest"}),
    "already_submitted": (400, {**VALIDATION, "errors": {"Id": [m.ALREADY_SUBMITTED]}}),
    "no_apprenticeship": (
        404,
        {**NOT_FOUND, "detail": "no such apprenticeship for this provider"},
    ),
    "unforeseen": (400, {**VALIDATION, "detail": "Something the domain refused"}),
    "legacy": (400, {**VALIDATION, "detail": "the grace period is between 0 and 30 days"}),
}

# Track progress: bad input listed, its missing apprenticeship ASP.NET's plain 404 problem
# (NotFound()), the rest as above.
TRACK_PROGRESS: dict[str, tuple[int, dict[str, Any]]] = {
    **PROBLEM_DETAILS,
    "fields": (
        400,
        {
            "title": "Title: Too long; Title: No apprentice; Dates",
            "status": 400,
            "errors": [
                {"error": "Title", "description": "Too long"},
                {"error": "Title", "description": "No apprentice"},
                {"error": "", "description": "Dates"},
            ],
        },
    ),
    "listed": (
        400,
        {
            "title": "Failed to record",
            "status": 400,
            "errors": [
                {"error": "b", "description": "first"},
                {"error": "a", "description": "second"},
                {"error": "b", "description": "third"},
            ],
        },
    ),
    "message": (400, {"title": "Progress must be present", "status": 400, "errors": []}),
    "no_apprenticeship": (404, NOT_FOUND),
}

# The X-Request-Id the test sends, and the traceId every product writes for it: ASP.NET's
# form, 00-<trace id>-<span id>-00, whose parts are digests of an id that is not 32 hex
# digits.
REQUEST_ID = "trace-1"
_DIGEST = hashlib.sha256(REQUEST_ID.encode()).hexdigest()
ACTIVITY_ID = f"00-{_DIGEST[:32]}-{_DIGEST[32:48]}-00"

PRODUCTS = {
    # product id: (path, version, expected answers, traceId)
    "display-advert": ("/vacancies", "2", PROBLEM_DETAILS, ACTIVITY_ID),
    "recruitment": ("/managevacancies", "1", PROBLEM_DETAILS, ACTIVITY_ID),
    "track-progress": ("/trackprogress", "1", TRACK_PROGRESS, ACTIVITY_ID),
}


@pytest.fixture
async def raising(platform: Platform) -> dict[str, str]:
    """A route in each product app that raises ``ERRORS[kind]``; the products' keys."""
    sessions, secret = platform.sessions, platform.secret_key
    provider = await builders.create_provider(sessions)
    keys = {}
    for product_id, (path, version, _, _) in PRODUCTS.items():
        app: FastAPI = platform.product_apps[(product_id, int(version))]

        async def fail(kind: str) -> None:
            raise ERRORS[kind]

        app.add_api_route(f"{path}/__raise/{{kind}}", fail)
        issued = await builders.issue_key(sessions, secret, f"provider:{provider}", product_id)
        keys[product_id] = issued.secret
    return keys


async def get(platform: Platform, product_id: str, key: str, kind: str) -> RawResponse:
    path, version, _, _ = PRODUCTS[product_id]
    headers = [
        (b"ocp-apim-subscription-key", key.encode()),
        (b"x-version", version.encode()),
        (b"x-request-id", REQUEST_ID.encode()),
    ]
    return await call(platform, f"{path}/__raise/{kind}", headers)


@pytest.mark.parametrize("product_id", list(PRODUCTS))
async def test_each_product_answers_every_kind_of_domain_error_in_its_own_shape(
    platform: Platform, raising: dict[str, str], product_id: str
) -> None:
    _, _, expected, trace_id = PRODUCTS[product_id]
    assert set(expected) == set(ERRORS)
    for kind, (status, body) in expected.items():
        response = await get(platform, product_id, raising[product_id], kind)
        assert response.status == status, (kind, response.body)
        assert response.header("content-type") == PROBLEM_JSON, kind
        # Byte for byte: the keys in this order, as json.dumps writes them. ASP.NET adds
        # the traceId to the problems it makes, not to Track progress's own listed ones.
        full = {**body, "traceId": trace_id} if "type" in body else body
        assert response.body == json.dumps(full).encode(), kind


def test_every_kind_of_domain_error_is_one_line_in_its_own_words() -> None:
    lines = {kind: str(error) for kind, error in ERRORS.items()}
    assert lines == {
        "fields": "Title: Too long; Title: No apprentice; Dates",
        "listed": "Failed to record: b: first; a: second; b: third",
        "message": "Progress must be present",
        "forbidden": "Not linked to this key.",
        "not_found": "not found",
        "not_found_said": "There is no standard with LARS code 1.",
        "conflict_field": "Used before",
        "conflict": "Already the newest",
        "already_submitted": m.ALREADY_SUBMITTED,
        "no_apprenticeship": "no such apprenticeship for this provider",
        "unforeseen": "Something the domain refused",
        "legacy": "the grace period is between 0 and 30 days",
    }
    assert str(Conflict("two\nlines\r\nhere")) == "two lines here"
    assert str(InvalidInput("Bad", [FieldProblem("Title", "one\ntwo")])) == "Bad: Title: one two"
    assert str(InvalidInput()) == "the input is not valid"
    assert str(DomainError()) == "the operation cannot be done"


def test_grouping_by_field_keeps_the_order_problems_were_found_in() -> None:
    errors = {"b": ["1", "2"], "a": ["3"], "": ["4"]}
    invalid = InvalidInput.by_field(errors)
    assert invalid.problems == (
        FieldProblem("b", "1"),
        FieldProblem("b", "2"),
        FieldProblem("a", "3"),
        FieldProblem("", "4"),
    )
    assert invalid.grouped() == errors
    assert list(invalid.grouped()) == ["b", "a", ""]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_url: str) -> Run:
    return cli_runner(monkeypatch, tmp_path, sqlite_url)


@pytest.mark.parametrize("kind", list(ERRORS))
def test_the_cli_shows_every_kind_of_domain_error_as_one_error_line(
    cli: Run, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    error = ERRORS[kind]

    async def refuse(*args: Any, **kwargs: Any) -> None:
        raise error

    monkeypatch.setattr(ReviewService, "approve", refuse)
    result = cli("vacancies", "approve", "VAC1000000001", ok=False)
    assert result.exit_code == 1
    assert result.stderr == f"error: {error}\n"
    assert result.stdout == ""
