"""How a Track progress request binds (progress/binding.py over dotnet/): System.Text.Json's
reading of the body, ASP.NET's binding of the path and the order of its model state.

Where .NET's own answers are public (error messages people have posted from real
ASP.NET APIs), they are the expected values here, byte for byte.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apprenticeships.dotnet import modelbinding
from apprenticeships.dotnet.modelbinding import ModelState
from apprenticeships.dotnet.textjson import (
    JsonException,
    JsonInt32,
    JsonObject,
    JsonString,
    _Deserializer,
    deserialize,
)
from apprenticeships.progress import binding
from apprenticeships.progress.service import SubmittedKsb, SubmittedProgress

# The shapes of the public APIs whose answers are quoted below (FakeRESTApi's books and
# cover photos, a to-do API): what matters is which properties exist and their types.
BOOK = JsonObject(
    "Book",
    {
        "Id": JsonInt32(nullable=False),
        "IdBook": JsonInt32(nullable=False),
        "Title": JsonString(),
        "Description": JsonString(),
        "PageCount": JsonInt32(nullable=False),
        "Excerpt": JsonString(),
        "PublishDate": JsonString(),
        "Url": JsonString(),
    },
)


def read_error(body: bytes, shape: JsonObject = BOOK) -> tuple[str, str]:
    with pytest.raises(JsonException) as raised:
        deserialize(body, shape)
    return raised.value.path, raised.value.message


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        (
            b"",
            "$",
            "The input does not contain any JSON tokens. Expected the input to start with a "
            "valid JSON token, when isFinalBlock is true. Path: $ | LineNumber: 0 | "
            "BytePositionInLine: 0.",
        ),
        (
            b"   ",
            "$",
            "The input does not contain any JSON tokens. Expected the input to start with a "
            "valid JSON token, when isFinalBlock is true. Path: $ | LineNumber: 0 | "
            "BytePositionInLine: 3.",
        ),
        (
            b"Some non-json text",
            "$",
            "'S' is an invalid start of a value. Path: $ | LineNumber: 0 | BytePositionInLine: 0.",
        ),
        (
            b"test",
            "$",
            "'test' is an invalid JSON literal. Expected the literal 'true'. Path: $ | "
            "LineNumber: 0 | BytePositionInLine: 1.",
        ),
        (
            b"not even json",
            "$",
            "'not even json' is an invalid JSON literal. Expected the literal 'null'. Path: $ | "
            "LineNumber: 0 | BytePositionInLine: 1.",
        ),
        (
            b'{\r\n  "id": foreveryoung,\r\n  "idBook": 0,\r\n  "url": "string"\r\n}',
            "$.id",
            '\'foreveryoung,\r\n  "idBook": 0,\r\n  "url": "string"\r\n}\' is an invalid '
            "JSON literal. Expected the literal 'false'. Path: $.id | LineNumber: 1 | "
            "BytePositionInLine: 9.",
        ),
        (
            b'{\r\n "id": test,\r\n "title": "MyTitle",\r\n "dueDate": '
            b'"2023-06-20T19:47:09.706Z",\r\n "completed": true\r\n}',
            "$.id",
            '\'test,\r\n "title": "MyTitle",\r\n "dueDate": "2023-06-20T19:47:09.706Z",'
            '\r\n "completed": true\r\n}\' is an invalid JSON literal. Expected the literal '
            "'true'. Path: $.id | LineNumber: 1 | BytePositionInLine: 8.",
        ),
        (
            b'{\n  "id": 0,\n  "title": "string",\n  "description": "string",\n  "pageCount": '
            b'fgd,\n  "excerpt": "string",\n  "publishDate": "2023-05-14T11:54:08.215Z"\n}',
            "$.pageCount",
            '\'fgd,\n  "excerpt": "string",\n  "publishDate": "2023-05-14T11:54:08.215Z"\n}\' '
            "is an invalid JSON literal. Expected the literal 'false'. Path: $.pageCount | "
            "LineNumber: 4 | BytePositionInLine: 16.",
        ),
    ],
)
def test_T4_bodies_that_do_not_read_get_dotnets_own_words(
    body: bytes, path: str, message: str
) -> None:
    """T4: messages .NET gave for these bodies, as published."""
    assert read_error(body) == (path, message)


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        (
            b'{"id": 1,}',
            "$",
            "The JSON object contains a trailing comma at the end which is "
            "not supported in this mode. Change the reader options.",
        ),
        (b"[1,]", "$", f"The JSON value could not be converted to {BOOK.type_name}."),
        (b'{"id": 01}', "$.id", "Invalid leading zero before '1'."),
        (
            b'{"id": 1.}',
            "$.id",
            "'}' is invalid within a number, immediately after a decimal "
            "point ('.'). Expected a digit ('0'-'9').",
        ),
        (
            b'{"id": 1e}',
            "$.id",
            "'}' is invalid within a number, immediately after a sign "
            "character ('+' or '-'). Expected a digit ('0'-'9').",
        ),
        (b'{"id": 12a}', "$.id", "'a' is an invalid end of a number. Expected a delimiter."),
        (b'{"id": 1.5x}', "$.id", "'x' is an invalid end of a number. Expected 'E' or 'e'."),
        (b'{"id" 1}', "$", "'1' is invalid after a property name. Expected a ':'."),
        (
            b'{"id": 1 "url": ""}',
            "$",
            "'\"' is invalid after a value. Expected either ',', '}', or ']'.",
        ),
        (
            b'{"url": "a\tb"}',
            "$.url",
            "'0x09' is invalid within a JSON string. The string should be correctly escaped.",
        ),
        (
            b'{"url": "\\q"}',
            "$.url",
            "'q' is an invalid escapable character within a JSON "
            "string. The string should be correctly escaped.",
        ),
        (
            b'{"url": "\\u00g0"}',
            "$.url",
            "'g' is not a hex digit following '\\u' within a "
            "JSON string. The string should be correctly escaped.",
        ),
        (b'{"url": "abc', "$.url", "Expected end of string, but instead reached end of data."),
        (b'{"id": 1} {}', "$", "'{' is invalid after a single JSON value. Expected end of data."),
        (b'{"id": 1', "$.id", "'1' is an invalid end of a number. Expected a delimiter."),
        (
            b'{"id": 1 ',
            "$",
            "Expected depth to be zero at the end of the JSON payload. There "
            "is an open JSON object or array that should be closed.",
        ),
        (b'{"x": [1}', "$.x", "'}' is invalid without a matching open."),
        (
            b'{"x": // note\n 1}',
            "$.x",
            "'/' is invalid after a value. Expected either ',', '}', or ']'.",
        ),
        (b'{"id": null}', "$.id", "The JSON value could not be converted to System.Int32."),
        (b'{"url": 5}', "$.url", "The JSON value could not be converted to System.String."),
        (b'{"url": "\\udc00"}', "$.url", "The JSON value could not be converted to System.String."),
        (b'{"url": "\xff"}', "$.url", "The JSON value could not be converted to System.String."),
        (
            b'{"a b": tru',
            "$['a b']",
            "'tru' is an invalid JSON literal. Expected the literal 'true'.",
        ),
    ],
)
def test_T4_the_reader_stops_where_dotnets_does_and_says_what_it_says(
    body: bytes, path: str, message: str
) -> None:
    """T4: Utf8JsonReader's and JsonSerializer's own messages, at its path and position
    (checked here by the message's start; the positions by the tests above and the API
    tests)."""
    found_path, found = read_error(body)
    assert found_path == path
    assert found.startswith(message + f" Path: {path} | LineNumber: "), found


def test_T3_property_names_match_in_any_case_and_unknown_ones_are_skipped() -> None:
    """T3: PropertyNameCaseInsensitive; anything the shape does not have is read past,
    however nested; a property sent twice keeps its last value."""
    body = b'{"URL": "a", "extra": {"deep": [1, {"x": null}]}, "Url": "b", "IDBOOK": 3}'
    read = deserialize(body, BOOK)
    assert read is not None
    assert (read["Url"], read["IdBook"], read["Id"]) == ("b", 3, None)


@pytest.mark.parametrize(
    ("sent", "value"),
    [
        (b"50", 50),
        (b'"50"', 50),
        (b'"+50"', 50),
        (b'"-0"', 0),
        (b'"007"', 7),
        (b'"\\u0035"', 5),
        (b'"2147483647"', 2147483647),
        (b'"-2147483648"', -2147483648),
        (b"-2147483648", -2147483648),
    ],
)
def test_T3_numbers_are_read_from_json_numbers_and_from_strings(sent: bytes, value: int) -> None:
    """T3: JsonNumberHandling.AllowReadingFromString: a string holding a whole number."""
    read = deserialize(b'{"idBook": ' + sent + b"}", BOOK)
    assert read is not None and read["IdBook"] == value


@pytest.mark.parametrize(
    "sent",
    [b'" 5"', b'"5 "', b'"5.0"', b'"1e2"', b'""', b'"0x10"', b'"2147483648"', b"1e2", b"5.0"],
)
def test_T3_only_whole_int32s_are_numbers(sent: bytes) -> None:
    path, message = read_error(b'{"idBook": ' + sent + b"}")
    assert (path, message.split(" Path:")[0]) == (
        "$.idBook",
        "The JSON value could not be converted to System.Int32.",
    )


def test_T4_a_body_of_null_reads_as_none_and_a_bom_is_skipped() -> None:
    """T4: ASP.NET reports null as an empty body; a UTF-8 byte order mark does not count."""
    assert deserialize(b" null ", BOOK) is None
    read = deserialize(b'\xef\xbb\xbf{"id": 1}', BOOK)
    assert read is not None and read["Id"] == 1
    assert read_error(b'\xef\xbb\xbf{"id": x}')[1].endswith("BytePositionInLine: 7.")


def test_T1_model_state_lists_errors_as_aspnet_does() -> None:
    """T1: "" first; then breadth first by key segment, shorter segments first and equal
    lengths in ordinal order ignoring case; a key's messages in the order added."""
    state = ModelState.of(
        [
            ("uln", "u1"),
            ("$.progress.ksbs[1].value", "deep"),
            ("progress", "p"),
            ("plannedStartDate", "d"),
            ("", "body"),
            ("$", "root"),
            ("uln", "u2"),
            ("Abc", "a"),
            ("$.progress.ksbs[0]", "item"),
        ]
    )
    assert state.errors() == {
        "": ["body"],
        "$": ["root"],
        "Abc": ["a"],
        "uln": ["u1", "u2"],
        "progress": ["p"],
        "plannedStartDate": ["d"],
        "$.progress.ksbs[0]": ["item"],
        "$.progress.ksbs[1].value": ["deep"],
    }
    assert list(state.errors())[-2:] == ["$.progress.ksbs[0]", "$.progress.ksbs[1].value"]
    assert not ModelState().has_errors


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("1000000001", 1000000001),
        ("+1000000001", 1000000001),
        (" 1000000001\u00a0", 1000000001),
        ("0001", 1),
        ("-7", -7),
        ("0x3B9ACA01", 1000000001),
        ("0X3b9aca01", 1000000001),
        ("#3B9ACA01", 1000000001),
        ("&h3B9ACA01", 1000000001),
        ("0x0x10", 16),
        ("0xFFFFFFFFFFFFFFFF", -1),
        ("9223372036854775807", 2**63 - 1),
    ],
)
def test_T1_a_uln_binds_as_dotnets_int64_converter_reads_it(text: str, bound: int) -> None:
    assert modelbinding.bind_int64(text) == bound


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "The value 'abc' is not valid."),
        ("1_000", "The value '1_000' is not valid."),
        ("1e3", "The value '1e3' is not valid."),
        ("9223372036854775808", "The value '9223372036854775808' is not valid."),
        ("0x1FFFFFFFFFFFFFFFF", "The value '0x1FFFFFFFFFFFFFFFF' is not valid."),
        ("0xZZ", "The value '0xZZ' is not valid."),
        ("\u0661", "The value '\u0661' is not valid."),  # only ASCII digits
        ("\u3000", "The value '\u3000' is invalid."),
        ("0x", "The input was not valid."),
        ("0x-1", "The input was not valid."),
    ],
)
def test_T1_a_uln_that_does_not_bind_says_what_aspnet_says(text: str, message: str) -> None:
    with pytest.raises(modelbinding.NotBound) as raised:
        modelbinding.bind_int64(text)
    assert raised.value.message == message


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("2026-01", datetime(2026, 1, 1)),
        ("2026-1", datetime(2026, 1, 1)),
        ("2026-01-01", datetime(2026, 1, 1)),
        (" 2026-01-01 ", datetime(2026, 1, 1)),
        ("2026-01-01T10:30", datetime(2026, 1, 1, 10, 30)),
        ("2026-01-01 10:30:15", datetime(2026, 1, 1, 10, 30, 15)),
        ("2026-01-01T00:00:00.1234567", datetime(2026, 1, 1, 0, 0, 0, 123456)),
        ("2026-01-01T00:00:00Z", datetime(2026, 1, 1)),
        ("2026-01-01T00:00:00 Z", datetime(2026, 1, 1)),
        ("2026-01-01T00:00:00+01:00", datetime(2025, 12, 31, 23)),
        ("2026-01-01T00:00:00+0100", datetime(2025, 12, 31, 23)),
        ("2026-01-01T00:00:00-05", datetime(2026, 1, 1, 5)),
    ],
)
def test_T2_a_start_date_binds_as_aspnets_datetime_binding_reads_it(
    text: str, bound: datetime
) -> None:
    """T2: DateTime.Parse with the invariant culture, AdjustToUniversal | AllowWhiteSpaces."""
    assert modelbinding.bind_datetime(text) == bound


