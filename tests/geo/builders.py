"""Small postcode CSV files and imported centroids for the geo tests."""

from __future__ import annotations

import math
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.geo.repository import Centroid, GeoRepository
from apprenticeships.storage.engine import unit_of_work

# An ONSPD-shaped file (a few of its columns, in its order and spelling). Line numbers
# matter to the tests: the header is line 1.
ONSPD_SAMPLE = """\
pcd7,pcd8,pcds,dointr,doterm,ctry25cd,rgn25cd,lat,long
LS1 4AP,LS1  4AP,LS1 4AP,198001,,E92000001,E12000003,53.796362,-1.546542
XX1 1XX,XX1  1XX,XX1 1XX,198001,,E92000001,E12000003,53.0,-1.0
CF101EP,CF10 1EP,CF10 1EP,198001,,W92000004,W99999999,51.481,-3.1788
LS2 7HY,LS2  7HY,LS2 7HY,198001,,E92000001,E12000003,not-a-number,-1.55
EH1 1YZ,EH1  1YZ,EH1 1YZ,198001,,S92000003,S99999999,55.9521,-3.1893

BT1 5GS,BT1  5GS,BT1 5GS,198001,,N92000002,N99999999,54.5973,-5.9301
LS6 9ZZ,LS6  9ZZ,LS6 9ZZ,198001,,E92000001,E12000003,99.999999,0.000000
LS9 9AA,LS9  9AA,LS9 9AA,198001,200512,E92000001,E12000003,53.8,-1.5
M1  1AE,M1   1AE,M1 1AE,198001,,E92000001,E12000002,0.0,0.0
JE2 3AB,JE2  3AB,JE2 3AB,198001,,L93000001,L99999999,49.1865,-2.1047
LS7 1AA,LS7  1AA,LS7 1AA,198001,,Z99999999,E12000003,53.82,-1.54
"""

# What ONSPD_SAMPLE should give, by key.
ONSPD_EXPECTED = {
    "LS1 4AP": Centroid("LS1 4AP", 53.796362, -1.546542, "England"),
    "CF10 1EP": Centroid("CF10 1EP", 51.481, -3.1788, "Wales"),
    "EH1 1YZ": Centroid("EH1 1YZ", 55.9521, -3.1893, "Scotland"),
    "BT1 5GS": Centroid("BT1 5GS", 54.5973, -5.9301, "Northern Ireland"),
    "JE2 3AB": Centroid("JE2 3AB", 49.1865, -2.1047, "Channel Islands"),
}

# (line, reason, value) of every line ONSPD_SAMPLE skips.
ONSPD_SKIPPED = [
    (3, "not a UK postcode", "XX1 1XX"),
    (5, "coordinates not numbers", "LS2 7HY not-a-number,-1.55"),
    (9, "no coordinates", "LS6 9ZZ 99.999999,0.000000"),
    (11, "coordinates outside the UK", "M1 1AE 0.0,0.0"),
    (13, "unknown country", "LS7 1AA Z99999999"),
]


def write_csv(directory: Path, text: str, name: str = "postcodes.csv") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


async def import_centroids(
    sessions: async_sessionmaker[AsyncSession], *centroids: Centroid
) -> None:
    async with unit_of_work(sessions) as session:
        await GeoRepository(session).upsert(list(centroids))


async def stored(sessions: async_sessionmaker[AsyncSession], *keys: str) -> dict[str, Centroid]:
    async with sessions() as session:
        return await GeoRepository(session).find(keys)


async def stored_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return await GeoRepository(session).count()


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))
