"""The apprenticeship record vocabulary, as the approvals service names it. Values are
what is stored and what records import reads."""

from __future__ import annotations

from enum import StrEnum


class ApprenticeshipStatus(StrEnum):
    WAITING_TO_START = "WaitingToStart"
    LIVE = "Live"
    PAUSED = "Paused"
    STOPPED = "Stopped"
    COMPLETED = "Completed"


class DeliveryModel(StrEnum):
    REGULAR = "Regular"
    PORTABLE_FLEXI_JOB = "PortableFlexiJob"
    FLEXI_JOB_AGENCY = "FlexiJobAgency"
