"""Track apprenticeship progress API, version 1."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi import Path as FastApiPath
from starlette.responses import Response

from apprenticeships import jsontext
from apprenticeships.dependencies import State, Subscription
from apprenticeships.errors import DomainError, InvalidInput
from apprenticeships.problems import listed_problem, problem_details
from apprenticeships.progress import schemas
from apprenticeships.progress.service import NoSuchApprenticeship, ProgressService

JSON = "application/json; charset=utf-8"
PROBLEM: dict[str, Any] = {
    "description": "The request breaks a rule.",
    "content": {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/ProgressProblem"}}
    },
}
NOT_FOUND: dict[str, Any] = {
    "description": "No such apprenticeship for your UKPRN (also when it is another provider's)."
}
_REQUEST_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProgressRequest"}}},
}
DOCUMENTED_MODELS = (schemas.ProgressRequest, schemas.ProgressProblem)
_PATH = "/apprenticeships/{uln}/{plannedStartDate}/progress"


def _json(content: str, status: int = 200) -> Response:
    return Response(content, status_code=status, media_type=JSON)


def error_response(request: Request, error: DomainError) -> Response:
    """How this API answers a domain error: bad input as its listed problem (the message
    as the title), an apprenticeship the caller cannot see as a 404 with no body at all,
    as the real API does; anything else as ASP.NET's problem details."""
    if isinstance(error, InvalidInput):
        return listed_problem(request, error.message or str(error), error.problems)
    if isinstance(error, NoSuchApprenticeship):
        return Response(b"", status_code=404)
    return problem_details(request, error)


def router() -> APIRouter:
    api = APIRouter()

    @api.post(
        _PATH,
        tags=["Progress"],
        status_code=201,
        response_model=schemas.ProgressResponse,
        summary="Record progress against the apprenticeship's KSBs",
        operation_id="AddApprenticeshipProgress",
        responses={201: {"description": "Recorded."}, 400: PROBLEM, 404: NOT_FOUND},
        openapi_extra={"requestBody": _REQUEST_BODY},
    )
    async def record_progress(
        uln: str, plannedStartDate: str, request: Request, state: State, caller: Subscription
    ) -> Response:
        """Records how far the apprentice has got with some of their standard's knowledge,
        skills and behaviours. `plannedStartDate` is `yyyy-MM` (or `yyyy-MM-01`). A 201
        means the submission is stored durably. In the sandbox it is checked against the
        same records but not stored, and the id is always 999."""
        try:
            body = jsontext.parse(await request.body())
        except jsontext.InvalidJson:
            body = None  # reported as missing progress, after the record checks
        progress_id = await ProgressService(state.sessions).record_progress(
            caller, uln, plannedStartDate, body, state.clock()
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
        responses={400: PROBLEM, 404: NOT_FOUND},
    )
    async def progress_history(
        uln: str, plannedStartDate: str, state: State, caller: Subscription
    ) -> Response:
        """Your submissions for this apprenticeship, newest first, and the latest value
        recorded for each KSB."""
        history = await ProgressService(state.sessions).history(caller, uln, plannedStartDate)
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
