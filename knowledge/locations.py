"""UN/LOCODE seaports and airports: a small, cached, lazily loaded lookup.

The data file is `knowledge/data/un-locode/locations.csv.gz` (see its `SOURCE.md`):
every UN/LOCODE location that is a seaport or an airport and has coordinates. Nothing is
read at import time; the first call to :func:`load_locations` reads the file once.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LOCATIONS_FILE = Path(__file__).parent / "data" / "un-locode" / "locations.csv.gz"


@dataclass(frozen=True, slots=True)
class Location:
    """One UN/LOCODE location.

    Attributes:
        code: The 5-character UN/LOCODE, e.g. ``"DEHAM"``.
        country: ISO 3166-1 alpha-2 country code.
        name: Location name (may contain diacritics).
        ascii_name: Name without diacritics.
        subdivision: ISO 3166-2 subdivision code without the country prefix, or "".
        function: UN/LOCODE 8-character function classifier.
        iata: IATA code when it differs from the location part of the code, else "".
        lat: Latitude in decimal degrees (WGS84).
        lon: Longitude in decimal degrees (WGS84).
    """

    code: str
    country: str
    name: str
    ascii_name: str
    subdivision: str
    function: str
    iata: str
    lat: float
    lon: float

    @property
    def is_seaport(self) -> bool:
        """True when UN/LOCODE lists a port function (position 1)."""
        return self.function[:1] == "1"

    @property
    def is_airport(self) -> bool:
        """True when UN/LOCODE lists an airport function (position 4)."""
        return self.function[3:4] == "4"


def _fold(text: str) -> str:
    """Lower-case, strip diacritics and collapse spaces, for name matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


@lru_cache(maxsize=1)
def load_locations() -> tuple[Location, ...]:
    """Read every location once and cache it.

    Returns:
        All seaports and airports with coordinates, in file order.
    """
    with gzip.open(LOCATIONS_FILE, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        return tuple(
            Location(
                code=row["country"] + row["location"],
                country=row["country"],
                name=row["name"],
                ascii_name=row["nameWoDiacritics"],
                subdivision=row["subdivision"],
                function=row["function"],
                iata=row["iata"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
            )
            for row in csv.DictReader(text)
        )


@lru_cache(maxsize=1)
def _indexes() -> tuple[dict[str, Location], dict[str, list[Location]]]:
    by_code: dict[str, Location] = {}
    by_name: dict[str, list[Location]] = {}
    for location in load_locations():
        by_code.setdefault(location.code, location)
        for name in {_fold(location.name), _fold(location.ascii_name)}:
            by_name.setdefault(name, []).append(location)
    return by_code, by_name


def _rank(location: Location) -> tuple[int, int]:
    """Prefer locations that are both port and airport, then those with more functions."""
    functions = sum(ch not in "-0" for ch in location.function)
    return (int(location.is_seaport) + int(location.is_airport), functions)


def find_location(code_or_name: str, *, country: str | None = None) -> Location | None:
    """Find a location by UN/LOCODE (``"DEHAM"``, ``"DE HAM"``) or by name.

    Name matching ignores case and diacritics. An exact name wins; otherwise a name that
    starts with, or contains as whole words, the text (``"Frankfurt"`` finds
    "Frankfurt am Main"). Among equals, the place with the most transport functions wins
    (``"Shanghai"`` gives the combined port and airport ``CNSGH``).

    Args:
        code_or_name: A 5-character code (a space after the country is allowed) or a name.
        country: Optional ISO alpha-2 code that a name match must belong to.

    Returns:
        The location, or None when nothing matches.
    """
    by_code, by_name = _indexes()
    text = code_or_name.strip()
    compact = text.replace(" ", "").upper()
    if len(compact) == 5 and compact.isalnum() and compact in by_code:
        found = by_code[compact]
        if country is None or found.country == country.upper():
            return found
    folded = _fold(text)
    candidates = by_name.get(folded, [])
    if country is not None:
        candidates = [c for c in candidates if c.country == country.upper()]
    if candidates:
        return max(candidates, key=_rank)
    return _partial_match(folded, None if country is None else country.upper())


def _partial_match(folded: str, country: str | None) -> Location | None:
    """A name that starts with, or contains as whole words, the query ("Frankfurt")."""
    if len(folded) < 3:
        return None
    pattern = re.compile(r"(^|[\s/(,-])" + re.escape(folded) + r"($|[\s/),-])")
    best: tuple | None = None
    for name, locations in _indexes()[1].items():
        if not pattern.search(name):
            continue
        for location in locations:
            if country is not None and location.country != country:
                continue
            key = (name.startswith(folded), _rank(location), -len(name))
            if best is None or key > best[0]:
                best = (key, location)
    return None if best is None else best[1]
