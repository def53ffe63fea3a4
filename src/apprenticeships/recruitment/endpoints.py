"""Recruitment API, version 1: create adverts, and the reference data they use."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from apprenticeships import jsontext
from apprenticeships.catalog.products import DISPLAY_ADVERT
from apprenticeships.dependencies import Session, State, Subscription
from apprenticeships.errors import InvalidInput
from apprenticeships.gateway import responses
from apprenticeships.geo.service import Geocoder
from apprenticeships.recruitment import messages as m
from apprenticeships.recruitment import schemas
from apprenticeships.recruitment.service import AlreadySubmitted, RecruitmentService
from apprenticeships.referencedata.lists import CANDIDATE_SKILLS, QUALIFICATION_TYPES
from apprenticeships.referencedata.repository import ReferenceDataRepository
from apprenticeships.referencedata.schemas import TrainingCourses
from apprenticeships.referencedata.service import ReferenceDataCache
from apprenticeships.vacancies import schemas as vacancy_schemas
from apprenticeships.vacancies import shapes as vacancy_shapes
from apprenticeships.vacancies.service import VacancyService

JSON = "application/json; charset=utf-8"
PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
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
            201: {
                "description": "Created, waiting for review.",
                "headers": {
                    "Location": {
                        "description": "Where the advert will be in the Display advert API "
                        "once approved.",
                        "schema": {"type": "string", "format": "uri"},
                    }
                },
            },
            400: PROBLEM,
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
        (you get 400 "Vacancy already submitted"). Every problem with the body comes back
        in one 400 response, keyed by the JSON path of the field.

        The advert waits for review by the platform's reviewers (adverts from a provider
        that needs the employer's review wait for the employer first) and appears in the
        Display advert API once approved. In the sandbox the advert is checked the same
        way but not stored, and the reference is always 1000000001."""
        client_id = _client_id(id)
        if caller.is_sandbox and client_id == SANDBOX_ALREADY_SUBMITTED:
            raise AlreadySubmitted()
        if caller.is_sandbox and client_id == SANDBOX_TOO_MANY_REQUESTS:
            return responses.too_many_requests(SANDBOX_RETRY_AFTER)
        try:
            body = jsontext.parse(await request.body())
        except jsontext.InvalidJson:
            raise InvalidInput.of("$", m.BODY_NOT_JSON) from None
        service = RecruitmentService(state.sessions, state.component(Geocoder))
        reference = await service.create_vacancy(caller, str(client_id), body, state.clock())
        base = state.settings.public_url + ("/sandbox" if caller.is_sandbox else "")
        location = f"{base}{DISPLAY_ADVERT.path}/vacancy/{reference}"
        body_out = schemas.CreateVacancyResponse(vacancy_reference=str(reference))
        return _json(body_out.model_dump_json(by_alias=True), 201, {"Location": location})

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
