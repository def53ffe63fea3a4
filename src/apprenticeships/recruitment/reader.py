"""Reading a client's JSON object field by field, collecting every problem on the way.

ASP.NET (the real service) reads request bodies with the web defaults of System.Text.Json:
property names in any case, numbers also accepted as strings, enum names in any case. A
type error there stops at the first bad property; here each one is reported under its
JSON path and reading carries on, so a client sees every problem in one response.
Error paths use the client's own spelling of each property ("as the client sent them").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

E = TypeVar("E", bound=StrEnum)

INT32_MAX = 2**31 - 1
# ISO 8601 as System.Text.Json reads it: a date, optionally a time, optionally an offset.
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})?)?"
)
_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")
_INTEGER = re.compile(r"-?\d+")


@dataclass
class Problems:
    """Errors by JSON path, in the order found; the body of a validation problem."""

    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, path: str, message: str) -> None:
        messages = self.errors.setdefault(path, [])
        if message not in messages:
            messages.append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def add_if_clear(self, path: str, message: str) -> None:
        """Record ``message`` unless ``path`` already has a problem: a required value
        that was sent with the wrong type is reported as that, not as missing."""
        if path not in self.errors:
            self.add(path, message)

    def has(self, path: str) -> bool:
        return path in self.errors

    def has_within(self, path: str) -> bool:
        """Whether ``path`` or anything inside it (``skills[0]``) has a problem."""
        return any(key == path or key.startswith((f"{path}.", f"{path}[")) for key in self.errors)


@dataclass(frozen=True, slots=True)
class Value:
    """A property as the client sent it: its value (None when absent or null) and path."""

    raw: Any
    path: str

    @property
    def missing(self) -> bool:
        return self.raw is None


class ObjectReader:
    """Case-insensitive access to one JSON object's properties."""

    def __init__(self, data: dict[str, Any], path: str, problems: Problems) -> None:
        self.path = path
        self.problems = problems
        self._by_name: dict[str, tuple[str, Any]] = {}
        for name, value in data.items():
            # Like System.Text.Json, the last of two spellings of one property wins.
            self._by_name[name.casefold()] = (name, value)

    def child_path(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def get(self, name: str) -> Value:
        found = self._by_name.get(name.casefold())
        if found is None:
            return Value(None, self.child_path(name))
        return Value(found[1], self.child_path(found[0]))

    # -- typed reads: each returns None (and records why) when the value is unusable ------

    def string(self, name: str, required: str | None = None) -> tuple[str | None, str]:
        value = self.get(name)
        if value.missing:
            if required:
                self.problems.add(value.path, required)
            return None, value.path
        if not isinstance(value.raw, str):
            self.problems.add(value.path, f"{_label(value.path)} must be a string.")
            return None, value.path
        if required and not value.raw.strip():
            self.problems.add(value.path, required)
            return None, value.path
        if not value.raw.strip():
            return None, value.path
        return value.raw, value.path

    def integer(self, name: str, required: str | None = None) -> tuple[int | None, str]:
        value = self.get(name)
        if value.missing:
            if required:
                self.problems.add(value.path, required)
            return None, value.path
        number = as_integer(value.raw)
        if number is None:
            self.problems.add(value.path, f"{_label(value.path)} must be a whole number.")
        return number, value.path

    def decimal(self, name: str, required: str | None = None) -> tuple[Decimal | None, str]:
        value = self.get(name)
        if value.missing:
            if required:
                self.problems.add(value.path, required)
            return None, value.path
        number = as_decimal(value.raw)
        if number is None:
            self.problems.add(value.path, f"{_label(value.path)} must be a number.")
        return number, value.path

    def boolean(self, name: str, required: str | None = None) -> tuple[bool | None, str]:
        value = self.get(name)
        if value.missing:
            if required:
                self.problems.add(value.path, required)
            return None, value.path
        if not isinstance(value.raw, bool):
            self.problems.add(value.path, f"{_label(value.path)} must be true or false.")
            return None, value.path
        return value.raw, value.path

    def date(self, name: str, required: str | None = None) -> tuple[date | None, str]:
        value = self.get(name)
        if value.missing:
            if required:
                self.problems.add(value.path, required)
            return None, value.path
        day = as_utc_date(value.raw)
        if day is None:
            self.problems.add(
                value.path,
                f"{_label(value.path)} must be a date and time in ISO 8601 format, "
                "for example 2027-03-31T00:00:00Z.",
            )
        return day, value.path

    def enum(
        self,
        name: str,
        allowed: type[E],
        required: str | None = None,
        *,
        invalid: str | None = None,
    ) -> tuple[E | None, str]:
        value = self.get(name)
        if value.missing:
            if required:
                self.problems.add(value.path, required)
            return None, value.path
        if isinstance(value.raw, str):
            for option in allowed:
                if option.casefold() == value.raw.strip().casefold():
                    return option, value.path
        self.problems.add(
            value.path, invalid or f"{_label(value.path)} must be one of: {', '.join(allowed)}."
        )
        return None, value.path

    def object(self, name: str, required: str | None = None) -> ObjectReader | None:
        value = self.get(name)
        if value.missing:
            if required:
                self.problems.add(value.path, required)
            return None
        if not isinstance(value.raw, dict):
            self.problems.add(value.path, f"{_label(value.path)} must be a JSON object.")
            return None
        return ObjectReader(value.raw, value.path, self.problems)

    def array(self, name: str) -> tuple[list[Any] | None, str]:
        value = self.get(name)
        if value.missing:
            return None, value.path
        if not isinstance(value.raw, list):
            self.problems.add(value.path, f"{_label(value.path)} must be a JSON array.")
            return None, value.path
        return value.raw, value.path

    def objects(self, name: str) -> Iterator[tuple[int, ObjectReader | None]]:
        """Each item of an array of objects; None for an item that is not an object."""
        items, path = self.array(name)
        for position, item in enumerate(items or []):
            item_path = f"{path}[{position}]"
            if isinstance(item, dict):
                yield position, ObjectReader(item, item_path, self.problems)
            else:
                self.problems.add(item_path, f"{_label(item_path)} must be a JSON object.")
                yield position, None


def as_integer(raw: Any) -> int | None:
    """An Int32 from a JSON number without a fraction, or from a string holding one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, float) and raw.is_integer():
        number = int(raw)
    elif isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
        number = int(raw.strip())
    else:
        return None
    return number if -INT32_MAX - 1 <= number <= INT32_MAX else None


def as_decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        text = repr(raw)
    elif isinstance(raw, str):
        text = raw.strip()
    else:
        return None
    if isinstance(raw, float) and not _DECIMAL.fullmatch(text):
        # 1e30, inf: floats that are not plain decimals are out of any wage's range.
        return None
    if isinstance(raw, str) and not _DECIMAL.fullmatch(text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None
    # System.Text.Json's decimal holds 28-29 significant digits.
    return number if abs(number) < Decimal(10) ** 15 else None


def as_utc_date(raw: Any) -> date | None:
    """The UTC calendar day of an ISO 8601 date or date-time (no offset means UTC)."""
    if not isinstance(raw, str):
        return None
    match = _DATE_TIME.fullmatch(raw.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = datetime.fromisoformat(
            f"{year}-{month}-{day}T{hour or '00'}:{minute or '00'}:{second or '00'}"
            + (f".{(fraction or '0')[:6].ljust(6, '0')}")
            + ("+00:00" if offset in (None, "Z") else offset)
        )
        return moment.astimezone(UTC).date()
    except (ValueError, OverflowError):  # 2027-02-30, or 0001-01-01T00:00+01:00
        return None


def _label(path: str) -> str:
    """'wage.weeklyHours' -> "'wage.weeklyHours'" for messages about the JSON itself."""
    return f"'{path}'"
