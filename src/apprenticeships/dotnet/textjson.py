"""Reading a request body as ASP.NET's System.Text.Json input formatter reads it, with
the options ASP.NET gives it (``JsonSerializerDefaults.Web`` and a depth of 32): property
names in any case, numbers also as strings, unknown properties ignored, no comments, no
trailing commas.

A body that does not read is a ``JsonException`` worded as .NET words it, with the JSON
path, line and byte position (``'a' is an invalid start of a value. Path: $ |
LineNumber: 0 | BytePositionInLine: 0.``); ASP.NET reports it under that path. Clients
written for the real APIs see the same text for the same body.

``_Reader`` follows ``Utf8JsonReader`` token by token: what it accepts, where it stops
and what it says. ``deserialize`` follows ``JsonSerializer`` into a declared ``Shape``:
which tokens convert to which .NET types, and which path it names. The whole body is one
final block (bodies up to the serializer's first buffer of 16 KiB are read so in .NET).
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

# MvcOptions.MaxModelBindingRecursionDepth, which ASP.NET gives the serializer.
MAX_DEPTH = 32

_SPACE = 0x20
# What may end a number (JsonConstants.Delimiters).
_DELIMITERS = frozenset(b",}] \n\r\t/")
# What may follow a backslash in a string, besides a backslash and a quote.
_ESCAPABLE = frozenset(b'"nrt/ubf')
_HEX = frozenset(b"0123456789abcdefABCDEF")
_DIGITS = frozenset(b"0123456789")
_UTF8_BOM = b"\xef\xbb\xbf"
# Characters that put a property name in brackets in a JSON path, and those escaped there.
_PATH_SPECIAL = frozenset("$. '/\"[]()\t\n\r\f\b\\\u0085\u2028\u2029")
_INT32 = re.compile(rb"[+-]?[0-9]+")
# Fast paths over the payload; where they do not match, the byte-by-byte code finds the
# exact error.
_WHITESPACE_RUN = re.compile(rb"[ \t\r\n]*")
_STRING_STOP = re.compile(rb'["\\\x00-\x1f]')
_NUMBER = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")

NO_TOKENS = (
    "The input does not contain any JSON tokens. Expected the input to start with a valid "
    "JSON token, when isFinalBlock is true."
)


class JsonException(Exception):
    """What System.Text.Json throws for a body it cannot read: ``message`` in .NET's
    words, path and position included; ``path`` is the JSON path ASP.NET keys it by."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


# What a body is read into: the .NET type names are those .NET's messages print.
@dataclass(frozen=True, slots=True)
class JsonString:
    type_name: str = "System.String"


@dataclass(frozen=True, slots=True)
class JsonInt32:
    """An ``int?`` (or an ``int`` when not nullable)."""

    nullable: bool = True

    @property
    def type_name(self) -> str:
        return "System.Nullable`1[System.Int32]" if self.nullable else "System.Int32"


@dataclass(frozen=True, slots=True)
class JsonArray:
    """A ``List<T>`` (a reference type: null reads as None)."""

    type_name: str
    item: Shape


@dataclass(frozen=True, slots=True)
class JsonObject:
    """A class with settable properties (a reference type: null reads as None). Read into
    a dict keyed by the declared property names; properties not sent are None."""

    type_name: str
    properties: Mapping[str, Shape]
    _by_folded_name: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        folded = {_fold(name): name for name in self.properties}
        object.__setattr__(self, "_by_folded_name", folded)

    def property_named(self, name: str) -> str | None:
        """The declared property a JSON name sets: names match ignoring case, as
        ``PropertyNameCaseInsensitive`` (ordinal, ignoring case) matches them."""
        return self._by_folded_name.get(_fold(name))


Shape = JsonString | JsonInt32 | JsonArray | JsonObject


def _fold(text: str) -> str:
    """Upper case one character at a time, as .NET's ordinal comparison ignoring case
    compares strings."""
    if text.isascii():
        return text.upper()
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in text)


def deserialize(body: bytes, shape: JsonObject) -> dict[str, Any] | None:
    """``body`` read into ``shape``; None for a JSON ``null`` (which ASP.NET reports as an
    empty body). Raises ``JsonException`` for a body that does not read."""
    if body.startswith(_UTF8_BOM):
        body = body[len(_UTF8_BOM) :]
    try:
        return _read_quickly(body, shape)
    except _Unsure:
        # Token by token, to find where and how .NET would refuse it.
        return _Deserializer(body).root(shape)


