"""How the Track progress API reads a request: as the real API's ASP.NET controller binds
it, before anything is looked up.

The real action is ``AddApprenticeshipProgress([Range(1, double.MaxValue, ErrorMessage =
"ULN must be greater than zero.")] long uln, DateTime plannedStartDate, ProgressDto
progress)`` on an ``[ApiController]``, reading JSON with System.Text.Json's web options.
Whatever does not bind makes one 400 validation problem listing every parameter's
errors, keyed and ordered as ASP.NET's model state has them (``dotnet.modelbinding``):
``uln`` and ``plannedStartDate`` by name, a body that cannot be read under its JSON path
(or ``""`` when there is none) together with ``progress`` ("The progress field is
required.").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from apprenticeships.dotnet import modelbinding
from apprenticeships.dotnet.modelbinding import ModelState
from apprenticeships.dotnet.textjson import (
    JsonArray,
    JsonException,
    JsonInt32,
    JsonObject,
    JsonString,
    deserialize,
)
from apprenticeships.progress.service import SubmittedKsb, SubmittedProgress

ULN_NOT_POSITIVE = "ULN must be greater than zero."

# The real request body's classes, named as .NET's messages name them.
_DTOS = "SFA.DAS.TrackProgress.Application.DTOs"
KSB = JsonObject(f"{_DTOS}.ProgressDto+Ksb", {"Id": JsonString(), "Value": JsonInt32()})
PROGRESS_DETAILS = JsonObject(
    f"{_DTOS}.ProgressDto+ProgressDetails",
    {"Ksbs": JsonArray(f"System.Collections.Generic.List`1[{_DTOS}.ProgressDto+Ksb]", KSB)},
)
PROGRESS_DTO = JsonObject(f"{_DTOS}.ProgressDto", {"Progress": PROGRESS_DETAILS})


class BindingFailed(Exception):
    """The request does not bind; ``errors`` as ASP.NET's validation problem lists them."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("the request does not bind")
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Submission:
    uln: int
    planned_start: date
    progress: SubmittedProgress | None  # the body's ``progress``; None when null or absent


def bind_apprenticeship(uln: str, planned_start: str) -> tuple[int, date]:
    """The path's ULN and planned start date (the date after ``AdjustToUniversal``)."""
    state = ModelState()
    bound = _bind_path(state, uln, planned_start)
    if bound is None:
        raise BindingFailed(state.errors())
    return bound


def bind_submission(uln: str, planned_start: str, body: bytes, has_body: bool) -> Submission:
    """The path and the body of a progress submission. ``has_body`` is whether the
    request has a body at all (a Content-Length above 0, or chunked), as ASP.NET's input
    formatter asks before it reads."""
    state = ModelState()
    bound = _bind_path(state, uln, planned_start)
    progress = _bind_body(state, body, has_body)
    if bound is None or state.has_errors:
        raise BindingFailed(state.errors())
    return Submission(*bound, progress)


def _bind_path(state: ModelState, uln: str, planned_start: str) -> tuple[int, date] | None:
    uln_value = start = None
    try:
        uln_value = modelbinding.bind_int64(uln)
        if uln_value < 1:  # [Range(1, double.MaxValue)]
            state.add("uln", ULN_NOT_POSITIVE)
    except modelbinding.NotBound as error:
        state.add("uln", error.message)
    try:
        start = modelbinding.bind_datetime(planned_start).date()
    except modelbinding.NotBound as error:
        state.add("plannedStartDate", error.message)
    if uln_value is None or start is None or state.has_errors:
        return None
    return uln_value, start


def _bind_body(state: ModelState, body: bytes, has_body: bool) -> SubmittedProgress | None:
    try:
        dto = deserialize(body, PROGRESS_DTO) if has_body else None
    except JsonException as error:
        state.add(error.path, error.message)
    else:
        if dto is not None:
            return _submitted(dto)
        state.add("", modelbinding.BODY_REQUIRED)  # no body, or JSON null
    # The parameter is not nullable, so ASP.NET also reports it missing.
    state.add("progress", modelbinding.FIELD_REQUIRED.format("progress"))
    return None


def _submitted(dto: dict[str, object]) -> SubmittedProgress | None:
    details = dto["Progress"]
    if not isinstance(details, dict):
        return None
    ksbs = details["Ksbs"]
    if not isinstance(ksbs, list):
        return SubmittedProgress(None)
    return SubmittedProgress(
        tuple(None if k is None else SubmittedKsb(k["Id"], k["Value"]) for k in ksbs)
    )
