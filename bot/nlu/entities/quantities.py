"""Quantities with units: ``500 kg``, ``2 x 40ft``, ``12 Paletten``, ``3 TEU``, ``五百公斤``."""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from ..results import Quantity
from .numbers import CN_NUMBER_PATTERN, NUMBER_PATTERN, parse_number

# Canonical unit -> spellings in our five languages (lower case; matched case-insensitively).
UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "kg": ("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramm", "kilogramme",
           "kilogrammes", "kilogramo", "kilogramos", "公斤", "千克"),
    "t": ("t", "mt", "ton", "tons", "tonne", "tonnes", "tonnen", "tonelada", "toneladas",
          "吨", "公吨", "噸"),
    "lb": ("lb", "lbs"),
    "pcs": ("pcs", "pc", "pce", "pces", "piece", "pieces", "unit", "units", "stück", "stk",
            "stck", "stueck", "pieza", "piezas", "unidad", "unidades", "uds", "pièce",
            "pièces", "piece(s)", "件", "个", "個", "只", "台", "套", "支", "条", "片", "双",
            "pairs", "pair", "paar", "pares", "paires"),
    "carton": ("carton", "cartons", "ctn", "ctns", "karton", "kartons", "box", "boxes",
               "caja", "cajas", "boîte", "boîtes", "箱"),
    "pallet": ("pallet", "pallets", "plt", "plts", "palette", "paletten", "palettes",
               "palé", "palés", "palet", "palets", "paleta", "paletas", "托盘", "托", "卡板"),
    "m3": ("m³", "m3", "cbm", "cubic meter", "cubic meters", "cubic metre", "cubic metres",
           "kubikmeter", "metro cúbico", "metros cúbicos", "mètre cube", "mètres cubes",
           "立方米", "立方", "方"),
    "l": ("l", "liter", "liters", "litre", "litres", "litro", "litros", "升"),
    "teu": ("teu", "teus", "feu"),
    "container": ("container", "containers", "contenedor", "contenedores", "conteneur",
                  "conteneurs", "集装箱", "货柜", "柜", "櫃"),
}

_GENERIC_CLASSIFIERS = frozenset("个個只台套支条片双托方")
_HAN_UNIT = re.compile(r"[\u4e00-\u9fff]")
_CONTAINER_SIZE = (
    r"(?P<size>20|40|45)[\s-]*(?P<ft>ft|feet|foot|fuß|fuss|pies|pieds|'|’|′|\"|尺|英尺|呎)?\s*"
    r"(?P<kind>hc|hq|high[\s-]?cube|gp|dv|st|rf|reefer|ot|高柜|平柜|普柜)?"
)


@functools.lru_cache(maxsize=1)
def unit_lookup() -> dict[str, str]:
    """Return spelling (lower case) -> canonical unit."""
    return {word: unit for unit, words in UNIT_WORDS.items() for word in words}


def unit_alternation() -> str:
    """Regex alternation of all unit spellings, longest first."""
    words = sorted(unit_lookup(), key=len, reverse=True)
    return "|".join(re.escape(w) for w in words)


@functools.lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    number = rf"(?P<num>{NUMBER_PATTERN}|{CN_NUMBER_PATTERN})"
    container = re.compile(
        rf"(?i)(?:(?<![A-Za-z0-9.,]){number}\s*(?:x|×|\*|个|個|只)?\s*|(?<![A-Za-z0-9.,]))"
        rf"{_CONTAINER_SIZE}(?P<tail>[\s-]*(?:container|containers|contenedor(?:es)?|"
        rf"conteneurs?|集装箱|货柜|柜|櫃|box)?)(?![A-Za-z0-9])"
    )
    plain = re.compile(
        rf"(?i)(?<![A-Za-z0-9.,]){number}\s*(?:x\s*)?(?:[个個只](?=[\u4e00-\u9fff]))?"
        rf"(?P<unit>{unit_alternation()})"
        r"(?:(?<=[\u3400-\u9fff])|(?![A-Za-zÀ-ÿ]|-\w))"
    )
    return container, plain


def _container_unit(match: re.Match[str]) -> str | None:
    size, kind, tail = match["size"], (match["kind"] or "").lower(), match["tail"].strip(" -")
    if not (match["ft"] or kind or tail):
        return None
    if kind in {"hc", "hq", "high cube", "high-cube", "highcube", "高柜"}:
        return f"{size}hc" if size != "20" else "20ft"
    return f"{size}ft"


def find_quantities(text: str, language: str) -> list[tuple[int, int, Quantity]]:
    """Find quantities in ``text``.

    Args:
        text: The message (already stripped of spans other extractors claimed).
        language: ISO 639-1 code, for the number separators.

    Returns:
        ``(start, end, Quantity)`` for each match, in order of appearance.
    """
    container, plain = _patterns()
    found: list[tuple[int, int, Quantity]] = []
    taken: list[tuple[int, int]] = []
    for match in container.finditer(text):
        unit = _container_unit(match)
        if unit is None:
            continue
        count = parse_number(match["num"], language) if match["num"] else Decimal(1)
        if count is None:
            continue
        found.append((match.start(), match.end(), Quantity(count, unit)))
        taken.append((match.start(), match.end()))
    lookup = unit_lookup()
    for match in plain.finditer(text):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        word = match["unit"].lower()
        unit = lookup.get(word)
        if unit is None:
            continue
        raw = match["num"]
        if _HAN_UNIT.match(raw) and not _HAN_UNIT.match(word):
            continue  # "五 kg" is not how anyone writes
        if not raw[0].isdigit() and (
            word in _GENERIC_CLASSIFIERS or (word == "件" and len(raw) < 2)
        ):
            continue  # "一个问题", "一方面", "一件事": a numeral word, not an amount
        value = parse_number(raw, language)
        if value is None or value == 0:
            continue  # "零件" (parts) is no zero pieces
        found.append((match.start(), match.end(), Quantity(value, unit)))
    found.sort(key=lambda item: item[0])
    return found
