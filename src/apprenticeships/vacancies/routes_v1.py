"""Display advert API, version 1 (deprecated)."""

from __future__ import annotations

from fastapi import APIRouter

from apprenticeships.referencedata import endpoints as referencedata
from apprenticeships.vacancies import endpoints


def router() -> APIRouter:
    api = APIRouter()
    api.include_router(endpoints.router(version=1))
    api.include_router(referencedata.router())
    return api
