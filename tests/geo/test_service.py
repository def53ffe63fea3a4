"""Placing postcodes: imported centroids first, then the shipped district centres."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.geo.postcodes import normalise
from apprenticeships.geo.repository import Centroid
from apprenticeships.geo.service import Geocoder, Located, shipped_districts
from tests.geo.builders import import_centroids, km_between

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture(scope="module")
def shipped() -> Geocoder:
    return Geocoder(shipped_districts())


async def in_england(geocoder: Geocoder, postcode: str) -> bool | None:
    """What the Recruitment API decides about a postcode (None: it cannot be placed)."""
    located = await geocoder.locate(postcode)
    return None if located is None else located.in_england


def shipped_district(postcode: str) -> Located | None:
    """The shipped data's centre of the postcode's district."""
    canonical = normalise(postcode)
    return None if canonical is None else shipped_districts().get(canonical.split()[0])


@pytest.mark.parametrize(
    ("postcode", "country", "near", "within_km"),
    [
        ("LS1 4AP", "England", (53.7997, -1.5492), 3),  # Leeds city centre
        ("ls28 5aa", "England", (53.7997, -1.5492), 15),  # Pudsey, Leeds
        ("CF10 1EP", "Wales", (51.4816, -3.1791), 3),  # Cardiff
        ("EH1 1YZ", "Scotland", (55.9533, -3.1883), 3),  # Edinburgh
        ("BT1 5GS", "Northern Ireland", (54.5973, -5.9301), 3),  # Belfast
        ("JE2 3AB", "Channel Islands", (49.1866, -2.1064), 10),  # St Helier
        ("IM1 1AE", "Isle of Man", (54.1523, -4.4861), 5),  # Douglas
    ],
)
async def test_shipped_district_centres_place_postcodes_near_their_town(
    shipped: Geocoder, postcode: str, country: str, near: tuple[float, float], within_km: float
) -> None:
    located = await shipped.locate(postcode)

    assert located is not None
    assert (located.country, located.precision) == (country, "district")
    assert km_between(located.latitude, located.longitude, *near) < within_km
    assert await in_england(shipped, postcode) is (country == "England")
    assert shipped_district(postcode) == located


@pytest.mark.parametrize(
    ("postcode", "english"),
    [
        ("CH1 1AA", True),  # Chester
        ("CH5 1AA", False),  # Deeside, in Wales though the CH area is mostly English
        ("SY1 1AA", True),  # Shrewsbury
        ("SY23 1AA", False),  # Aberystwyth
        ("TD1 1AA", False),  # Galashiels
        ("TD15 1AA", True),  # Berwick-upon-Tweed, in England though the TD area is Scottish
        ("NP16 5AA", False),  # a district astride the border counts as its main country
    ],
)
async def test_cross_border_areas_are_decided_by_district(
    shipped: Geocoder, postcode: str, english: bool
) -> None:
    assert await in_england(shipped, postcode) is english


@pytest.mark.parametrize(
    "postcode",
    [
        "not a postcode",
        "LS1",  # a district is not a postcode
        "BFPO 1234",
        "AB1 1AA",  # a terminated district: well-formed, but nowhere now
        "GIR 0AA",  # valid, but the shipped data has no district for it
    ],
)
async def test_what_cannot_be_placed_is_none(shipped: Geocoder, postcode: str) -> None:
    assert await shipped.locate(postcode) is None
    assert await in_england(shipped, postcode) is None


async def test_locate_many_answers_each_postcode_as_given(shipped: Geocoder) -> None:
    found = await shipped.locate_many(["ls1 4ap", "LS1 4AP", "nonsense", "ls1 4ap"])

    assert list(found) == ["ls1 4ap", "LS1 4AP", "nonsense"]
    assert found["ls1 4ap"] == found["LS1 4AP"] == shipped_district("LS1 4AP")
    assert found["nonsense"] is None


async def test_an_imported_postcode_beats_the_district_centre(sessions: Sessions) -> None:
    await import_centroids(
        sessions,
        Centroid("LS1 4AP", 53.796362, -1.546542, "England"),
        # A district centre of its own beats the shipped one for the district's other postcodes.
        Centroid("CF10", 51.47, -3.17, "Wales"),
        # And a postcode's own country beats its district's (CH4 is English as a whole).
        Centroid("CH4 0AA", 53.18, -2.98, "Wales"),
    )
    geocoder = await Geocoder.load(sessions)
    shipped = shipped_districts()

    assert await geocoder.locate("ls1 4ap") == Located(53.796362, -1.546542, "England", "postcode")
    assert await geocoder.locate("LS1 4AB") == shipped["LS1"]
    assert await geocoder.locate("CF10 1EP") == Located(51.47, -3.17, "Wales", "district")
    assert await in_england(geocoder, "CH4 0AA") is False
    assert await in_england(geocoder, "CH4 7AA") is True

    async with sessions() as session:  # or inside the caller's own transaction
        many = await geocoder.locate_many(["LS1 4AP", "CF10 1EP", "EH1 1YZ", "nope"], session)
    assert {text: (p.precision if p else None) for text, p in many.items()} == {
        "LS1 4AP": "postcode",
        "CF10 1EP": "district",
        "EH1 1YZ": "district",
        "nope": None,
    }


async def test_a_lookup_sees_an_import_made_after_the_geocoder_was_built(
    sessions: Sessions,
) -> None:
    geocoder = await Geocoder.load(sessions)
    assert (await geocoder.locate("EH1 1YZ")) == shipped_districts()["EH1"]

    await import_centroids(sessions, Centroid("EH1 1YZ", 55.9521, -3.1893, "Scotland"))

    assert await geocoder.locate("EH1 1YZ") == Located(55.9521, -3.1893, "Scotland", "postcode")


async def test_locate_many_queries_in_chunks(sessions: Sessions) -> None:
    postcodes = [
        f"LS{n} {d}{a}{b}" for n in range(1, 30) for d in range(10) for a in "AB" for b in "DE"
    ]
    await import_centroids(sessions, *(Centroid(p, 53.8, -1.55, "England") for p in postcodes[::7]))
    geocoder = await Geocoder.load(sessions)

    found = await geocoder.locate_many(postcodes)

    assert len(postcodes) > 1_000
    exact = {p for p, located in found.items() if located and located.precision == "postcode"}
    assert exact == set(postcodes[::7])
