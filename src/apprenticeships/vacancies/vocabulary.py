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


class DataSource(StrEnum):
    """Where an advert comes from: this service's own recruitment (the real service's
    Recruit an apprentice, ``Raa``), NHS Jobs or Civil Service Jobs. The Display advert
    API shows only ``Raa`` adverts unless the caller's ``AdditionalDataSources`` header
    asks for the others (compatibility.md D16)."""

    RAA = "Raa"
    NHS = "Nhs"
    CSJ = "Csj"
