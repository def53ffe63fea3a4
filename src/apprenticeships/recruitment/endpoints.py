"""Recruitment API, version 1: create adverts, and the reference data they use."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from apprenticeships import jsontext
from apprenticeships.dependencies import Session, State, Subscription
from apprenticeships.errors import InvalidInput
from apprenticeships.gateway import responses
from apprenticeships.geo.service import Geocoder
from apprenticeships.recruitment import messages as m
from apprenticeships.recruitment import schemas
from apprenticeships.recruitment.reader import JsonObject
from apprenticeships.recruitment.service import RecruitmentService
from apprenticeships.referencedata.lists import CANDIDATE_SKILLS, QUALIFICATION_TYPES
from apprenticeships.referencedata.repository import ReferenceDataRepository
from apprenticeships.referencedata.schemas import TrainingCourses
from apprenticeships.referencedata.service import ReferenceDataCache
from apprenticeships.vacancies import schemas as vacancy_schemas
from apprenticeships.vacancies import shapes as vacancy_shapes
from apprenticeships.vacancies.service import VacancyService

JSON = "application/json; charset=utf-8"
PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
# The sandbox's canned "already submitted" answer, in the real sandbox's own shape.
SANDBOX_ALREADY_SUBMITTED_BODY = {"errors": [m.ALREADY_SUBMITTED]}
_CREATE_BAD_REQUEST: dict[str, Any] = {
    "description": "The advert breaks rules: every problem at once, keyed and worded as the "
    "real service keys and words it (C# property paths such as `Title`, "
    '`Wage.WeeklyHours`, `""` for a rule across fields; `$.wage.weeklyHours` for a value '
    "that cannot be read). A reused id gets `Id`: "
    f'"{m.ALREADY_SUBMITTED}". The sandbox answers the id '
    "00000000-0000-0000-0000-000000000000 with its own shape, once the advert is valid.",
    "content": {
        "application/problem+json": {},
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["errors"],
                "properties": {"errors": {"type": "array", "items": {"type": "string"}}},
            },
            "example": SANDBOX_ALREADY_SUBMITTED_BODY,
        },
    },
}
# Fixed ids that give canned answers in the sandbox, so clients can test how they
# handle a duplicate and a rate limit.
SANDBOX_ALREADY_SUBMITTED = uuid.UUID("00000000-0000-0000-0000-000000000000")
SANDBOX_TOO_MANY_REQUESTS = uuid.UUID("11111111-1111-1111-1111-111111111111")
SANDBOX_RETRY_AFTER = 60

_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/CreateVacancyRequest"}}
    },
}

DOCUMENTED_MODELS = (schemas.CreateVacancyRequest,)


def _json(
    content: bytes | str, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(content, status_code=status, media_type=JSON, headers=headers)


def _client_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise InvalidInput.of("id", m.ID_INVALID) from None


def router() -> APIRouter:
    api = APIRouter()

    @api.post(
        "/vacancy/{id}",
        tags=["Vacancy"],
        status_code=201,
        response_model=schemas.CreateVacancyResponse,
        summary="Create an apprenticeship advert",
        operation_id="CreateVacancy",
        responses={
            201: {"description": "Created, waiting for review."},
            400: _CREATE_BAD_REQUEST,
            403: PROBLEM,
            404: PROBLEM,
        },
        openapi_extra={"requestBody": _REQUEST_BODY},
    )
    async def create_vacancy(
        id: str, request: Request, state: State, caller: Subscription
    ) -> Response:
        """Creates an advert for a legal entity your key may act for. `id` is a GUID you
        choose: send the same advert again with the same id and it is not created twice
        (once the advert is valid, you get 400 with "Vacancy already submitted" under
        `Id`). Every problem with the body comes back in one 400 response, keyed as the
        real service keys it (`Title`, `Wage.WeeklyHours`, `""` for a rule across fields).
        Property names match in any case; numbers may be sent as strings, enums as their
        names or numbers.

        The advert waits for review by the platform's reviewers (adverts from a provider
        that needs the employer's review wait for the employer first) and appears in the
        Display advert API once approved. In the sandbox the advert is checked the same
        way but not stored, and the reference is always 1000000001."""
        client_id = _client_id(id)
        raw = await request.body()
        if not raw.strip():
            raise InvalidInput.of("", m.BODY_EMPTY)
        try:
            body = jsontext.parse(raw, JsonObject.of)
        except jsontext.InvalidJson:
            raise InvalidInput.of("$", m.BODY_NOT_JSON) from None
        service = RecruitmentService(state.sessions, state.component(Geocoder))
        reference = await service.create_vacancy(
            caller, str(client_id), body, state.clock(), source=raw
        )
        if caller.is_sandbox and client_id == SANDBOX_ALREADY_SUBMITTED:
            # The real sandbox's canned answers come once the advert passed the checks.
            return _json(json.dumps(SANDBOX_ALREADY_SUBMITTED_BODY), 400)
        if caller.is_sandbox and client_id == SANDBOX_TOO_MANY_REQUESTS:
            return responses.too_many_requests(SANDBOX_RETRY_AFTER)
        body_out = schemas.CreateVacancyResponse(vacancy_reference=str(reference))
        # No Location header: the real service sends none (compatibility.md R7).
        return _json(body_out.model_dump_json(by_alias=True), 201)

    @api.get(
        "/accountlegalentities",
        tags=["Account legal entities"],
        response_model=vacancy_schemas.AccountLegalEntities,
        summary="List the legal entities your key can create adverts for",
        operation_id="GetAccountLegalEntities",
        responses={403: PROBLEM},
    )
    async def legal_entities(caller: Subscription, session: Session) -> Response:
        """An employer key: its account's legal entities. A provider key: the legal
        entities that gave it permission to recruit."""
        linked = await VacancyService(session).legal_entities_for(caller)
        result = vacancy_shapes.legal_entities(linked)
        return _json(result.model_dump_json(by_alias=True, exclude_none=True))

    @api.get(
        "/referencedata/qualifications",
        tags=["Reference data"],
        response_model=schemas.Qualifications,
        summary="List the qualification types",
        operation_id="GetQualifications",
    )
    async def qualifications() -> Response:
        """The values `qualifications[].qualificationType` accepts."""
        return _json(
            schemas.Qualifications(qualifications=list(QUALIFICATION_TYPES)).model_dump_json(
                by_alias=True
            )
        )

    @api.get(
        "/referencedata/skills",
        tags=["Reference data"],
        response_model=schemas.CandidateSkills,
        summary="List the candidate skills",
        operation_id="GetSkills",
    )
    async def skills() -> Response:
        """The standard list of skills and personal qualities for `skills`. Adverts may
        also name others (at most 30 characters each)."""
        return _json(
            schemas.CandidateSkills(candidate_skills=list(CANDIDATE_SKILLS)).model_dump_json(
                by_alias=True
            )
        )

    @api.get(
        "/referencedata/courses",
        tags=["Reference data"],
        response_model=TrainingCourses,
        summary="List the apprenticeship courses",
        operation_id="GetTrainingCourses",
        responses={400: PROBLEM},
    )
    async def courses(
        state: State,
        session: Session,
        ukprn: int | None = Query(
            default=None,
            ge=10_000_000,
            le=99_999_999,
            description="Only the courses this training provider delivers.",
        ),
    ) -> Response:
        """Apprenticeship standards approved for delivery, for `standardLarsCode`."""
        if ukprn is None:
            return _json(state.component(ReferenceDataCache).courses_json)
        delivered = await ReferenceDataRepository(session).provider_courses(str(ukprn))
        courses = TrainingCourses(
            training_courses=[
                course
                for course in state.component(ReferenceDataCache).courses.training_courses
                if course.lars_code in delivered
            ]
        )
        return _json(courses.model_dump_json(by_alias=True))

    return api
