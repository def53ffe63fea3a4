"""Track progress API shapes (camelCase JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class KsbProgress(ApiModel):
    id: str = Field(description="The KSB's id (a GUID), from GET /courses/{larsCode}/ksbs.")
    value: int = Field(
        ge=0,
        le=100,
        description="0 not started, 1 to 99 in progress, 100 completed and signed off.",
    )


class Progress(ApiModel):
    ksbs: list[KsbProgress] = Field(min_length=1)


class ProgressRequest(ApiModel):
    progress: Progress


class ProgressResponse(ApiModel):
    progress_id: int


class ErrorDetail(ApiModel):
    error: str = Field(description="The field, or the KSB id as sent.")
    description: str


TRACE_ID = Field(
    description="ASP.NET's trace id: `00-`, 32 hex digits, `-`, 16 hex digits, `-00`.",
    pattern=r"^00-[0-9a-f]{32}-[0-9a-f]{16}-00$",
)


class ProgressProblem(ApiModel):
    """A 400 for a broken rule: one message as the title, or the title and a list of
    problems."""

    title: str
    status: Literal[400]
    errors: list[ErrorDetail]


class ValidationProblem(ApiModel):
    """A 400 for a request that does not bind: ASP.NET's validation problem, with every
    parameter's errors."""

    type: Literal["https://tools.ietf.org/html/rfc9110#section-15.5.1"]
    title: Literal["One or more validation errors occurred."]
    status: Literal[400]
    errors: dict[str, list[str]] = Field(
        description=(
            "Messages by parameter (`uln`, `plannedStartDate`, `progress`) or, for a body "
            'that cannot be read, by its JSON path (`$`, `$.progress.ksbs[0].value`; `""` '
            "when there is no body)."
        )
    )
    trace_id: str = TRACE_ID


class NotFoundProblem(ApiModel):
    """A 404: ASP.NET's problem for ``NotFound()``."""

    type: Literal["https://tools.ietf.org/html/rfc9110#section-15.5.5"]
    title: Literal["Not Found"]
    status: Literal[404]
    trace_id: str = TRACE_ID


class SubmittedValue(ApiModel):
    id: str
    value: int


class Submission(ApiModel):
    progress_id: int
    submitted_at: datetime
    ksbs: list[SubmittedValue]


class LatestKsbValue(ApiModel):
    id: str
    kind: str
    code: str
    value: int
    progress_id: int = Field(description="The submission that recorded this value.")
    submitted_at: datetime


class ProgressHistory(ApiModel):
    uln: int
    planned_start_date: str = Field(examples=["2026-01"])
    lars_code: int
    option: str | None
    submissions: list[Submission] = Field(description="Your submissions, newest first.")
    latest: list[LatestKsbValue] = Field(description="The latest value recorded for each KSB.")


class CourseKsb(ApiModel):
    id: str
    kind: Literal["Knowledge", "Skill", "Behaviour"]
    code: str = Field(examples=["K1"])
    description: str
    options: list[str] = Field(description='The options it belongs to; "core" means all.')


class CourseKsbs(ApiModel):
    lars_code: int
    title: str
    options: list[str] = Field(description="The standard's options; empty when it has none.")
    ksbs: list[CourseKsb]
