"""The short fixed lists the Recruitment API publishes and checks adverts against."""

from __future__ import annotations

# das-recruit's qualification types, in the order the real API lists them.
QUALIFICATION_TYPES = ("GCSE", "A Level", "T Level", "BTEC", "Degree", "Other")

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
