"""Embargoed and sanctioned destinations (``embargoes.json``): buyer requests not offered."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Restriction:
    """Why requests from one destination are not offered."""

    country: str
    name: str
    level: str  # comprehensive | restricted
    basis: str


@dataclass(frozen=True)
class EmbargoList:
    as_of: str
    sources: tuple[dict[str, str], ...]
    destinations: dict[str, Restriction]

    def restriction(self, country: str) -> Restriction | None:
        """The restriction on ``country`` (ISO alpha-2), or None when requests may be offered."""
        return self.destinations.get(country.upper())


@lru_cache(maxsize=1)
def embargo_list() -> EmbargoList:
    """The bundled list, read once."""
    data = json.loads(resources.files("bot.flows").joinpath("embargoes.json").read_text("utf-8"))
    destinations = {code: Restriction(code, d["name"], d["level"], d["basis"])
                    for code, d in data["destinations"].items()}
    return EmbargoList(data["as_of"], tuple(data["sources"]), destinations)
