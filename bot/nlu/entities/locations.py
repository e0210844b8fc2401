"""Ports and cities -> UN/LOCODE.

Two sources, in this order:

1. ``data/ports.json``: major ports and trade cities with their names in our five
   languages ("Hamburg", "Hambourg", "汉堡" -> ``DEHAM``), matched anywhere in the text.
2. The full UN/LOCODE seaport/airport list of ``knowledge.locations`` (when installed),
   for explicit codes (``DEHAM``, ``CN SHA``) and for capitalised names after a
   direction word ("from Split", "nach Koper", "vers Brest"). Bare words are never
   looked up there: "Nice", "Mobile" and "Split" are ports, and ordinary words too.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources

from .countries import strip_accents

_HAN = re.compile(r"[\u3400-\u9fff]")
_CODE = re.compile(r"(?<![\w-])([A-Z]{2})\s?([A-Z2-9]{3})(?![\w-])")
_CUE = re.compile(
    r"(?<!\w)(?i:from|to|via|in|at|ex|into|nach|von|aus|bis|ab|über|de|desde|a|hacia|"
    r"hasta|en|à|vers|depuis|au|port of|port de|puerto de|hafen)\s+"
    r"(?P<name>[A-ZÀ-Þ][\w'’-]+(?:[ -][A-ZÀ-Þ][\w'’-]+){0,2})"
)


@functools.lru_cache(maxsize=1)
def curated_ports() -> dict[str, str]:
    """Return name (lower case, accents kept) -> UN/LOCODE from ``data/ports.json``."""
    data = json.loads(resources.files("bot.nlu.data").joinpath("ports.json")
                      .read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for code, spellings in data["ports"].items():
        for name in spellings:
            names[name.lower()] = code
            names[strip_accents(name).lower()] = code
    return names


@functools.lru_cache(maxsize=1)
def _curated_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    names = sorted(curated_ports(), key=len, reverse=True)
    latin = [re.escape(n) for n in names if not _HAN.search(n)]
    han = [re.escape(n) for n in names if _HAN.search(n)]
    return (
        re.compile(rf"(?i)(?<![\w])(?:{'|'.join(latin)})(?![\w])"),
        re.compile("|".join(han)),
    )


def _full_lookup():
    """Return ``knowledge.locations.find_location`` or None when it is not available."""
    try:
        from knowledge.locations import find_location
    except ImportError:
        return None
    return find_location


def warm_locations() -> None:
    """Build the name indexes now (the full UN/LOCODE list takes about a second)."""
    _curated_patterns()
    find = _full_lookup()
    if find is not None:
        try:
            find("DEHAM")
        except (OSError, ValueError):
            pass


def lookup_place(name: str) -> str | None:
    """Return the UN/LOCODE of a place name or code, or None.

    Args:
        name: "Shanghai", "Hambourg", "汉堡", "DEHAM" or a name from UN/LOCODE.
    """
    key = name.strip().lower()
    curated = curated_ports()
    if key in curated:
        return curated[key]
    if strip_accents(key) in curated:
        return curated[strip_accents(key)]
    find = _full_lookup()
    if find is None or len(key) < 3:
        return None
    try:
        found = find(name.strip())
    except (OSError, ValueError):  # data file missing or unreadable: curated list only
        return None
    return found.code if found is not None else None


def find_locations(
    text: str, *, skip_words: frozenset[str] = frozenset()
) -> list[tuple[int, int, str]]:
    """Find ports and cities in ``text``.

    Args:
        text: The message.
        skip_words: Lower-case words never taken as a place (e.g. country names,
            which :func:`~bot.nlu.entities.countries.find_countries` reports).

    Returns:
        ``(start, end, UN/LOCODE)`` for each mention, in order of appearance.
    """
    latin, han = _curated_patterns()
    curated = curated_ports()
    found: list[tuple[int, int, str]] = []
    folded = strip_accents(text)
    source = folded if len(folded) == len(text) else text
    for match in latin.finditer(source):
        found.append((match.start(), match.end(), curated[match.group(0).lower()]))
    for match in han.finditer(text):
        found.append((match.start(), match.end(), curated[match.group(0)]))
    # In an all-capitals message every word looks like a code ("CHINA" = CN INA).
    shouting = not any(c.islower() for c in text) and len(text.split()) > 2
    if not shouting:
        for match in _CODE.finditer(text):
            code = lookup_place(match.group(1) + match.group(2))
            if code is not None:
                found.append((match.start(), match.end(), code))
    if _full_lookup() is not None and not shouting:
        for match in _CUE.finditer(text):
            start = match.start("name")
            if any(s <= start < e for s, e, _ in found):
                continue
            words = match["name"].split()
            # Longest first: "Port Louis" before "Port".
            for size in range(len(words), 0, -1):
                candidate = " ".join(words[:size])
                if candidate.lower() in skip_words:
                    break
                code = lookup_place(candidate)
                if code is not None:
                    found.append((start, start + len(candidate), code))
                    break
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    result: list[tuple[int, int, str]] = []
    for start, end, code in found:
        if result and start < result[-1][1]:
            continue
        result.append((start, end, code))
    return result
