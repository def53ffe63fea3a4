"""The advert vocabulary. Values are what is stored and what the APIs send."""

from __future__ import annotations

from enum import StrEnum


class AdvertStatus(StrEnum):
    DRAFT = "Draft"
    # Created through the Recruitment API, waiting for the platform's reviewers.
    SUBMITTED = "Submitted"
    # From a provider that needs the employer's agreement first.
    REVIEW = "Review"
    LIVE = "Live"
    REJECTED = "Rejected"
    CLOSED = "Closed"
