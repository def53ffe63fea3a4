"""The IfATE standards file reader refuses what is not a standards file, in one sentence."""

from __future__ import annotations

import pytest

from apprenticeships.referencedata.importer import ImportFileError, ImportReport, parse_standards


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"{not json",
            "the file is not JSON: Expecting property name enclosed in double quotes at line 1 column 2",
        ),
        (b"\xff\xfe", "the file is not JSON: Expecting value at line 1 column 1"),
        (b"[" * 100_000 + b"]" * 100_000, "the file is not JSON: nested too deeply"),
        (b'"standards"', "the file must hold a JSON list of standards"),
        (b"[1]", "entry 1 is not a JSON object"),
    ],
)
def test_a_file_that_is_not_a_standards_list_is_refused(content: bytes, message: str) -> None:
    with pytest.raises(ImportFileError) as raised:
        parse_standards(content, ImportReport())
    assert str(raised.value) == message