class _Unsure(Exception):
    """The quick reading cannot tell that .NET would read the body the same way."""


class _Members(list[tuple[str, Any]]):
    """A JSON object's members in order, repeated names included."""


def _refuse(constant: str) -> NoReturn:
    raise _Unsure  # NaN and Infinity are not JSON


_INT32_TEXT = re.compile(r"[+-]?[0-9]+")


def _read_quickly(body: bytes, shape: JsonObject) -> dict[str, Any] | None:
    """The body read with Python's JSON parser and bound by the same rules: the common
    case, a body .NET reads. Anything it is not sure of (a body that does not parse or
    does not bind, text .NET would not accept, nesting deeper than .NET reads) is
    ``_Unsure``, and the token-by-token reading decides."""
    try:
        document = json.loads(
            body.decode("utf-8"), object_pairs_hook=_Members, parse_constant=_refuse
        )
    except (ValueError, RecursionError):
        raise _Unsure from None
    if document is None:
        return None
    return _quick_object(document, shape, 1)


def _quick_object(members: Any, shape: JsonObject, depth: int) -> dict[str, Any]:
    if not isinstance(members, _Members) or depth > MAX_DEPTH:
        raise _Unsure
    result: dict[str, Any] = dict.fromkeys(shape.properties)
    for name, value in members:
        _check_text(name)
        declared = shape.property_named(name)
        if declared is None:
            _check_depth(value, depth + 1)
        else:
            result[declared] = _quick_value(value, shape.properties[declared], depth + 1)
    return result


def _quick_value(value: Any, shape: Shape, depth: int) -> Any:
    if value is None:
        if isinstance(shape, JsonInt32) and not shape.nullable:
            raise _Unsure
        return None
    if isinstance(shape, JsonObject):
        return _quick_object(value, shape, depth)
    if isinstance(shape, JsonArray):
        if isinstance(value, _Members) or not isinstance(value, list) or depth > MAX_DEPTH:
            raise _Unsure
        return [_quick_value(item, shape.item, depth + 1) for item in value]
    if isinstance(shape, JsonString):
        if not isinstance(value, str):
            raise _Unsure
        _check_text(value)
        return value
    if isinstance(value, str) and _INT32_TEXT.fullmatch(value):
        value = int(value)
    if type(value) is not int or not -(2**31) <= value < 2**31:
        raise _Unsure
    return value


def _check_text(text: str) -> None:
    """A broken surrogate pair (``"\\ud800"``) is not text to .NET."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise _Unsure from None


def _check_depth(value: Any, depth: int) -> None:
    """Nothing in an ignored value nests deeper than .NET reads."""
    pending = [(value, depth)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, list):
            if level > MAX_DEPTH:
                raise _Unsure
            values = (v for _, v in item) if isinstance(item, _Members) else item
            pending.extend((v, level + 1) for v in values if isinstance(v, list))


class _Token(enum.Enum):
    NONE = enum.auto()
    START_OBJECT = enum.auto()
    END_OBJECT = enum.auto()
    START_ARRAY = enum.auto()
    END_ARRAY = enum.auto()
    PROPERTY_NAME = enum.auto()
    STRING = enum.auto()
    NUMBER = enum.auto()
    TRUE = enum.auto()
    FALSE = enum.auto()
    NULL = enum.auto()


_STARTS = (_Token.START_OBJECT, _Token.START_ARRAY)
_LITERALS = {
    ord("t"): (b"true", _Token.TRUE),
    ord("f"): (b"false", _Token.FALSE),
    ord("n"): (b"null", _Token.NULL),
}


class _SyntaxError(Exception):
    """Utf8JsonReader's error: its message, without the position, and the position."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _shown(byte: int) -> str:
    """A byte as .NET's reader messages show it."""
    return chr(byte) if 0x20 <= byte < 0x7F else f"0x{byte:02X}"


