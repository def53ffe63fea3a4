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


class ProgressProblem(ApiModel):
    """A 400: one message as the title, or the title and a list of problems."""

    title: str
    status: Literal[400]
    errors: list[ErrorDetail]
    trace_id: str


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
