"""Track apprenticeship progress API, version 1."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi import Path as FastApiPath
from starlette.responses import Response

from apprenticeships.dependencies import State, Subscription
from apprenticeships.errors import DomainError, InvalidInput
from apprenticeships.problems import (
    TITLES,
    TYPES,
    activity_id,
    listed_problem,
    problem_details,
    problem_response,
)
from apprenticeships.progress import binding, schemas
from apprenticeships.progress.service import NoSuchApprenticeship, ProgressService

JSON = "application/json; charset=utf-8"
# Its problems carry ASP.NET's own trace ids (``00-<trace id>-<span id>-00``).
TRACE_ID = activity_id
_EXAMPLE_TRACE_ID = "00-4f1c2b9a7d3e6a80000000000000002a-9c0e7b2d51a3f468-00"


def _ref(model: type) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


BAD_REQUEST: dict[str, Any] = {
    "description": (
        "The request does not bind, or it breaks a rule. A request that does not bind is "
        "ASP.NET's validation problem, with every parameter's errors: a `uln` that is not "
        "a positive whole number, a `plannedStartDate` that is not a date, a body that "
        'cannot be read (under its JSON path, or `""` when there is none, with '
        "`progress` as well). Nothing is looked up then. A rule broken afterwards is a "
        "title and a list of problems (empty when the title says it all)."
    ),
    "content": {
        "application/problem+json": {
            "schema": {"oneOf": [_ref(schemas.ValidationProblem), _ref(schemas.ProgressProblem)]},
            "examples": {
                "uln": {
                    "summary": "A ULN that is not a positive number",
                    "value": {
                        "type": TYPES[400],
                        "title": TITLES[400],
                        "status": 400,
                        "errors": {"uln": [binding.ULN_NOT_POSITIVE]},
                        "traceId": _EXAMPLE_TRACE_ID,
                    },
                },
                "body": {
                    "summary": "A body that is not JSON",
                    "value": {
                        "type": TYPES[400],
                        "title": TITLES[400],
                        "status": 400,
                        "errors": {
                            "$": [
                                "'x' is an invalid start of a value. Path: $ | LineNumber: 0 "
                                "| BytePositionInLine: 0."
                            ],
                            "progress": ["The progress field is required."],
                        },
                        "traceId": _EXAMPLE_TRACE_ID,
                    },
                },
                "rules": {
                    "summary": "A submission that breaks rules",
                    "value": {
                        "title": "Failed to record progress due to one or more validation errors",
                        "status": 400,
                        "errors": [
                            {
                                "error": "DeliveryModel",
                                "description": "Must be a portable flexi-job",
                            }
                        ],
                    },
                },
            },
        }
    },
}
NOT_FOUND: dict[str, Any] = {
    "description": "No such apprenticeship for your UKPRN (also when it is another provider's).",
    "content": {
        "application/problem+json": {
            "schema": _ref(schemas.NotFoundProblem),
            "example": {
                "type": TYPES[404],
                "title": TITLES[404],
                "status": 404,
                "traceId": _EXAMPLE_TRACE_ID,
            },
        }
    },
}
_REQUEST_BODY = {
    "required": True,
    "description": (
        "Property names may be in any case, and numbers may also be sent as strings "
        '(`"value": "50"`), as the real API reads them.'
    ),
    "content": {"application/json": {"schema": _ref(schemas.ProgressRequest)}},
}
DOCUMENTED_MODELS = (
    schemas.ProgressRequest,
    schemas.ProgressProblem,
    schemas.ValidationProblem,
    schemas.NotFoundProblem,
)
_PATH = "/apprenticeships/{uln}/{plannedStartDate}/progress"
_ULN = FastApiPath(
    description="The apprentice's unique learner number.",
    examples=[1000000001],
    json_schema_extra={"type": "integer", "format": "int64", "minimum": 1},
)
_PLANNED_START = FastApiPath(
    description=(
        "The apprenticeship's planned start date, the 1st of its month: `yyyy-MM`, "
        "`yyyy-MM-dd`, or a date and time (`2026-01-01T00:00:00`, with `Z` or an offset "
        "if you like; a time with an offset counts in UTC, as in the real API)."
    ),
    examples=["2026-01"],
)


def _json(content: str, status: int = 200) -> Response:
    return Response(content, status_code=status, media_type=JSON)


def _has_body(request: Request) -> bool:
    """Whether the request has a body at all, as ASP.NET's input formatter asks (a
    Content-Length above 0, or a chunked body)."""
    length = request.headers.get("content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return "chunked" in request.headers.get("transfer-encoding", "").lower()


def binding_problem(request: Request, failed: binding.BindingFailed) -> Response:
    """ASP.NET's automatic 400 for a request that does not bind."""
    return problem_response(request, 400, errors=failed.errors, trace_id=TRACE_ID(request))


