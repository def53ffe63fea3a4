"""ASP.NET's model binding, as far as clients of the real APIs see it: how route values
bind to ``long`` and ``DateTime`` (invariant culture), the messages its model state holds
when they do not, and the order in which a validation problem lists them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# ModelBindingMessageProvider's defaults, and the message of an error with no text.
VALUE_INVALID = "The value '{0}' is invalid."  # a blank value for a non-nullable type
VALUE_NOT_VALID = "The value '{0}' is not valid."  # a value the type cannot be read from
INPUT_NOT_VALID = "The input was not valid."
BODY_REQUIRED = "A non-empty request body is required."
FIELD_REQUIRED = "The {0} field is required."

# char.IsWhiteSpace: what .NET trims and what counts as blank.
WHITESPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
WHITESPACE += "\u2028\u2029\u202f\u205f\u3000"

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_DECIMAL = re.compile(r"[+-]?[0-9]+\x00*")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


class NotBound(Exception):
    """A route value that does not bind; ``message`` is what ASP.NET's model state says."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_blank(value: str) -> bool:
    """``string.IsNullOrWhiteSpace``."""
    return not value.strip(WHITESPACE)


def bind_int64(value: str) -> int:
    """A route value bound to ``long`` as ASP.NET binds it (``Int64Converter``, invariant
    culture): the value trimmed, then decimal with an optional sign, or hexadecimal after
    ``0x``, ``&h`` or ``#`` (two's complement, as .NET reads it)."""
    if is_blank(value):
        raise NotBound(VALUE_INVALID.format(value))
    text = value.strip(WHITESPACE)
    try:
        if text.startswith("#"):
            return _hex(text[1:])
        if text[:2].lower() in ("0x", "&h"):
            return _hex(text[2:])
        if not _DECIMAL.fullmatch(text):
            raise _Format
        number = int(text.rstrip("\x00"))
        if not _INT64_MIN <= number <= _INT64_MAX:
            raise _Format  # an OverflowException, reported as a value that is not valid
        return number
    except _Format:
        raise NotBound(VALUE_NOT_VALID.format(value)) from None
    except _Argument:
        # The converter's ArgumentException carries no message ASP.NET shows.
        raise NotBound(INPUT_NOT_VALID) from None


class _Format(Exception):
    """.NET's FormatException or OverflowException."""


class _Argument(Exception):
    """.NET's ArgumentException (other than the two above)."""


def _hex(text: str) -> int:
    """``Convert.ToInt64(text, 16)``."""
    if not text:
        raise _Argument
    index = 0
    if text[0] == "-":
        raise _Argument  # no minus sign in base 16
    if text[0] == "+":
        index = 1
    if text[index : index + 2] in ("0x", "0X"):
        index += 2
    start, number = index, 0
    while index < len(text) and text[index] in _HEX_DIGITS:
        if number > 0x0FFF_FFFF_FFFF_FFFF:
            raise _Format
        number = number * 16 + int(text[index], 16)
        index += 1
    if index == start or index < len(text):
        raise _Format
    return number - 2**64 if number >= 2**63 else number


# The forms of DateTime.Parse (invariant culture) a client plausibly sends in a URL path
# segment: ISO 8601 months, dates and date-times, with an optional offset. Extra white
# space is allowed between the parts (DateTimeStyles.AllowWhiteSpaces). (The culture's
# M/d/yyyy cannot be sent: a path segment holds no slash.)
_DATE = r"(?P<y>\d{4})-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?"
_TIME = r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d+))?)?"
_ZONE = r"(?P<z>Z|(?P<sign>[+-])(?P<oh>\d{2})(?::?(?P<om>\d{2}))?)"
_WS = f"[{re.escape(WHITESPACE)}]"
_DATE_TIME = re.compile(rf"{_WS}*{_DATE}(?:(?:T|{_WS}+){_WS}*{_TIME}(?:{_WS}*{_ZONE})?)?{_WS}*")


def bind_datetime(value: str) -> datetime:
    """A route value bound to ``DateTime`` as ASP.NET binds it (``DateTime.Parse`` with
    the invariant culture, ``AdjustToUniversal | AllowWhiteSpaces``): a time with an
    offset (or ``Z``) becomes UTC, which can change the date; a time without one is
    taken as it is."""
    if is_blank(value):
        raise NotBound(VALUE_INVALID.format(value))
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        raise NotBound(VALUE_NOT_VALID.format(value))
    part = match.groupdict()
    year, month, day = part["y"], part["m"], part["d"] or "1"
    fraction = (part["f"] or "")[:6].ljust(6, "0")
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(part["h"] or 0),
            int(part["mi"] or 0),
            int(part["s"] or 0),
            int(fraction),
        )
        if part["sign"]:
            offset = timedelta(hours=int(part["oh"]), minutes=int(part["om"] or 0))
            moment -= offset if part["sign"] == "+" else -offset
    except (ValueError, OverflowError):
        raise NotBound(VALUE_NOT_VALID.format(value)) from None
    return moment


@dataclass
class _Node:
    subkey: str
    key: str | None = None
    errors: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)


class ModelState:
    """The errors of one request's binding and validation, listed as ASP.NET lists them
    in a validation problem: the key ``""`` first, then by key segments (``$.a.b[0]`` is
    ``$``, ``a``, ``b``, ``[0]``) breadth first, the segments under one parent shorter
    first, then in ordinal order ignoring case; a key's messages in the order added."""

    def __init__(self) -> None:
        self._root = _Node("")
        self.has_errors = False

    def add(self, key: str, message: str) -> None:
        node = self._root
        for subkey in _segments(key):
            if subkey:  # an empty segment is the node itself
                node = _child(node, subkey)
        if node.key is None:
            node.key = key
        node.errors.append(message)
        self.has_errors = True

    def errors(self) -> dict[str, list[str]]:
        listed: dict[str, list[str]] = {}
        if self._root.errors:
            listed[""] = list(self._root.errors)
        queue = [self._root]
        while queue:
            node = queue.pop(0)
            for child in node.children:
                if child.children:
                    queue.append(child)
                if child.errors and child.key is not None:
                    listed[child.key] = list(child.errors)
        return listed

    @classmethod
    def of(cls, entries: Iterable[tuple[str, str]]) -> ModelState:
        state = cls()
        for key, message in entries:
            state.add(key, message)
        return state


def _segments(key: str) -> list[str]:
    """``$.a.b[0].c`` as ``$``, ``a``, ``b``, ``[0]``, ``c``: a key is cut before each
    ``[`` and at each ``.``."""
    if not key:
        return []
    segments, start, bracket = [], 0, False
    for index, char in enumerate(key):
        if char in ".[":
            segments.append(key[start - 1 if bracket else start : index])
            start, bracket = index + 1, char == "["
    segments.append(key[start - 1 if bracket else start :])
    return segments


def _order(subkey: str) -> tuple[int, str]:
    return len(subkey), "".join(c.upper() if len(c.upper()) == 1 else c for c in subkey)


def _child(node: _Node, subkey: str) -> _Node:
    wanted = _order(subkey)
    for index, child in enumerate(node.children):
        order = _order(child.subkey)
        if order == wanted:
            return child
        if order > wanted:
            node.children.insert(index, new := _Node(subkey))
            return new
    node.children.append(new := _Node(subkey))
    return new
