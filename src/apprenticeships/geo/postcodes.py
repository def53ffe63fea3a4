"""UK postcodes: recognise one and write it the canonical way ("LS1 4AB"). Pure functions.

A postcode is an outward code (area letters, district digits, sometimes a letter) and an
inward code (a digit and two letters). The format rules are Royal Mail's, as published in
the GOV.UK data standards (BS 7666):

| format  | example  | letter rules                                      |
|---------|----------|---------------------------------------------------|
| A9 9AA  | M1 1AE   | 1st letter: not Q, V, X                           |
| A99 9AA | B33 8TH  |                                                   |
| AA9 9AA | CR2 6XH  | 2nd letter: not I, J, Z                           |
| AA99 9AA| DN55 1PT |                                                   |
| A9A 9AA | W1A 1HQ  | 3rd character: only A B C D E F G H J K P S T U W |
| AA9A 9AA| EC1A 1BB | 4th character: only A B E H M N P R V W X Y       |

The inward code's letters are never C, I, K, M, O or V. ``GIR 0AA`` (once Girobank) is the
one postcode outside these rules and is accepted.

On top of the format, the area must be one of the 121 UK postcode areas or the Crown
dependencies' GY, JE and IM (the areas in ``geo/data/postcode_areas.csv``). That turns away
well-formed codes that are not UK postcodes: British Forces ``BFPO`` numbers and their
``BF1`` postcodes, and Gibraltar's ``GX11 1AA``. Whether the district exists is the
geocoder's question, not this module's.
"""

from __future__ import annotations

import re
import string

# The areas in geo/data/postcode_areas.csv (tests/geo checks the two agree). Kept here so
# that recognising a postcode needs no file.
_AREA_CODES = (
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN "
    "DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY "
    "L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S "
    "SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR "
    "WS WV YO ZE"
)
AREAS = frozenset(_AREA_CODES.split())

GIROBANK = "GIR 0AA"

_FIRST = "[A-PR-UWYZ]"  # not Q, V, X
_SECOND = "[A-HK-Y]"  # not I, J, Z
_THIRD = "[ABCDEFGHJKPSTUW]"  # the letter of an A9A district
_FOURTH = "[ABEHMNPRVWXY]"  # the letter of an AA9A district
_OUTWARD = (
    f"{_FIRST}[0-9][0-9]?"  # A9, A99
    f"|{_FIRST}{_SECOND}[0-9][0-9]?"  # AA9, AA99
    f"|{_FIRST}[0-9]{_THIRD}"  # A9A
    f"|{_FIRST}{_SECOND}[0-9]{_FOURTH}"  # AA9A
)
_INWARD = "[0-9][ABD-HJLNP-UW-Z]{2}"  # not C, I, K, M, O, V
_OUTCODE = re.compile(_OUTWARD, re.ASCII)
_POSTCODE = re.compile(f"(?P<outward>{_OUTWARD})(?P<inward>{_INWARD})", re.ASCII)
_LETTERS = string.ascii_uppercase

# Longest canonical postcode ("EC1A 1BB"); anything much longer is not worth parsing.
_MAX_INPUT = 32


def normalise(text: str) -> str | None:
    """The postcode in canonical form, or ``None`` if ``text`` is not a UK postcode.

    Case does not matter, and spaces (any number, or none) may stand before, after and
    between the outward and inward codes, but not inside them: ``"ls14ab"`` and
    ``" LS1  4AB "`` are ``"LS1 4AB"``; ``"L S1 4AB"`` is not a postcode.
    """
    if len(text) > _MAX_INPUT:
        return None
    parts = text.split()
    if not 1 <= len(parts) <= 2:
        return None
    compact = "".join(parts)
    if not compact.isascii():
        return None
    compact = compact.upper()
    if compact == "GIR0AA":
        return GIROBANK if len(parts) == 1 or parts[0].upper() == "GIR" else None
    match = _POSTCODE.fullmatch(compact)
    if match is None or _area_of(match["outward"]) not in AREAS:
        return None
    if len(parts) == 2 and parts[0].upper() != match["outward"]:
        return None  # a space inside the outward or inward code
    return f"{match['outward']} {match['inward']}"


def normalise_outcode(text: str) -> str | None:
    """The outward code (postcode district) in canonical form, or ``None``: ``" ls1"`` is
    ``"LS1"``. ``"GIR"`` is accepted as the district of ``GIR 0AA``."""
    if len(text) > _MAX_INPUT:
        return None
    compact = text.strip()
    if not compact.isascii():
        return None
    compact = compact.upper()
    if compact == "GIR":
        return compact
    if _OUTCODE.fullmatch(compact) is None or _area_of(compact) not in AREAS:
        return None
    return compact


def outcode(postcode: str) -> str:
    """The outward code (district) of a postcode: ``"ls1 4ab"`` gives ``"LS1"``.

    Raises ``ValueError`` if ``postcode`` is not a UK postcode.
    """
    return _canonical(postcode).split(" ")[0]


def area(postcode: str) -> str:
    """The postcode area, the outward code's letters: ``"EC1A 1BB"`` gives ``"EC"``.

    Raises ``ValueError`` if ``postcode`` is not a UK postcode.
    """
    return _area_of(outcode(postcode))


def _area_of(outward: str) -> str:
    return outward[: len(outward) - len(outward.lstrip(_LETTERS))]


def _canonical(postcode: str) -> str:
    canonical = normalise(postcode)
    if canonical is None:
        raise ValueError(f"not a UK postcode: {postcode!r}")
    return canonical
