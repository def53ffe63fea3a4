"""The classes a response's status is counted under."""

from __future__ import annotations

from enum import StrEnum


class StatusClass(StrEnum):
    """Stored in ``key_usage_hours.status_class``. A 429 is counted apart from the
    other 4xx answers: it is the one the caller can fix by slowing down."""

    SUCCESS = "2xx"
    REDIRECTION = "3xx"
    CLIENT_ERROR = "4xx"
    RATE_LIMITED = "429"
    SERVER_ERROR = "5xx"


def status_class(status: int) -> StatusClass:
    """The class of an HTTP status. Anything below 300 counts as a success (the gateway
    sends no 1xx), anything from 500 up as a server error."""
    if status == 429:
        return StatusClass.RATE_LIMITED
    if status >= 500:
        return StatusClass.SERVER_ERROR
    if status >= 400:
        return StatusClass.CLIENT_ERROR
    if status >= 300:
        return StatusClass.REDIRECTION
    return StatusClass.SUCCESS