def error_response(request: Request, error: DomainError) -> Response:
    """How this API answers a domain error: bad input as its listed problem (the message
    as the title), an apprenticeship the caller cannot see as ASP.NET's plain 404
    problem, as the real API's ``NotFound()`` is; anything else as ASP.NET's problem
    details. Every body carries ASP.NET's form of trace id."""
    if isinstance(error, InvalidInput):
        return listed_problem(error.message or str(error), error.problems)
    if isinstance(error, NoSuchApprenticeship):
        return problem_response(request, 404, trace_id=TRACE_ID(request))
    return problem_details(request, error, trace_id=TRACE_ID(request))


def router() -> APIRouter:
    api = APIRouter()

    @api.post(
        _PATH,
        tags=["Progress"],
        status_code=201,
        response_model=schemas.ProgressResponse,
        summary="Record progress against the apprenticeship's KSBs",
        operation_id="AddApprenticeshipProgress",
        responses={201: {"description": "Recorded."}, 400: BAD_REQUEST, 404: NOT_FOUND},
        openapi_extra={"requestBody": _REQUEST_BODY},
    )
    async def record_progress(
        request: Request,
        state: State,
        caller: Subscription,
        uln: str = _ULN,
        plannedStartDate: str = _PLANNED_START,
    ) -> Response:
        """Records how far the apprentice has got with some of their standard's knowledge,
        skills and behaviours. A 201 means the submission is stored durably. In the
        sandbox it is checked against the same records but not stored, and the id is
        always 999."""
        try:
            submission = binding.bind_submission(
                uln, plannedStartDate, await request.body(), _has_body(request)
            )
        except binding.BindingFailed as failed:
            return binding_problem(request, failed)
        progress_id = await ProgressService(state.sessions).record_progress(
            caller, submission.uln, submission.planned_start, submission.progress, state.clock()
        )
        return _json(
            schemas.ProgressResponse(progress_id=progress_id).model_dump_json(by_alias=True), 201
        )

    @api.get(
        _PATH,
        tags=["Progress"],
        response_model=schemas.ProgressHistory,
        summary="Your progress submissions for an apprenticeship",
        operation_id="GetApprenticeshipProgress",
        responses={400: BAD_REQUEST, 404: NOT_FOUND},
    )
    async def progress_history(
        request: Request,
        state: State,
        caller: Subscription,
        uln: str = _ULN,
        plannedStartDate: str = _PLANNED_START,
    ) -> Response:
        """Your submissions for this apprenticeship, newest first, and the latest value
        recorded for each KSB. The path reads as for recording progress."""
        try:
            bound_uln, planned_start = binding.bind_apprenticeship(uln, plannedStartDate)
        except binding.BindingFailed as failed:
            return binding_problem(request, failed)
        history = await ProgressService(state.sessions).history(caller, bound_uln, planned_start)
        record = history.apprenticeship
        body = schemas.ProgressHistory(
            uln=record.uln,
            planned_start_date=f"{record.planned_start:%Y-%m}",
            lars_code=record.lars_code,
            option=record.option,
            submissions=[
                schemas.Submission(
                    progress_id=s.id,
                    submitted_at=s.submitted_at,
                    ksbs=[schemas.SubmittedValue(id=v.ksb_id, value=v.value) for v in s.values],
                )
                for s in history.submissions
            ],
            latest=[
                schemas.LatestKsbValue(
                    id=v.ksb.id,
                    kind=v.ksb.kind,
                    code=v.ksb.code,
                    value=v.value,
                    progress_id=v.progress_id,
                    submitted_at=v.submitted_at,
                )
                for v in history.latest
            ],
        )
        return _json(body.model_dump_json(by_alias=True))

    @api.get(
        "/courses/{larsCode}/ksbs",
        tags=["Courses"],
        response_model=schemas.CourseKsbs,
        summary="The knowledge, skills and behaviours of a standard",
        operation_id="GetCourseKsbs",
        responses={
            400: {"content": {"application/problem+json": {}}},
            404: {"content": {"application/problem+json": {}}},
        },
    )
    async def course_ksbs(
        state: State,
        larsCode: int = FastApiPath(ge=1, le=2**31 - 1, description="The standard's LARS code."),
    ) -> Response:
        """Every KSB of the standard with its id, for building progress submissions. A KSB
        belongs to the options it lists; "core" KSBs belong to every option."""
        course = await ProgressService(state.sessions).course_ksbs(larsCode)
        body = schemas.CourseKsbs(
            lars_code=larsCode,
            title=course.standard.title,
            options=list(course.standard.options or []),
            ksbs=[
                schemas.CourseKsb(
                    id=k.id, kind=k.kind, code=k.code, description=k.description, options=k.options
                )
                for k in course.ksbs
            ],
        )
        return _json(body.model_dump_json(by_alias=True))

    return api
