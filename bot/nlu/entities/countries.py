"""Country names in English, German, Chinese, Spanish and French -> ISO 3166-1 alpha-2.

Names come from Babel's territory names in our five locales, pycountry's English names
and our own list (``data/country_aliases.json``: "USA", "the States", "UK", demonyms).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from importlib import resources

from ..results import SUPPORTED_LANGUAGES

_HAN = re.compile(r"[\u3400-\u9fff]")


def strip_accents(text: str) -> str:
    """Return ``text`` without combining accents ("México" -> "Mexico")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _variants(name: str) -> set[str]:
    """A name, its accent-free form and its form without a parenthesised qualifier."""
    names = {name, strip_accents(name)}
    bare = re.sub(r"\s*[(（].*?[)）]\s*", " ", name).strip()
    if bare:
        names |= {bare, strip_accents(bare)}
    if "," in name:  # pycountry's "Korea, Republic of"
        names.discard(name)
    return {n for n in names if len(n) >= 2}


@functools.lru_cache(maxsize=1)
def country_names() -> tuple[dict[str, str], dict[str, str]]:
    """Return (case-insensitive names, case-sensitive names), each name -> alpha-2."""
    import pycountry
    from babel import Locale

    config = json.loads(resources.files("bot.nlu.data").joinpath("country_aliases.json")
                        .read_text(encoding="utf-8"))
    case_sensitive = set(config["case_sensitive"])
    ignore = {name.lower() for name in config["ignore"]}
    valid = {country.alpha_2 for country in pycountry.countries}
    pairs: list[tuple[str, str]] = []
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            if hasattr(country, attr):
                pairs.append((getattr(country, attr), country.alpha_2))
    for language in SUPPORTED_LANGUAGES:
        for code, name in Locale(language).territories.items():
            if code in valid:
                pairs.append((name, code))
    # Chinese territory names such as "中国香港特别行政区" have a common short form.
    pairs += [("香港", "HK"), ("澳门", "MO"), ("Hong Kong", "HK"), ("Macau", "MO")]
    # Our own aliases come last so they win over a generated name.
    for code, names in config["aliases"].items():
        pairs += [(name, code) for name in names]
    insensitive: dict[str, str] = {}
    sensitive: dict[str, str] = {}
    for name, code in pairs:
        for variant in _variants(name):
            if variant.lower() in ignore:
                continue
            if variant in case_sensitive:
                sensitive[variant] = code
                insensitive.pop(variant.lower(), None)
            elif variant not in case_sensitive and variant.lower() not in {
                c.lower() for c in case_sensitive
            }:
                insensitive[variant.lower()] = code
    return insensitive, sensitive


def _alternation(names) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    insensitive, sensitive = country_names()
    latin = [n for n in insensitive if not _HAN.search(n)]
    han = [n for n in insensitive if _HAN.search(n)]
    boundary_l, boundary_r = r"(?<![\w.])", r"(?![\w])"
    return (
        re.compile(rf"(?i){boundary_l}(?:{_alternation(latin)}){boundary_r}"),
        re.compile(rf"{boundary_l}(?:{_alternation(sensitive)}){boundary_r}"),
        re.compile(_alternation(han)),
    )


def find_countries(text: str) -> list[tuple[int, int, str]]:
    """Find country names in ``text``.

    Args:
        text: The message, any of the five languages.

    Returns:
        ``(start, end, alpha-2)`` for each mention, in order of appearance.

    Examples:
        >>> [c for _, _, c in find_countries("buyers in Deutschland or the States")]
        ['DE', 'US']
    """
    insensitive, sensitive = country_names()
    latin, exact, han = _patterns()
    found: list[tuple[int, int, str]] = []
    folded = strip_accents(text)
    # Accent stripping keeps the length for Latin text, so offsets stay valid.
    source = folded if len(folded) == len(text) else text
    for match in latin.finditer(source):
        found.append((match.start(), match.end(), insensitive[match.group(0).lower()]))
    for match in exact.finditer(text):
        found.append((match.start(), match.end(), sensitive[match.group(0)]))
    for match in han.finditer(text):
        found.append((match.start(), match.end(), insensitive[match.group(0)]))
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    result: list[tuple[int, int, str]] = []
    for start, end, code in found:
        if result and start < result[-1][1]:
            continue  # overlapped by a longer or earlier name
        result.append((start, end, code))
    return result