@pytest.mark.parametrize(
    "text", ["2026", "2026-13", "2026-02-29", "2026-01-01T24:00", "2026-01-01T10", "Jan-2026"]
)
def test_T2_a_start_date_that_does_not_bind_is_not_valid(text: str) -> None:
    with pytest.raises(modelbinding.NotBound) as raised:
        modelbinding.bind_datetime(text)
    assert raised.value.message == f"The value '{text}' is not valid."


@pytest.mark.parametrize(
    ("body", "progress"),
    [
        (b"{}", None),
        (b'{"progress": null}', None),
        (b'{"progress": {}}', SubmittedProgress(None)),
        (b'{"progress": {"ksbs": []}}', SubmittedProgress(())),
        (
            b'{"Progress": {"KSBs": [null, {"id": null}, {"ID": "a", "Value": "7"}]}}',
            SubmittedProgress((None, SubmittedKsb(None, None), SubmittedKsb("a", 7))),
        ),
    ],
)
def test_a_body_that_reads_is_the_submission_as_sent(
    body: bytes, progress: SubmittedProgress | None
) -> None:
    submission = binding.bind_submission("1000000001", "2026-01", body, has_body=True)
    assert submission.progress == progress
    assert (submission.uln, submission.planned_start.isoformat()) == (1000000001, "2026-01-01")


