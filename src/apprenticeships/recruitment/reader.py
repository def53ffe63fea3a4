"""Reading a client's JSON advert as the real service's ASP.NET reads it.

The real service binds the body with System.Text.Json and ASP.NET's web defaults plus a
``JsonStringEnumConverter`` (das-apim-endpoints ``VacanciesManage`` ``Startup``):

- property names match in any case; of two spellings of one property the last wins;
- numbers may also come as strings holding a number (``AllowReadingFromString``);
- enums are their names, in any case, or their integer values (as numbers or strings);
- ``null`` is "absent" for strings, objects and lists, but cannot be read as a number,
  a boolean, a date or an enum (non-nullable .NET types);
- anything it cannot read is answered under the value's JSON path (``$.wage.weeklyHours``)
  in System.Text.Json's words, with where the value is in the body.

System.Text.Json stops at the first value it cannot read; here each one is reported and
reading carries on, so that a client sees every problem in one response (R2).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Generic, TypeVar

from apprenticeships.recruitment import messages as m

E = TypeVar("E", bound=Enum)
T = TypeVar("T")

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
# The largest .NET decimal: 2^96 - 1.
DECIMAL_MAX = Decimal(2**96 - 1)
# ISO 8601 as System.Text.Json reads a DateTime: a date, optionally a time (seconds and a
# fraction optional), optionally "Z" or an offset.
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,16}))?)?(Z|[+-]\d{2}:\d{2})?)?"
)
_INTEGER = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")

ROOT = "$"


class JsonObject(dict[str, Any]):
    """A JSON object that also keeps its properties in the order sent, repeats included:
    ``jsontext.parse(raw, JsonObject.of)``. A dict keeps a repeated name at its first
    place, which would make "Title" then "title" then "TITLE" read as the second one."""

    pairs: list[tuple[str, Any]]

    @classmethod
    def of(cls, pairs: list[tuple[str, Any]]) -> JsonObject:
        made = cls(pairs)
        made.pairs = pairs
        return made


@dataclass
class Problems:
    """Errors by key, in the order found; the ``errors`` of a validation problem."""

    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        messages = self.errors.setdefault(key, [])
        if message not in messages:
            messages.append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def has(self, key: str) -> bool:
        return key in self.errors


@dataclass(frozen=True, slots=True)
class Read(Generic[T]):
    """One property as read: its value (None when absent, null or unreadable) and whether
    it was sent in a form that could not be read (already reported)."""

    value: T | None = None
    unreadable: bool = False

    @property
    def absent(self) -> bool:
        """Not sent, or sent as null where null means "not sent"."""
        return self.value is None and not self.unreadable


ABSENT: Read[Any] = Read()
UNREADABLE: Read[Any] = Read(unreadable=True)


class Positions:
    """Where each value of the body is, as System.Text.Json reports it: the line (from
    0) and the byte in that line just after the value's first token. Found on first use:
    only a body with a value that cannot be read needs them."""

    def __init__(self, source: bytes | str | None, value: Any) -> None:
        self._source = source
        self._value = value
        self._found: dict[str, tuple[int, int]] | None = None

    def of(self, path: str) -> tuple[int, int]:
        if self._found is None:
            self._found = _scan(self._text())
        return self._found.get(path, (0, 0))

    def _text(self) -> str:
        if isinstance(self._source, str):
            return self._source
        if isinstance(self._source, bytes):
            try:
                return self._source.decode(json.detect_encoding(self._source)).lstrip("\ufeff")
            except (UnicodeDecodeError, LookupError):
                pass
        # No body to point into (a caller passing a parsed value): its compact form.
        return json.dumps(self._value, separators=(",", ":"), ensure_ascii=False, default=str)


class ObjectReader:
    """One JSON object's properties, matched in any case."""

    def __init__(
        self, data: dict[str, Any], path: str, problems: Problems, positions: Positions
    ) -> None:
        self.path = path
        self.problems = problems
        self.positions = positions
        self._by_name: dict[str, tuple[str, Any]] = {}
        # Like System.Text.Json, the last of two spellings of one property wins.
        pairs = data.pairs if isinstance(data, JsonObject) else data.items()
        for name, value in pairs:
            self._by_name[name.casefold()] = (name, value)

    def _get(self, name: str) -> tuple[Any, str]:
        """The raw value (None when absent) and its JSON path as the client spelt it."""
        found = self._by_name.get(name.casefold())
        if found is None:
            return None, f"{self.path}.{name}"
        return found[1], f"{self.path}.{found[0]}"

    def unreadable(self, path: str, dotnet_type: str) -> Read[Any]:
        line, position = self.positions.of(path)
        self.problems.add(path, m.not_converted(dotnet_type, path, line, position))
        return UNREADABLE

    # -- typed reads ------------------------------------------------------------------------

    def string(self, name: str) -> Read[str]:
        raw, path = self._get(name)
        if raw is None:
            return ABSENT
        if not isinstance(raw, str):
            return self.unreadable(path, "System.String")
        return Read(raw)

    def string_or_integer(self, name: str) -> Read[str]:
        """A string, or a JSON integer read as its digits (compatibility.md R3)."""
        raw, _ = self._get(name)
        if isinstance(raw, int) and not isinstance(raw, bool):
            return Read(str(raw))
        return self.string(name)

    def integer(self, name: str, *, nullable: bool = False) -> Read[int]:
        raw, path = self._get(name)
        if raw is None and nullable:
            return ABSENT
        if raw is None and name.casefold() not in self._by_name:
            return ABSENT
        number = as_integer(raw)
        if number is None:
            kind = "System.Nullable`1[System.Int32]" if nullable else "System.Int32"
            return self.unreadable(path, kind)
        return Read(number)

    def decimal(self, name: str, *, nullable: bool = False) -> Read[Decimal]:
        raw, path = self._get(name)
        if raw is None and nullable:
            return ABSENT
        if raw is None and name.casefold() not in self._by_name:
            return ABSENT
        number = as_decimal(raw)
        if number is None:
            kind = "System.Nullable`1[System.Decimal]" if nullable else "System.Decimal"
            return self.unreadable(path, kind)
        return Read(number)

    def boolean(self, name: str) -> Read[bool]:
        raw, path = self._get(name)
        if raw is None and name.casefold() not in self._by_name:
            return ABSENT
        if not isinstance(raw, bool):
            return self.unreadable(path, "System.Boolean")
        return Read(raw)

    def moment(self, name: str) -> Read[datetime]:
        """A DateTime, as a naive UTC datetime (no offset means UTC)."""
        raw, path = self._get(name)
        if raw is None and name.casefold() not in self._by_name:
            return ABSENT
        moment = as_utc_datetime(raw)
        if moment is None:
            return self.unreadable(path, "System.DateTime")
        return Read(moment)

    def enum(self, name: str, allowed: type[E], numbers: dict[int, E], dotnet_type: str) -> Read[E]:
        """A .NET enum: a name in any case, or its integer value as a number or a string.
        ``numbers`` is the real enum's numbering."""
        raw, path = self._get(name)
        if raw is None and name.casefold() not in self._by_name:
            return ABSENT
        found = as_enum(raw, allowed, numbers)
        if found is None:
            return self.unreadable(path, dotnet_type)
        return Read(found)

    def object(self, name: str, dotnet_type: str) -> Read[ObjectReader]:
        raw, path = self._get(name)
        if raw is None:
            return ABSENT
        if not isinstance(raw, dict):
            return self.unreadable(path, dotnet_type)
        return Read(ObjectReader(raw, path, self.problems, self.positions))

    def array(self, name: str, dotnet_type: str) -> Read[list[Any]]:
        raw, path = self._get(name)
        if raw is None:
            return ABSENT
        if not isinstance(raw, list):
            return self.unreadable(path, dotnet_type)
        return Read(raw)

    def item_path(self, name: str, index: int) -> str:
        return f"{self._get(name)[1]}[{index}]"

    def objects(
        self, name: str, items: list[Any], dotnet_type: str
    ) -> Iterator[tuple[int, Read[ObjectReader]]]:
        """Each item of a list of objects: an object, None for a null, or unreadable."""
        for index, item in enumerate(items):
            path = self.item_path(name, index)
            if item is None:
                yield index, ABSENT
            elif isinstance(item, dict):
                yield index, Read(ObjectReader(item, path, self.problems, self.positions))
            else:
                yield index, self.unreadable(path, dotnet_type)

    def strings(self, name: str, items: list[Any]) -> Iterator[tuple[int, Read[str]]]:
        """Each item of a list of strings: a string, None for a null, or unreadable."""
        for index, item in enumerate(items):
            if item is None:
                yield index, ABSENT
            elif isinstance(item, str):
                yield index, Read(item)
            else:
                yield index, self.unreadable(self.item_path(name, index), "System.String")


