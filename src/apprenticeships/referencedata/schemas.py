"""Reference data as the APIs publish it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class ApprenticeshipType(StrEnum):
    APPRENTICESHIP = "Apprenticeship"
    FOUNDATION_APPRENTICESHIP = "FoundationApprenticeship"


class TrainingCourse(ApiModel):
    lars_code: int = Field(description="The course's LARS standard code.", examples=[2])
    title: str = Field(
        description='The standard\'s title and level, for example "Software developer (level 4)".'
    )
    level: int = Field(description="Qualification level, 2 to 7.", examples=[4])
    route: str = Field(description="The occupational route the standard belongs to.")
    type: ApprenticeshipType = Field(description="Apprenticeship or foundation apprenticeship.")


class TrainingCourses(ApiModel):
    training_courses: list[TrainingCourse]


class RouteItem(ApiModel):
    name: str = Field(description="An occupational route; use it in the Routes search filter.")


class Routes(ApiModel):
    routes: list[RouteItem]
