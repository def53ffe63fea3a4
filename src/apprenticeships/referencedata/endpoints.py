"""Reference data routes of the Display advert API (both versions)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from apprenticeships.dependencies import State
from apprenticeships.referencedata.schemas import Routes, TrainingCourses
from apprenticeships.referencedata.service import ReferenceDataCache

JSON = "application/json; charset=utf-8"


def router() -> APIRouter:
    api = APIRouter(prefix="/referencedata", tags=["Reference data"])

    @api.get(
        "/courses",
        response_model=TrainingCourses,
        summary="List the apprenticeship courses",
        operation_id="GetTrainingCourses",
    )
    async def training_courses(state: State) -> Response:
        """Every apprenticeship standard that is approved for delivery, with its LARS code,
        level and occupational route. Use a `larsCode` in the `StandardLarsCode` search
        filter."""
        return Response(state.component(ReferenceDataCache).courses_json, media_type=JSON)

    @api.get(
        "/courses/routes",
        response_model=Routes,
        summary="List the occupational routes",
        operation_id="GetRoutes",
    )
    async def routes(state: State) -> Response:
        """The occupational routes that courses belong to. Use a route's `name` in the
        `Routes` search filter."""
        return Response(state.component(ReferenceDataCache).routes_json, media_type=JSON)

    return api
