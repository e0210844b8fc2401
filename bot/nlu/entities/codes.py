"""Codes with a fixed shape: HS codes, Incoterms 2020 rules, listing and shipment ids."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..results import Incoterm

INCOTERMS_2020: tuple[str, ...] = (
    "EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF",
)
# Written in lower case these are ordinary words somewhere ("fas", "cpt" is fine).
_UPPER_ONLY = frozenset({"FAS"})
_INCOTERM = re.compile(
    r"(?i)(?<![\w-])(" + "|".join(INCOTERMS_2020) + r")(?:\s*(?:20(?:10|20)|®))?(?![\w-])"
)

# Words that announce a tariff code, in our five languages.
_HS_CUE = re.compile(
    r"(?i)(?:\bhs\b|\bhts\b|\btaric\b|\bcn\b|tariff|zolltarif|warennummer|zollnummer|"
    r"code\s+sh\b|\bsh\b|nc8|nomenclature|partida|arancel|código|codigo|税号|税则|编码|"
    r"编号|商品编码|海关编码|heading|subheading|position|code)"
)
_HS_DOTTED = re.compile(
    r"(?<![\d.,])(\d{4})[.\s](\d{2})(?:[.\s](\d{2})(?:[.\s](\d{2}))?)?(?![\d.,])"
)
_HS_EDITIONS = frozenset({"1988", "1992", "1996", "2002", "2007", "2012", "2017", "2022", "2027"})
_HS_PLAIN = re.compile(r"(?<![\d.,])(\d{4}|\d{6}|\d{8}|\d{10})(?![\d.,])")


@dataclass(frozen=True)
class IdPatterns:
    """Regular expressions for the platform's ids; change them for another platform.

    Each pattern is matched case-insensitively and the match upper-cased.

    Attributes:
        listing: Listing ids, e.g. ``LST-1042`` or ``LST-8F3K2``.
        shipment: Shipment ids, e.g. ``SHP-7731``.
    """

    listing: str = r"\bLST[-_ ]?[A-Z0-9]{2,}(?:-[A-Z0-9]+)*\b"
    shipment: str = r"\bSHP[-_ ]?[A-Z0-9]{2,}(?:-[A-Z0-9]+)*\b"


def _normalize_id(raw: str, prefix: str) -> str:
    body = re.sub(r"^[A-Za-z]+[-_ ]?", "", raw)
    return f"{prefix}-{body.upper()}"


Span = tuple[int, int, str]


def find_ids(text: str, patterns: IdPatterns) -> tuple[list[Span], list[Span]]:
    """Find listing and shipment ids.

    Returns:
        ``(listings, shipments)``, each a list of ``(start, end, id)``; ids are upper
        case with a hyphen after the prefix (``shp 7731`` -> ``SHP-7731``).
    """
    result = []
    for pattern, prefix in ((patterns.listing, "LST"), (patterns.shipment, "SHP")):
        found = []
        for match in re.finditer(pattern, text, flags=re.IGNORECASE):
            raw = match.group(0)
            value = _normalize_id(raw, prefix) if raw[:3].upper() == prefix else raw.upper()
            found.append((match.start(), match.end(), value))
        result.append(found)
    return result[0], result[1]


def find_hs_codes(text: str) -> list[tuple[int, int, str]]:
    """Find HS / tariff codes: dotted (``0902.10``, ``8517.13.00``) anywhere, plain digit
    groups of 4, 6, 8 or 10 only after a cue word ("HS", "Zolltarif", "税号", ...).

    Returns:
        ``(start, end, digits)``, e.g. ``(0, 7, "090210")``.
    """
    found: list[tuple[int, int, str]] = []
    for match in _HS_DOTTED.finditer(text):
        digits = "".join(g for g in match.groups() if g)
        chapter = int(digits[:2])
        if 1 <= chapter <= 97 and (match.group(0)[4] == "." or _cue_before(text, match.start())):
            found.append((match.start(), match.end(), digits))
    for match in _HS_PLAIN.finditer(text):
        if any(s <= match.start() < e for s, e, _ in found):
            continue
        digits = match.group(1)
        if digits in _HS_EDITIONS and re.search(r"(?i)\bhs\s*$", text[:match.start()]):
            continue  # "HS 2022" is the nomenclature's edition
        if 1 <= int(digits[:2]) <= 97 and _cue_before(text, match.start()):
            found.append((match.start(), match.end(), digits))
    found.sort()
    return found


def _cue_before(text: str, start: int) -> bool:
    window = text[max(0, start - 30):start]
    return bool(_HS_CUE.search(window))


def find_incoterms(text: str, place_of) -> list[tuple[int, int, Incoterm]]:
    """Find Incoterms 2020 rules and the named place that follows ("FOB Shanghai").

    Args:
        text: The message.
        place_of: ``callable(str) -> (end_offset, name) | None`` that recognises a place
            at the start of the given text (the location extractor).

    Returns:
        ``(start, end, Incoterm)`` for each rule.
    """
    found: list[tuple[int, int, Incoterm]] = []
    for match in _INCOTERM.finditer(text):
        code = match.group(1)
        if code.upper() in _UPPER_ONLY and code != code.upper():
            continue
        if code != code.upper() and code.lower() != code:
            continue  # "Cif" mid-sentence: a name, not a rule
        place = None
        end = match.end()
        rest = text[end:]
        spaced = re.match(r"\s+", rest)
        if spaced:
            hit = place_of(rest[spaced.end():])
            if hit is not None:
                length, place = hit
                end += spaced.end() + length
        found.append((match.start(), end, Incoterm(code.upper(), place)))
    return found
