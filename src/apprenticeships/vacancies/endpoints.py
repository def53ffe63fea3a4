"""Display advert routes shared by versions 1 and 2 (the shapes differ, see schemas)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from apprenticeships.dependencies import Session, State, Subscription
from apprenticeships.errors import InvalidInput
from apprenticeships.vacancies import params as search_params
from apprenticeships.vacancies import schemas, shapes
from apprenticeships.vacancies.index import VacancyIndexes
from apprenticeships.vacancies.search import Sort
from apprenticeships.vacancies.service import VacancyService

JSON = "application/json; charset=utf-8"
PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}


def _json(model: BaseModel) -> Response:
    return Response(model.model_dump_json(by_alias=True, exclude_none=True), media_type=JSON)


_SEARCH = (
    "Live adverts matching every filter given, one page at a time. Parameter names are "
    "matched in any case; array parameters repeat (`StandardLarsCode=2&StandardLarsCode=14`); "
    "any other parameter given twice takes its first value."
)
SEARCH_DESCRIPTION = {
    1: _SEARCH + " An advert with several addresses is listed once per address: each item has that "
    "address as its `address` and `location`, its distance from Lat and Lon, and the "
    "advert's other addresses as `otherAddresses`. `total`, `totalFiltered` and the pages "
    "count items.",
    2: _SEARCH + " Each advert is listed once; its distance is to its nearest address.",
}


def _parameter(
    name: str, schema: dict[str, Any], description: str, array: bool = False
) -> dict[str, Any]:
    if array:
        schema = {"type": "array", "items": schema}
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _search_parameters(version: int) -> list[dict[str, Any]]:
    integer = {"type": "integer", "format": "int32"}
    flag = {"type": "boolean", "default": False}
    described = [
        _parameter(
            "PageNumber", {**integer, "default": 1}, "Page to return; values below 1 mean 1."
        ),
        _parameter(
            "PageSize",
            {**integer, "minimum": 1, "maximum": 1000, "default": 10},
            "Adverts per page.",
        ),
        _parameter(
            "Sort",
            {"type": "string", "enum": [s.value for s in Sort], "default": "AgeDesc"},
            "Order of results. AgeDesc (the default): oldest posted first. AgeAsc: newest "
            "first. DistanceAsc, DistanceDesc: nearest or farthest first from Lat and Lon, "
            "adverts with no location (recruiting nationally) last in both; without a point "
            "only the tie-breakers order. ExpectedStartDateAsc, ExpectedStartDateDesc: by "
            "start date. Ties break by title, course title, employer name, provider name, "
            "UKPRN and reference, all ascending, so pages are stable.",
        ),
        _parameter(
            "Lat",
            {"type": "number", "minimum": -90, "maximum": 90},
            "Latitude of the search point; used only with Lon (alone it is ignored).",
        ),
        _parameter(
            "Lon",
            {"type": "number", "minimum": -180, "maximum": 180},
            "Longitude of the search point; used only with Lat (alone it is ignored).",
        ),
        _parameter(
            "DistanceInMiles",
            {**integer, "minimum": 0},
            "Only adverts within this many miles of Lat and Lon (ignored without them). "
            + (
                "Each item is kept or dropped by its own address."
                if version == 1
                else "An advert is as far as its nearest address."
            )
            + " Adverts recruiting nationally have no location and still match.",
        ),
        _parameter(
            "PostedInLastNumberOfDays",
            {**integer, "minimum": 0},
            "Only adverts posted in the last N days.",
        ),
        _parameter(
            "StandardLarsCode", integer, "Any of these courses (repeat the parameter).", array=True
        ),
        _parameter(
            "Routes", {"type": "string"}, "Any of these occupational routes, at most 2.", array=True
        ),
        _parameter("Ukprn", integer, "Adverts of this training provider."),
        _parameter(
            "AccountPublicHashedId", {"type": "string"}, "Adverts of this employer account."
        ),
        _parameter(
            "AccountLegalEntityPublicHashedId",
            {"type": "string"},
            "Adverts of this legal entity, which must be linked to your key (403 otherwise).",
        ),
        _parameter(
            "FilterBySubscription", flag, "Only your own adverts (provider and employer keys)."
        ),
    ]
    if version == 1:
        described.append(_parameter("NationWideOnly", flag, "Only adverts recruiting nationally."))
    else:
        described += [
            _parameter(
                "ExcludeRecruitingNationally", flag, "Leave out adverts recruiting nationally."
            ),
            _parameter(
                "EmployerName",
                {"type": "string"},
                "Adverts whose employer name, as they show it, is this whole name, in any "
                "case, ignoring surrounding spaces.",
            ),
            _parameter(
                "IncludeDetails",
                flag,
                "Items in the detail shape when PageSize is 100 or less; larger pages come "
                "in the summary shape.",
            ),
        ]
    described.append(
        {
            "name": search_params.SOURCES_HEADER,
            "in": "header",
            "required": False,
            "schema": {
                "type": "array",
                "items": {
                    "type": "string",
                    "enum": [s.value for s in search_params.ADDITIONAL_SOURCES],
                },
            },
            "style": "simple",
            "explode": False,
            "description": (
                "Also return adverts from NHS Jobs (`Nhs`) and Civil Service Jobs (`Csj`): "
                "comma-separated (`Nhs,Csj`) or the header repeated; names in any case. "
                "Without it only adverts placed through this service are returned. "
                "`total` counts the adverts of every source asked for; the "
                "`ExpectedStartDate` sorts return this service's adverts only."
            ),
        }
    )
    return described


def router(version: int) -> APIRouter:
    api = APIRouter(tags=["Vacancy"])
    search_model = schemas.SearchResponseV1 if version == 1 else schemas.SearchResponseV2
    detail_model = schemas.VacancyDetailV1 if version == 1 else schemas.VacancyDetailV2
    make = shapes.item_v1 if version == 1 else shapes.item_v2

    @api.get(
        "/vacancy",
        response_model=search_model,
        summary="Search live apprenticeship adverts",
        operation_id="SearchVacancies",
        description=SEARCH_DESCRIPTION[version],
        responses={400: PROBLEM, 403: PROBLEM},
        openapi_extra={"parameters": _search_parameters(version)},
    )
    async def search(
        request: Request, state: State, caller: Subscription, session: Session
    ) -> Response:
        parsed, errors = search_params.parse(request.query_params.multi_items(), version)
        sources, source_errors = search_params.additional_sources(
            request.headers.getlist(search_params.SOURCES_HEADER)
        )
        parsed.additional_sources = sources
        errors = {**errors, **source_errors}
        if errors:
            raise InvalidInput.by_field(errors)
        now = state.clock()
        index = state.component(VacancyIndexes).get(caller.environment)
        page = await VacancyService(session).search(caller, parsed, index, now)
        details = version == 2 and parsed.include_details
        public_url = state.settings.public_url
        found = zip(page.rows, page.distances, page.positions, strict=True)
        items = [
            shapes.item_v1(row, distance, False, public_url, location=position)
            if version == 1
            else shapes.item_v2(row, distance, details, public_url)
            for row, distance, position in found
        ]
        body = search_model(
            vacancies=items,
            total=page.total,
            total_filtered=page.total_filtered,
            total_pages=page.total_pages,
        )
        return _json(body)

    @api.get(
        "/vacancy/{vacancyReference}",
        response_model=detail_model,
        summary="Get one live advert",
        operation_id="GetVacancy",
        responses={404: PROBLEM},
    )
    async def detail(
        vacancyReference: str, state: State, caller: Subscription, session: Session
    ) -> Response:
        """One live advert in full, from any data source (NHS Jobs and Civil Service Jobs
        adverts too, without the `AdditionalDataSources` header). The reference may carry
        the `VAC` prefix or not; a reference no advert has is 404."""
        row = await VacancyService(session).detail(caller, vacancyReference, state.clock())
        return _json(make(row, None, True, state.settings.public_url))

    @api.get(
        "/accountlegalentities",
        response_model=schemas.AccountLegalEntities,
        summary="List the legal entities your key can act for",
        operation_id="GetAccountLegalEntities",
        responses={403: PROBLEM},
    )
    async def legal_entities(caller: Subscription, session: Session) -> Response:
        """An employer key: its account's legal entities. A provider key: the legal
        entities that gave it recruitment permission. Developer keys get 403."""
        linked = await VacancyService(session).legal_entities_for(caller)
        return _json(shapes.legal_entities(linked))

    return api
