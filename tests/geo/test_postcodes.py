"""Recognising UK postcodes and writing them the canonical way."""

from __future__ import annotations

import csv
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apprenticeships.geo.postcodes import AREAS, area, normalise, normalise_outcode, outcode
from apprenticeships.geo.service import shipped_districts


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("LS1 4AB", "LS1 4AB"),
        ("ls14ab", "LS1 4AB"),
        (" LS1  4AB ", "LS1 4AB"),
        ("Ls1\t4aB", "LS1 4AB"),
        ("LS1\u00a04AB", "LS1 4AB"),  # a no-break space, as pasted from web pages
        ("M1 1AE", "M1 1AE"),  # A9 9AA
        ("B33 8TH", "B33 8TH"),  # A99 9AA
        ("CR2 6XH", "CR2 6XH"),  # AA9 9AA
        ("DN55 1PT", "DN55 1PT"),  # AA99 9AA
        ("W1A 0AX", "W1A 0AX"),  # A9A 9AA
        ("e1w1aa", "E1W 1AA"),
        ("EC1A 1BB", "EC1A 1BB"),  # AA9A 9AA
        ("sw1a2aa", "SW1A 2AA"),
        ("GIR 0AA", "GIR 0AA"),
        ("gir0aa", "GIR 0AA"),
        ("EH1 1YZ", "EH1 1YZ"),  # Scotland
        ("KW15 1BX", "KW15 1BX"),
        ("ZE1 0AA", "ZE1 0AA"),
        ("CF10 1EP", "CF10 1EP"),  # Wales
        ("ll11 2ab", "LL11 2AB"),
        ("BT1 5GS", "BT1 5GS"),  # Northern Ireland
        ("JE2 3AB", "JE2 3AB"),  # Crown dependencies
        ("GY1 1AA", "GY1 1AA"),
        ("IM1 1AE", "IM1 1AE"),
        ("BL0 9AA", "BL0 9AA"),  # district 0
    ],
)
def test_valid_postcodes_are_written_the_canonical_way(text: str, canonical: str) -> None:
    assert normalise(text) == canonical


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "LS1",  # a district, not a postcode
        "4AB",
        "LS1 4A",
        "LS1 4ABC",
        "LS14ABB",
        "LS1 4AB X",
        "EC1A1BBB",
        "LS1 4AB" + " " * 30,  # too long to be worth reading
        "L S1 4AB",  # spaces inside the outward code
        "LS1 4 AB",  # or the inward code
        "LS1-4AB",
        "LS1 AAB",  # the inward code starts with a digit
        "111 1AA",
        "Q1 1AA",  # 1st letter never Q, V or X
        "V1 1AA",
        "X1 1AA",
        "AI1 1AA",  # 2nd letter never I, J or Z
        "BJ1 1AA",
        "CZ1 1AA",
        "W1I 1AA",  # 3rd character of A9A only A B C D E F G H J K P S T U W
        "W1L 1AA",
        "E1M 1AA",
        "EC1C 1AA",  # 4th character of AA9A only A B E H M N P R V W X Y
        "SW1D 1AA",
        "LS1 4CA",  # inward letters never C, I, K, M, O or V
        "LS1 4AI",
        "LS1 4KA",
        "LS1 4AM",
        "LS1 4OA",
        "LS1 4AV",
        "GIR 0AB",
        "G IR 0AA",
        "BFPO 1234",  # British Forces addresses are not UK postcodes
        "BFPO1234",
        "BF1 3AA",
        "GX11 1AA",  # Gibraltar: well-formed, but not a UK area
        "ZA1 1AA",  # well-formed, but no such area
        "ＬＳ1 4AB",  # full-width letters
        "\u212aT1 1AA",  # the Kelvin sign is not a K
    ],
)
def test_invalid_postcodes_are_refused(text: str) -> None:
    assert normalise(text) is None


@pytest.mark.parametrize(
    ("postcode", "district", "postcode_area"),
    [
        ("ls14ab", "LS1", "LS"),
        ("M1 1AE", "M1", "M"),
        ("DN55 1PT", "DN55", "DN"),
        ("W1A 0AX", "W1A", "W"),
        ("EC1A 1BB", "EC1A", "EC"),
        ("GIR 0AA", "GIR", "GIR"),
    ],
)
def test_outcode_and_area(postcode: str, district: str, postcode_area: str) -> None:
    assert outcode(postcode) == district
    assert area(postcode) == postcode_area


def test_outcode_and_area_refuse_what_is_not_a_postcode() -> None:
    with pytest.raises(ValueError, match="not a UK postcode"):
        outcode("LS1")
    with pytest.raises(ValueError, match="not a UK postcode"):
        area("BFPO 1234")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [(" ls1 ", "LS1"), ("EC1A", "EC1A"), ("w1a", "W1A"), ("GIR", "GIR"), ("BT1", "BT1")],
)
def test_valid_outcodes(text: str, canonical: str) -> None:
    assert normalise_outcode(text) == canonical


@pytest.mark.parametrize("text", ["", "LS", "LS1 4AB", "L S1", "SW1C", "BF1", "GX11", "Q1"])
def test_invalid_outcodes(text: str) -> None:
    assert normalise_outcode(text) is None


def test_areas_are_those_of_the_shipped_area_list() -> None:
    text = resources.files("apprenticeships.geo").joinpath("data/postcode_areas.csv")
    shipped = {row["area"] for row in csv.DictReader(text.read_text("utf-8").splitlines())}
    assert shipped == AREAS


def test_every_shipped_district_is_a_valid_outcode() -> None:
    districts = shipped_districts()
    assert len(districts) > 2_900
    assert [d for d in districts if normalise_outcode(d) != d] == []


_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_DISTRICTS = sorted(shipped_districts())


@given(
    district=st.sampled_from(_DISTRICTS),
    digit=st.integers(0, 9),
    letters=st.text(_INWARD_LETTERS, min_size=2, max_size=2),
    lower=st.booleans(),
    spaces=st.sampled_from(["", " ", "  ", "\t"]),
)
def test_any_real_district_with_a_valid_inward_code_is_a_postcode(
    district: str, digit: int, letters: str, lower: bool, spaces: str
) -> None:
    canonical = f"{district} {digit}{letters}"
    text = f"{district}{spaces}{digit}{letters}"
    assert normalise(text.lower() if lower else text) == canonical
    assert outcode(canonical) == district
    assert normalise(canonical) == canonical  # canonical forms are fixed points