def test_T4_no_body_and_a_bad_path_fail_together() -> None:
    with pytest.raises(binding.BindingFailed) as raised:
        binding.bind_submission("0", "2026-01", b"", has_body=False)
    errors: dict[str, Any] = raised.value.errors
    assert errors == {
        "": ["A non-empty request body is required."],
        "uln": [binding.ULN_NOT_POSITIVE],
        "progress": ["The progress field is required."],
    }


# Bodies near the Track progress shape: its property names in several cases, unknown ones,
# values of every JSON kind (numbers as strings too), nested a little.
_NAMES = st.sampled_from(["progress", "Progress", "KSBS", "ksbs", "id", "ID", "value", "x"])
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**33), max_value=2**33)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
    | st.from_regex(r"[+-]?[0-9]{1,11}", fullmatch=True)
)
_JSON = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_NAMES, children, max_size=3),
    max_leaves=12,
)


def _exactly(body: bytes) -> tuple[str, Any]:
    try:
        return "read", _Deserializer(body).root(binding.PROGRESS_DTO)
    except JsonException as error:
        return "refused", (error.path, error.message)


def _as_deserialized(body: bytes) -> tuple[str, Any]:
    try:
        return "read", deserialize(body, binding.PROGRESS_DTO)
    except JsonException as error:
        return "refused", (error.path, error.message)


@given(document=_JSON, cut=st.integers(min_value=0, max_value=400), data=st.data())
def test_T3_T4_the_quick_reading_never_differs_from_the_token_by_token_one(
    document: Any, cut: int, data: st.DataObject
) -> None:
    """T3, T4: most bodies are read by Python's JSON parser and bound by the same rules;
    whatever it reads, the token-by-token reading (which knows .NET's every refusal)
    reads the same; whatever it refuses, .NET's words come from the latter. Also for
    bodies cut short or with a byte changed."""
    body = json.dumps(document, indent=data.draw(st.sampled_from([None, 1]))).encode()
    variants = [body, body[:cut]]
    if body:
        index = cut % len(body)
        variants.append(body[:index] + data.draw(st.binary(min_size=1, max_size=1)) + body[index:])
    for variant in variants:
        assert _as_deserialized(variant) == _exactly(variant), variant
