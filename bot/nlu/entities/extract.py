"""One pass over a message that runs every extractor in a fixed order.

Order matters: an extractor blanks out what it claimed so that later ones do not read
it again ("SHP-2040" is no 20/40 ft container, "1.234,50 €" is no HS code "1234.50",
"12 USD/kg" is no quantity of kilograms).
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from ..results import Entities
from .codes import IdPatterns, find_hs_codes, find_ids, find_incoterms
from .countries import country_names, find_countries
from .dates import find_dates
from .locations import find_locations
from .money import find_money
from .quantities import find_quantities

_DEFAULT_IDS = IdPatterns()
# Regions are not places to ship to: "demand in Europa" is no port "Europa Point".
_REGIONS = frozenset({
    "europe", "europa", "asia", "asien", "asie", "africa", "afrika", "afrique", "áfrica",
    "america", "amerika", "amérique", "américa", "latin america", "lateinamerika",
    "latinoamérica", "amérique latine", "middle east", "nahost", "oriente medio",
    "moyen-orient", "scandinavia", "skandinavien", "escandinavia", "scandinavie", "oceania",
    "ozeanien", "océanie", "the world", "welt", "mundo", "monde", "eu", "asean",
})


def _mask(text: str, spans) -> str:
    chars = list(text)
    for start, end, *_ in spans:
        for i in range(start, end):
            chars[i] = " "
    return "".join(chars)


def _unique(values):
    seen, out = set(), []
    for value in values:
        if value not in seen:
            seen.add(value)
            out.append(value)
    return out


def _place_at_start(text: str):
    """Recognise a place at the start of ``text`` (for "FOB Shanghai")."""
    first = re.match(r"(?:port of |port de |puerto de |hafen )?", text, flags=re.IGNORECASE)
    offset = first.end() if first else 0
    for start, end, _code in find_locations(text[offset:offset + 60], skip_words=_country_words()):
        if start == 0:
            return offset + end, text[offset:offset + end]
        break
    for start, end, _code in find_countries(text[offset:offset + 60]):
        if start == 0:
            return offset + end, text[offset:offset + end]
        break
    return None


@functools.lru_cache(maxsize=1)
def _country_words() -> frozenset[str]:
    insensitive, sensitive = country_names()
    return frozenset(insensitive) | frozenset(n.lower() for n in sensitive) | _REGIONS


def extract_entities(
    text: str,
    language: str,
    today: dt.date | None = None,
    *,
    id_patterns: IdPatterns | None = None,
) -> Entities:
    """Extract every entity of one message.

    Args:
        text: The message as the user wrote it.
        language: ISO 639-1 code of the message (number separators, date order).
        today: Reference day for relative dates; defaults to the local date.
        id_patterns: The platform's listing/shipment id shapes.

    Returns:
        The :class:`~bot.nlu.results.Entities`, each list in order of appearance.

    Examples:
        >>> e = extract_entities("2 x 40ft FOB Shanghai, 12 USD/kg", "en")
        >>> e.quantities[0].unit, e.incoterms[0].place, e.money[0].per_unit
        ('40ft', 'Shanghai', 'kg')
    """
    today = today or dt.date.today()
    patterns = id_patterns or _DEFAULT_IDS
    entities = Entities()
    listings, shipments = find_ids(text, patterns)
    entities.listing_ids = _unique(v for _, _, v in listings)
    entities.shipment_ids = _unique(v for _, _, v in shipments)
    rest = _mask(text, listings + shipments)

    incoterms = find_incoterms(rest, _place_at_start)
    entities.incoterms = _unique(v for _, _, v in incoterms)
    # Keep the place visible to the location and country extractors.
    rest_codes = _mask(rest, [(s, s + 3) for s, _, _ in incoterms])

    money = find_money(rest_codes, language)
    entities.money = _unique(v for _, _, v in money)
    rest_codes = _mask(rest_codes, money)

    dates = find_dates(rest_codes, language, today)
    entities.dates = _unique(v for _, _, v in dates)
    rest_codes = _mask(rest_codes, dates)

    hs_codes = find_hs_codes(rest_codes)
    entities.hs_codes = _unique(v for _, _, v in hs_codes)
    rest_codes = _mask(rest_codes, hs_codes)

    quantities = find_quantities(rest_codes, language)
    entities.quantities = _unique(v for _, _, v in quantities)

    countries = find_countries(rest_codes)
    entities.countries = _unique(v for _, _, v in countries)
    locations = find_locations(rest_codes, skip_words=_country_words())
    entities.locations = _unique(v for _, _, v in locations)
    return entities
