"""Display advert API, version 2 (current)."""

from __future__ import annotations

from fastapi import APIRouter

from apprenticeships.referencedata import endpoints as referencedata


def router() -> APIRouter:
    api = APIRouter()
    api.include_router(referencedata.router())
    return api
