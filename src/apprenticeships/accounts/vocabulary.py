"""The accounts vocabulary. Values are what is stored."""

from __future__ import annotations

from enum import StrEnum


class OrganisationStatus(StrEnum):
    ACTIVE = "active"
    # Its keys stop working; nothing is deleted.
    SUSPENDED = "suspended"
