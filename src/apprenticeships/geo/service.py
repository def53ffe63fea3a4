"""Where a postcode is, and whether it is in England. No network calls, ever.

A full postcode is placed by the first of:

1. its own centroid, if a postcode file was imported (``geo import``): precision
   ``"postcode"``;
2. its district's (outcode's) imported centroid: precision ``"district"``;
3. its district's centre shipped in ``geo/data/outcodes.csv``: precision ``"district"``.

How the imported table is read (measured with 1.65 million imported postcodes on a
2-core machine): a primary-key query per lookup takes about 0.5 ms on PostgreSQL and
0.8 ms on SQLite inside a session, 0.8 and 1.2 ms when it opens a session of its own. Holding the table in memory instead
would cost every process 13-15 s at start-up and again after every import, plus 40 MB
as numpy arrays or 440 MB as Python objects, and would need a reload signal across
processes; postcodes are only looked up when adverts are written, so the query wins.
``locate_many`` answers many postcodes in one query. The shipped districts (2,968) are
held in memory.

Cross-border districts (see ``geo/data/SOURCES.md``): the shipped data gives each
district one country, so a few postcodes near the England-Wales and England-Scotland
borders get the wrong one. CH4 (Saltney, Broughton), SY10 and SY13 are counted as
England though parts are in Wales; HR3 as England though it includes Hay-on-Wye
(Powys); TD15 as England though it reaches some Scottish villages; SY15, SY22, LD7, LD8,
NP16 and NP25 as Wales and TD12 as Scotland though each includes some English
addresses. Importing the ONS Postcode Directory, which gives every postcode its own
country, makes these exact.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.geo.postcodes import normalise
from apprenticeships.geo.repository import Centroid, GeoRepository

ENGLAND = "England"
Precision = Literal["postcode", "district"]

# Keys per query in ``locate_many``: two per postcode, well inside every driver's limit.
_KEYS_PER_QUERY = 1_000


@dataclass(frozen=True, slots=True)
class Located:
    latitude: float
    longitude: float
    country: str  # England, Wales, Scotland, Northern Ireland, Channel Islands, Isle of Man
    precision: Precision

    @property
    def in_england(self) -> bool:
        """Decided by district unless the postcode itself was imported (see the module's
        notes on cross-border districts)."""
        return self.country == ENGLAND


@cache
def shipped_districts() -> Mapping[str, Located]:
    """The district centres shipped in ``geo/data/outcodes.csv``, by outcode."""
    text = resources.files(__package__).joinpath("data/outcodes.csv").read_text("utf-8")
    return {
        row["outcode"]: Located(
            float(row["latitude"]), float(row["longitude"]), row["country"], "district"
        )
        for row in csv.DictReader(text.splitlines())
    }


class Geocoder:
    """Build one per process with ``await Geocoder.load(sessions)`` and share it.

    ``sessions`` reach the imported centroids; without them (``Geocoder(districts)``)
    only the shipped district centres are used. A lookup may instead be given the
    caller's own session, to read inside its transaction.
    """

    def __init__(
        self,
        districts: Mapping[str, Located],
        sessions: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self._districts = dict(districts)
        self._sessions = sessions

    @classmethod
    async def load(cls, sessions: async_sessionmaker[AsyncSession] | None) -> Geocoder:
        """Read the shipped districts (off the event loop) and attach the database."""
        return cls(await asyncio.to_thread(shipped_districts), sessions)

    async def locate(self, postcode: str, session: AsyncSession | None = None) -> Located | None:
        """Where a full postcode is, or ``None`` if it is not a postcode or its district is
        unknown (check ``postcodes.normalise`` first to tell the two apart)."""
        return (await self.locate_many([postcode], session)).get(postcode)

    async def locate_many(
        self, postcodes: Iterable[str], session: AsyncSession | None = None
    ) -> dict[str, Located | None]:
        """``locate`` for many postcodes in as few queries as possible, keyed by the
        postcodes as given."""
        given = list(dict.fromkeys(postcodes))
        canonical = {text: normalise(text) for text in given}
        valid = sorted({c for c in canonical.values() if c is not None})
        imported = await self._imported(valid, session)
        located: dict[str, Located | None] = {}
        for text in given:
            postcode = canonical[text]
            if postcode is None:
                located[text] = None
                continue
            district = _outcode(postcode)
            if (exact := imported.get(postcode)) is not None:
                located[text] = _located(exact, "postcode")
            elif (approximate := imported.get(district)) is not None:
                located[text] = _located(approximate, "district")
            else:
                located[text] = self._districts.get(district)
        return located

    async def _imported(
        self, postcodes: Sequence[str], session: AsyncSession | None
    ) -> dict[str, Centroid]:
        if not postcodes:
            return {}
        if session is not None:
            return await _find(GeoRepository(session), postcodes)
        if self._sessions is None:
            return {}
        async with self._sessions() as own:
            return await _find(GeoRepository(own), postcodes)


async def _find(repository: GeoRepository, postcodes: Sequence[str]) -> dict[str, Centroid]:
    found: dict[str, Centroid] = {}
    step = _KEYS_PER_QUERY // 2
    for start in range(0, len(postcodes), step):
        chunk = postcodes[start : start + step]
        found |= await repository.find({key for p in chunk for key in (p, _outcode(p))})
    return found


def _outcode(canonical: str) -> str:
    return canonical.split(" ", 1)[0]


def _located(centroid: Centroid, precision: Precision) -> Located:
    return Located(centroid.latitude, centroid.longitude, centroid.country, precision)
