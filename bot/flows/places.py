"""Ports and cities → UN/LOCODE for shipping, with the choices when a name is ambiguous."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from knowledge.locations import Location, find_location, load_locations

MAX_CHOICES = 4


@dataclass(frozen=True)
class Place:
    """A resolved location as the flows keep it in state."""

    code: str
    name: str
    country: str

    def label(self) -> str:
        return f"{self.name} ({self.code})"

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name, "country": self.country}


def _fold(text: str) -> str:
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


@lru_cache(maxsize=1)
def _by_name() -> dict[str, list[Location]]:
    names: dict[str, list[Location]] = {}
    for location in load_locations():
        for name in {_fold(location.name), _fold(location.ascii_name)}:
            names.setdefault(name, []).append(location)
    return names


def _weight(location: Location) -> tuple[int, int]:
    functions = sum(ch not in "-0" for ch in location.function)
    return int(location.is_seaport) + int(location.is_airport), functions


def place_of(location: Location) -> Place:
    return Place(location.code, location.name, location.country)


def by_code(code: str) -> Place | None:
    location = find_location(code)
    return place_of(location) if location else None


def resolve(text: str) -> list[Place]:
    """Candidates for a typed place: one when clear, several (one per country) when not.

    An exact name shared by places in different countries ("Portland", "Valencia") gives
    the best-equipped place of each country, so the merchant can pick; no exact name falls
    back to the knowledge lookup (codes, partial names).
    """
    text = text.strip().strip(".!?。？")
    if not text:
        return []
    exact = _by_name().get(_fold(text), [])
    if exact:
        best: dict[str, Location] = {}
        for location in exact:
            if location.country not in best or _weight(location) > _weight(best[location.country]):
                best[location.country] = location
        ranked = sorted(best.values(), key=_weight, reverse=True)
        return [place_of(loc) for loc in ranked[:MAX_CHOICES]]
    found = find_location(text)
    return [place_of(found)] if found else []


@lru_cache(maxsize=1)
def _curated_names() -> dict[str, str]:
    """UN/LOCODE → English name from the NLU's curated port list."""
    from bot.nlu.entities.locations import curated_ports

    names: dict[str, str] = {}
    for name, code in curated_ports().items():
        if name.isascii() and code not in names:
            names[code] = name
    return names


def from_entity(code: str) -> Place | None:
    """A place from the NLU's location entity, preferring a seaport of the same name.

    The NLU's curated list and the UN/LOCODE extract do not always agree on which code of
    a city is its port (e.g. a city's airport code); the better-equipped place of the same
    name and country wins, so that sea freight can be quoted.
    """
    location = find_location(code)
    if location is not None and location.is_seaport:
        return place_of(location)
    name = _curated_names().get(code)
    if name:
        same_country = [p for p in resolve(name) if p.country == code[:2]]
        if same_country:
            return same_country[0]
    return place_of(location) if location else None