def root_reader(
    body: dict[str, Any], problems: Problems, source: bytes | str | None
) -> ObjectReader:
    return ObjectReader(body, ROOT, problems, Positions(source, body))


# -- values ---------------------------------------------------------------------------------


def as_integer(raw: Any) -> int | None:
    """An Int32 from a JSON integer, or from a string holding one. A number with a
    fraction or an exponent is not an Int32 to System.Text.Json, even 2.0."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, str) and _INTEGER.fullmatch(raw):
        number = int(raw)
    else:
        return None
    return number if INT32_MIN <= number <= INT32_MAX else None


def as_decimal(raw: Any) -> Decimal | None:
    """A .NET decimal from a JSON number, or from a string holding one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        text = repr(raw)
        if not _DECIMAL.fullmatch(text):  # inf, nan (1e400 reads as inf)
            return None
        number = Decimal(text)
    elif isinstance(raw, str) and _DECIMAL.fullmatch(raw):
        try:
            number = Decimal(raw)
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return None
    else:
        return None
    if not number.is_finite() or abs(number) > DECIMAL_MAX:
        return None
    return number


def as_enum(raw: Any, allowed: type[E], numbers: dict[int, E]) -> E | None:
    """A name in any case (surrounding spaces ignored, as .NET's Enum.Parse does), or a
    defined integer value as a number or a string of digits."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return numbers.get(raw)
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if _INTEGER.fullmatch(text):
        return numbers.get(int(text))
    for option in allowed:
        if str(option.value).casefold() == text.casefold():
            return option
    return None


def as_utc_datetime(raw: Any) -> datetime | None:
    """The moment an ISO 8601 date or date-time names, as a naive UTC datetime."""
    if not isinstance(raw, str):
        return None
    match = _DATE_TIME.fullmatch(raw)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = datetime.fromisoformat(
            f"{year}-{month}-{day}T{hour or '00'}:{minute or '00'}:{second or '00'}"
            + f".{(fraction or '0')[:6].ljust(6, '0')}"
            + ("+00:00" if offset in (None, "Z") else offset)
        )
        return moment.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # 2027-02-30, or 0001-01-01T00:00+01:00
        return None


# -- where values are -----------------------------------------------------------------------

_WHITESPACE = " \t\n\r"
_LITERAL_END = re.compile(r"[^\s,\]\}]*")


def _scan(text: str) -> dict[str, tuple[int, int]]:
    """Each value's path (``$.wage.weeklyHours``, ``$.skills[0]``, client spelling) and
    the line and byte-in-line just after its first token. ``text`` is JSON that already
    parsed; nesting is followed with a stack, so depth costs no recursion."""
    found: dict[str, tuple[int, int]] = {}
    line = 0
    line_start = 0  # index in text where the current line starts
    index = 0
    # Open containers: (path, next array index or -1 for objects, pending key path)
    stack: list[list[Any]] = []
    pending = ROOT  # the path of the next value

    def byte_in_line(end: int) -> int:
        return len(text[line_start:end].encode("utf-8", "surrogatepass"))

    def skip_whitespace(position: int) -> int:
        nonlocal line, line_start
        while position < len(text) and text[position] in _WHITESPACE:
            if text[position] == "\n":
                line += 1
                line_start = position + 1
            position += 1
        return position

    def string_end(position: int) -> int:
        """The index after the string starting at ``position`` (a quote)."""
        position += 1
        while text[position] != '"':
            position += 2 if text[position] == "\\" else 1
        return position + 1

    def next_value_path() -> str:
        if stack and stack[-1][1] >= 0:
            path = f"{stack[-1][0]}[{stack[-1][1]}]"
            stack[-1][1] += 1
            return path
        if stack:
            stack[-1][2] = True  # after this value, the object's next string is a name
        return pending

    index = skip_whitespace(index)
    while index < len(text):
        char = text[index]
        if char in ",:":
            index = skip_whitespace(index + 1)
            continue
        if char in "}]":
            stack.pop()
            index = skip_whitespace(index + 1)
            continue
        if char == '"' and stack and stack[-1][1] < 0 and stack[-1][2]:
            # A property name: the value that follows is at this path.
            end = string_end(index)
            name = json.loads(text[index:end])
            pending = f"{stack[-1][0]}.{name}"
            stack[-1][2] = False
            index = skip_whitespace(end)
            continue
        path = next_value_path()
        if char in "{[":
            found[path] = (line, byte_in_line(index + 1))
            stack.append([path, -1 if char == "{" else 0, char == "{"])
            index = skip_whitespace(index + 1)
            continue
        literal = _LITERAL_END.match(text, index)
        assert literal is not None  # the pattern matches the empty string
        end = string_end(index) if char == '"' else literal.end()
        found[path] = (line, byte_in_line(end))
        index = skip_whitespace(end)
    return found
