"""The short fixed lists the Recruitment API publishes and checks adverts against."""

from __future__ import annotations

from enum import StrEnum


# das-recruit's qualification types, in the order the real API lists them.
class QualificationType(StrEnum):
    GCSE = "GCSE"
    A_LEVEL = "A Level"
    T_LEVEL = "T Level"
    BTEC = "BTEC"
    DEGREE = "Degree"
    OTHER = "Other"


QUALIFICATION_TYPES = tuple(QualificationType)

# The candidate skills Find an apprenticeship offers (das-recruit ``CandidateSkillsProvider``).
CANDIDATE_SKILLS = (
    "Communication skills",
    "IT skills",
    "Attention to detail",
    "Organisation skills",
    "Customer care skills",
    "Problem solving skills",
    "Presentation skills",
    "Administrative skills",
    "Number skills",
    "Analytical skills",
    "Logical",
    "Team working",
    "Creative",
    "Initiative",
    "Non judgemental",
    "Patience",
    "Physical fitness",
)