class _Reader:
    """Utf8JsonReader over a whole payload with the serializer's options. ``column`` is
    its BytePositionInLine: bytes since the last line feed, where it stopped."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.consumed = 0
        self.line = 0
        self.column = 0
        self.token = _Token.NONE
        self.containers: list[bool] = []  # open objects (True) and arrays (False)
        self.not_primitive = False  # the payload is an object or array, not one value
        self.value = (0, 0)  # the last string's or number's bytes, quotes excluded
        self.value_escaped = False

    @property
    def current_depth(self) -> int:
        depth = len(self.containers)
        return depth - 1 if self.token in _STARTS else depth

    def _fail(self, message: str) -> NoReturn:
        raise _SyntaxError(message, self.line, self.column)

    def value_bytes(self) -> bytes:
        start, end = self.value
        return self.data[start:end]

    def read(self) -> bool:
        """The next token; False at the end of a complete payload."""
        if not self._has_more():
            return self._at_end()
        first = self.data[self.consumed]
        if first <= _SPACE:
            self._skip_whitespace()
            if not self._has_more():
                return self._at_end()
            first = self.data[self.consumed]
        if self.token is _Token.NONE:
            self._first_token(first)
        elif first == ord("/"):
            self._next_token(first)  # comments are not allowed: this is an error
        elif self.token is _Token.START_OBJECT:
            if first == ord("}"):
                self._end_container(is_object=True)
            elif first != ord('"'):
                self._fail(
                    f"'{_shown(first)}' is an invalid start of a property name. Expected a '\"'."
                )
            else:
                self._property_name()
        elif self.token is _Token.START_ARRAY:
            if first == ord("]"):
                self._end_container(is_object=False)
            else:
                self._value(first)
        elif self.token is _Token.PROPERTY_NAME:
            self._value(first)
        else:
            self._next_token(first)
        return True

    def _at_end(self) -> bool:
        if self.token is _Token.NONE:
            self._fail(NO_TOKENS)
        return False

    def _has_more(self) -> bool:
        if self.consumed < len(self.data):
            return True
        if self.not_primitive and self.containers:
            self._fail(
                "Expected depth to be zero at the end of the JSON payload. There is an open "
                "JSON object or array that should be closed."
            )
        return False

    def _has_more_or_fail(self, message: str) -> None:
        if self.consumed >= len(self.data):
            self._fail(message)

    def _skip_whitespace(self) -> None:
        match = _WHITESPACE_RUN.match(self.data, self.consumed)
        assert match is not None  # it matches the empty run too
        start, end = match.span()
        last_line_feed = self.data.rfind(b"\n", start, end)
        if last_line_feed < 0:
            self.column += end - start
        else:
            self.line += self.data.count(b"\n", start, end)
            self.column = end - last_line_feed - 1
        self.consumed = end

    def _advance(self, count: int) -> None:
        self.consumed += count
        self.column += count

    def _first_token(self, first: int) -> None:
        if first in (ord("{"), ord("[")):
            self.containers.append(first == ord("{"))
            self.token = _Token.START_OBJECT if first == ord("{") else _Token.START_ARRAY
            self._advance(1)
            self.not_primitive = True
        elif first in _DIGITS or first == ord("-"):
            length = self._number_length()
            self.value = (self.consumed, self.consumed + length)
            self.token = _Token.NUMBER
            self._advance(length)
        else:
            self._value(first)

    def _value(self, marker: int) -> None:
        if marker == ord('"'):
            self._string()
        elif marker in (ord("{"), ord("[")):
            self._start_container(is_object=marker == ord("{"))
        elif marker in _DIGITS or marker == ord("-"):
            length = self._number_length()
            self.value = (self.consumed, self.consumed + length)
            self.token = _Token.NUMBER
            self._advance(length)
            if self.consumed >= len(self.data) and self.not_primitive:
                self._fail(
                    f"'{_shown(self.data[self.consumed - 1])}' is an invalid end of a number. "
                    "Expected a delimiter."
                )
        elif marker in _LITERALS:
            self._literal(*_LITERALS[marker])
        else:
            self._fail(f"'{_shown(marker)}' is an invalid start of a value.")

    def _start_container(self, is_object: bool) -> None:
        if len(self.containers) >= MAX_DEPTH:
            what = "object" if is_object else "array"
            self._fail(
                f"The maximum configured depth of {MAX_DEPTH} has been exceeded. Cannot read "
                f"next JSON {what}."
            )
        self.containers.append(is_object)
        self.token = _Token.START_OBJECT if is_object else _Token.START_ARRAY
        self._advance(1)

    def _end_container(self, is_object: bool) -> None:
        if not self.containers or self.containers[-1] is not is_object:
            self._fail(f"'{'}' if is_object else ']'}' is invalid without a matching open.")
        self.token = _Token.END_OBJECT if is_object else _Token.END_ARRAY
        self._advance(1)
        self.containers.pop()

    def _next_token(self, marker: int) -> None:
        """After a value or the end of an object or array."""
        if not self.containers:
            self._fail(
                f"'{_shown(marker)}' is invalid after a single JSON value. Expected end of data."
            )
        if marker == ord(","):
            self._advance(1)
            missing = "Expected start of a property name or value, but instead reached end of data."
            if self.consumed >= len(self.data):
                self.consumed -= 1
                self.column -= 1
                self._fail(missing)
            first = self.data[self.consumed]
            if first <= _SPACE:
                self._skip_whitespace()
                self._has_more_or_fail(missing)
                first = self.data[self.consumed]
            trailing = "contains a trailing comma at the end which is not supported in this mode. Change the reader options."
            if self.containers[-1]:
                if first == ord("}"):
                    self._fail(f"The JSON object {trailing}")
                if first != ord('"'):
                    self._fail(
                        f"'{_shown(first)}' is an invalid start of a property name. Expected a '\"'."
                    )
                self._property_name()
            else:
                if first == ord("]"):
                    self._fail(f"The JSON array {trailing}")
                self._value(first)
        elif marker in (ord("}"), ord("]")):
            self._end_container(is_object=marker == ord("}"))
        else:
            self._fail(
                f"'{_shown(marker)}' is invalid after a value. Expected either ',', '}}', or ']'."
            )

    def _property_name(self) -> None:
        self._string()
        missing = "Expected a value, but instead reached end of data."
        self._has_more_or_fail(missing)
        first = self.data[self.consumed]
        if first <= _SPACE:
            self._skip_whitespace()
            self._has_more_or_fail(missing)
            first = self.data[self.consumed]
        if first != ord(":"):
            self._fail(f"'{_shown(first)}' is invalid after a property name. Expected a ':'.")
        self._advance(1)
        self.token = _Token.PROPERTY_NAME

    def _literal(self, literal: bytes, token: _Token) -> None:
        if self.data.startswith(literal, self.consumed):
            self.token = token
            self._advance(len(literal))
            return
        rest = self.data[self.consumed :]
        # Where the first difference is, or where the text ends; the message quotes
        # everything from the literal's start to the end of the payload.
        mismatch = next(
            (i for i in range(1, len(literal)) if i >= len(rest) or rest[i] != literal[i]),
            len(literal),
        )
        self.column += mismatch
        text = rest.decode("utf-8", errors="replace")
        self._fail(
            f"'{text}' is an invalid JSON literal. Expected the literal '{literal.decode()}'."
        )

    def _string(self) -> None:
        data = self.data
        start = self.consumed + 1
        stop = _STRING_STOP.search(data, start)
        if stop is None:
            self.column += len(data) - start + 1
            self._fail("Expected end of string, but instead reached end of data.")
        index = stop.start()
        if data[index] != ord('"'):
            self._string_with_escapes(start, index)
            return
        self.column += index - start + 2
        self.value = (start, index)
        self.value_escaped = False
        self.token = _Token.STRING
        self.consumed = index + 1

    def _string_with_escapes(self, start: int, index: int) -> None:
        """The rest of a string from its first backslash or control character, checked
        byte by byte."""
        data = self.data
        self.column += index - start + 1
        escaped = False
        while index < len(data):
            byte = data[index]
            if byte == ord('"'):
                if not escaped:
                    self.column += 1
                    self.value = (start, index)
                    self.value_escaped = True
                    self.token = _Token.STRING
                    self.consumed = index + 1
                    return
                escaped = False
            elif byte == ord("\\"):
                escaped = not escaped
            elif escaped:
                if byte not in _ESCAPABLE:
                    self._fail(
                        f"'{_shown(byte)}' is an invalid escapable character within a JSON "
                        "string. The string should be correctly escaped."
                    )
                if byte == ord("u"):
                    self.column += 1
                    if not self._hex_digits(index + 1):
                        break
                    index += 4
                escaped = False
            elif byte < _SPACE:
                self._fail(
                    f"'{_shown(byte)}' is invalid within a JSON string. The string should be "
                    "correctly escaped."
                )
            self.column += 1
            index += 1
        self._fail("Expected end of string, but instead reached end of data.")

    def _hex_digits(self, start: int) -> bool:
        """Four hex digits from ``start``; False when the payload ends first."""
        for index in range(start, len(self.data)):
            byte = self.data[index]
            if byte not in _HEX:
                self._fail(
                    f"'{_shown(byte)}' is not a hex digit following '\\u' within a JSON "
                    "string. The string should be correctly escaped."
                )
            if index - start >= 3:
                return True
            self.column += 1
        return False

    def _number_length(self) -> int:
        """The length of the number at the reader (RFC 8259's grammar), or the reader's
        error where it goes wrong."""
        match = _NUMBER.match(self.data, self.consumed)
        if match is not None:
            end = match.end()
            if end >= len(self.data) or self.data[end] in _DELIMITERS:
                return end - self.consumed
        # Not a number as far as it goes: find where and how it goes wrong. (Only the
        # number's own bytes and the one after matter, so the copy is short.)
        limit = (match.end() if match is not None else self.consumed) + 3
        data = self.data[self.consumed : limit]
        i = 0

        def fail_at(index: int, message: str) -> NoReturn:
            self.column += index
            self._fail(message)

        def after_sign(index: int) -> str:
            return (
                f"'{_shown(data[index])}' is invalid within a number, immediately after a sign "
                "character ('+' or '-'). Expected a digit ('0'-'9')."
            )

        end_of_data = "Expected a digit ('0'-'9'), but instead reached end of data."

        def end_of_number(index: int) -> NoReturn:
            fail_at(
                index,
                f"'{_shown(data[index])}' is an invalid end of a number. Expected a delimiter.",
            )

        def digits(index: int) -> int:
            while index < len(data) and data[index] in _DIGITS:
                index += 1
            return index

        def complete(index: int) -> bool:
            return index >= len(data) or data[index] in _DELIMITERS

        if data[0] == ord("-"):
            i = 1
            if i >= len(data):
                fail_at(i, end_of_data)
            if data[i] not in _DIGITS:
                fail_at(i, after_sign(i))
        if data[i] == ord("0"):
            i += 1
            if complete(i):
                return i
            if data[i] not in b".eE":
                if data[i] in _DIGITS:
                    fail_at(i, f"Invalid leading zero before '{_shown(data[i])}'.")
                end_of_number(i)
        else:
            i = digits(i + 1)
            if complete(i):
                return i
            if data[i] not in b".eE":
                end_of_number(i)
        if data[i] == ord("."):
            i += 1
            if i >= len(data):
                fail_at(i, end_of_data)
            if data[i] not in _DIGITS:
                fail_at(
                    i,
                    f"'{_shown(data[i])}' is invalid within a number, immediately after a "
                    "decimal point ('.'). Expected a digit ('0'-'9').",
                )
            i = digits(i + 1)
            if complete(i):
                return i
            if data[i] not in b"eE":
                fail_at(
                    i,
                    f"'{_shown(data[i])}' is an invalid end of a number. Expected 'E' or 'e'.",
                )
        i += 1  # the exponent's E
        if i >= len(data):
            fail_at(i, end_of_data)
        if data[i] in b"+-":
            i += 1
            if i >= len(data):
                fail_at(i, end_of_data)
        if data[i] not in _DIGITS:
            fail_at(i, after_sign(i))
        i = digits(i + 1)
        if complete(i):
            return i
        end_of_number(i)


class _Unreadable(Exception):
    """A string .NET cannot turn into text: invalid UTF-8, or a broken surrogate pair."""


def _unescape(raw: bytes) -> bytes:
    """A JSON string's bytes with its escapes resolved (the reader has checked them)."""
    out = bytearray()
    index = 0
    while index < len(raw):
        byte = raw[index]
        if byte != ord("\\"):
            out.append(byte)
            index += 1
            continue
        kind = raw[index + 1]
        if kind != ord("u"):
            out += {
                ord("n"): b"\n",
                ord("r"): b"\r",
                ord("t"): b"\t",
                ord("b"): b"\b",
                ord("f"): b"\f",
            }.get(kind, bytes([kind]))
            index += 2
            continue
        unit = int(raw[index + 2 : index + 6], 16)
        index += 6
        if 0xDC00 <= unit <= 0xDFFF:
            raise _Unreadable
        if 0xD800 <= unit <= 0xDBFF:
            if raw[index : index + 2] != b"\\u":
                raise _Unreadable
            low = int(raw[index + 2 : index + 6], 16)
            if not 0xDC00 <= low <= 0xDFFF:
                raise _Unreadable
            index += 6
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        out += chr(unit).encode("utf-8")
    return bytes(out)


@dataclass
class _Frame:
    """What the serializer's read stack knows for a JSON path: the property being read
    (as the JSON spells it), and for a list, how many items it has so far."""

    name: str | None = None
    count: int | None = None


class _Deserializer:
    def __init__(self, data: bytes) -> None:
        self.reader = _Reader(data)
        self.frames = [_Frame()]

    def path(self) -> str:
        parts = ["$"]
        for frame in self.frames:
            if frame.name is not None:
                if _PATH_SPECIAL.intersection(frame.name):
                    escaped = frame.name.replace("\\", "\\\\").replace("'", "\\'")
                    parts.append(f"['{escaped}']")
                else:
                    parts.append(f".{frame.name}")
            if frame.count is not None:
                parts.append(f"[{frame.count}]")
        return "".join(parts)

    def _exception(self, message: str, line: int, column: int) -> JsonException:
        path = self.path()
        return JsonException(
            f"{message} Path: {path} | LineNumber: {line} | BytePositionInLine: {column}.", path
        )

    def _cannot_convert(self, type_name: str) -> NoReturn:
        raise self._exception(
            f"The JSON value could not be converted to {type_name}.",
            self.reader.line,
            self.reader.column,
        )

    def _read(self) -> _Token | None:
        """The next token, None at the end of the payload."""
        try:
            return self.reader.token if self.reader.read() else None
        except _SyntaxError as error:
            raise self._exception(error.message, error.line, error.column) from None

    def root(self, shape: JsonObject) -> dict[str, Any] | None:
        token = self._read()
        value = None if token is _Token.NULL else self._object(shape, self.frames[0])
        self._read()  # only the end of the payload (or whitespace) may follow
        return value

    def _object(self, shape: JsonObject, frame: _Frame) -> dict[str, Any]:
        reader = self.reader
        if reader.token is not _Token.START_OBJECT:
            self._cannot_convert(shape.type_name)
        result: dict[str, Any] = dict.fromkeys(shape.properties)
        while True:
            if self._read() is _Token.END_OBJECT:
                return result
            name_bytes = reader.value_bytes()
            if reader.value_escaped:
                try:
                    name_bytes = _unescape(name_bytes)
                except _Unreadable:
                    self._cannot_convert(shape.type_name)
            frame.name = name_bytes.decode("utf-8", errors="replace")
            declared = shape.property_named(frame.name)
            if declared is None:
                self._skip_value()
            else:
                self._read()
                result[declared] = self._value(shape.properties[declared])
            frame.name = None

    def _array(self, shape: JsonArray, frame: _Frame) -> list[Any]:
        if self.reader.token is not _Token.START_ARRAY:
            self._cannot_convert(shape.type_name)
        items: list[Any] = []
        frame.count = 0
        while True:
            if self._read() is _Token.END_ARRAY:
                return items
            items.append(self._value(shape.item))
            frame.count = len(items)

    def _value(self, shape: Shape) -> Any:
        """The value at the reader's current token."""
        token = self.reader.token
        if token is _Token.NULL:
            if isinstance(shape, JsonInt32) and not shape.nullable:
                self._cannot_convert(shape.type_name)
            return None
        if isinstance(shape, JsonObject | JsonArray):
            frame = _Frame()
            self.frames.append(frame)
            if isinstance(shape, JsonObject):
                value: Any = self._object(shape, frame)
            else:
                value = self._array(shape, frame)
            self.frames.pop()
            return value
        if isinstance(shape, JsonString):
            if token is _Token.STRING:
                try:
                    return self._text()
                except _Unreadable:
                    pass
            self._cannot_convert(shape.type_name)
        # An int: a JSON number, or a string holding one (AllowReadingFromString). Either
        # must be a whole number within Int32, optionally signed, and nothing else.
        if token in (_Token.NUMBER, _Token.STRING):
            try:
                digits = self._text().encode() if token is _Token.STRING else self._number()
            except _Unreadable:
                self._cannot_convert(shape.type_name)
            if _INT32.fullmatch(digits) and -(2**31) <= int(digits) < 2**31:
                return int(digits)
        self._cannot_convert(shape.type_name)

    def _text(self) -> str:
        raw = self.reader.value_bytes()
        if self.reader.value_escaped:
            raw = _unescape(raw)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _Unreadable from None

    def _number(self) -> bytes:
        return self.reader.value_bytes()

    def _skip_value(self) -> None:
        """Reads past the value of a property the shape does not have."""
        target = self.reader.current_depth
        self._read()
        if self.reader.token not in _STARTS:
            return
        self._read()
        while self.reader.current_depth > target:
            self._read()
