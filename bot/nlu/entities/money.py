"""Money in local formats: ``1.234,50 €``, ``12 USD/kg``, ``¥80``, ``€0,80 pro Stück``,
``80元/公斤``."""

from __future__ import annotations

import functools
import re

from ..results import Money
from .numbers import NUMBER_PATTERN, parse_number
from .quantities import unit_alternation, unit_lookup

# ISO codes we accept written out (case-insensitive): the currencies of trade chat.
ISO_CODES: tuple[str, ...] = (
    "USD", "EUR", "CNY", "RMB", "GBP", "JPY", "CHF", "HKD", "SGD", "AUD", "CAD", "INR",
    "AED", "MXN", "BRL", "KRW", "TRY", "PLN", "SEK", "NOK", "DKK", "CZK", "ZAR", "VND",
    "THB", "MYR", "IDR", "NZD", "SAR", "CLP", "COP", "ARS", "PEN",
)
# Symbols and names -> ISO code. "¥" alone is read as yuan: our merchants quote in CNY,
# and Japanese yen is written "円", "JPY" or "yen".
CURRENCY_WORDS: dict[str, str] = {
    "€": "EUR", "euro": "EUR", "euros": "EUR", "eur": "EUR", "欧元": "EUR", "歐元": "EUR",
    "$": "USD", "us$": "USD", "usd$": "USD", "dollar": "USD", "dollars": "USD",
    "us dollars": "USD", "dólar": "USD", "dólares": "USD", "dolar": "USD", "dolares": "USD",
    "dollar américain": "USD", "dollars américains": "USD", "美元": "USD", "美金": "USD",
    "刀": "USD",
    "£": "GBP", "pound sterling": "GBP", "pounds sterling": "GBP", "gbp": "GBP",
    "英镑": "GBP", "libras": "GBP", "livres sterling": "GBP",
    "¥": "CNY", "￥": "CNY", "元": "CNY", "块": "CNY", "块钱": "CNY", "人民币": "CNY",
    "rmb": "CNY", "yuan": "CNY", "renminbi": "CNY",
    "円": "JPY", "yen": "JPY", "日元": "JPY",
    "港币": "HKD", "港元": "HKD", "chf": "CHF", "franken": "CHF", "fr.": "CHF",
    "a$": "AUD", "c$": "CAD", "s$": "SGD", "₹": "INR", "rupees": "INR", "r$": "BRL",
    "₩": "KRW", "₺": "TRY",
}
# Words for "per": "12 USD/kg", "0,80 € pro Stück", "80元每公斤", "3 € le kilo".
_PER = (
    r"\s*(?:/|per|a|an|the|pro|je|par|por|el|la|le|each|每|一)\s*"
    r"(?:un|une|uno|una|la|le|el)?\s*"
)
_EACH = re.compile(r"(?i)^\s*(?:each|apiece|ea\.?|chacun|cada un[oa]|das stück|je stück)(?!\w)")


@functools.lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    words = sorted(set(CURRENCY_WORDS) | {c.lower() for c in ISO_CODES}, key=len, reverse=True)
    currency = "|".join(re.escape(w) for w in words)
    number = rf"(?P<num>{NUMBER_PATTERN})"
    cur = rf"(?P<cur>{currency})"
    # "$12", "USD 12", "€0,80"
    before = re.compile(rf"(?i)(?<![A-Za-z]){cur}\s?{number}(?![\d])")
    # "12 USD", "1.234,50 €", "80元", "80 euros"
    after = re.compile(rf"(?i)(?<![A-Za-z0-9.,]){number}\s?{cur}(?![A-Za-z])")
    per = re.compile(rf"(?i)^{_PER}(?P<unit>{unit_alternation()})(?![A-Za-zÀ-ÿ])")
    return before, after, per


def _per_unit(rest: str) -> tuple[str | None, int]:
    """Return (canonical unit, length consumed) for a "per unit" right after a price."""
    _, _, per = _patterns()
    match = per.match(rest)
    if match:
        head = match.group(0)
        # A bare unit after the price ("5 USD kg") is not "per": demand a per-word.
        if re.fullmatch(rf"(?i)\s*{re.escape(match['unit'])}", head):
            return None, 0
        return unit_lookup()[match["unit"].lower()], match.end()
    each = _EACH.match(rest)
    if each:
        return "pcs", each.end()
    return None, 0


def _currency_code(word: str) -> str | None:
    key = word.lower()
    if key in CURRENCY_WORDS:
        return CURRENCY_WORDS[key]
    upper = word.upper()
    if upper in ISO_CODES:
        return "CNY" if upper == "RMB" else upper
    return None


def find_money(text: str, language: str) -> list[tuple[int, int, Money]]:
    """Find amounts of money in ``text``.

    Args:
        text: The message.
        language: ISO 639-1 code, for the number separators (parsed with Babel).

    Returns:
        ``(start, end, Money)`` for each amount, in order of appearance; ``end`` covers a
        trailing "per unit" phrase.
    """
    before, after, _ = _patterns()
    found: list[tuple[int, int, Money]] = []
    for pattern in (before, after):
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e, _ in found):
                continue
            code = _currency_code(match["cur"])
            amount = parse_number(match["num"], language)
            if code is None or amount is None:
                continue
            unit, consumed = _per_unit(text[match.end():])
            found.append((match.start(), match.end() + consumed, Money(amount, code, unit)))
    # Chinese puts "per unit" first: "每公斤80元".
    for index, (start, end, money) in enumerate(found):
        if money.per_unit is None:
            lead = re.search(rf"每\s*({unit_alternation()})\s*$", text[max(0, start - 6):start])
            if lead:
                unit = unit_lookup()[lead.group(1).lower()]
                priced = Money(money.amount, money.currency, unit)
                found[index] = (start - len(lead.group(0)), end, priced)
    found.sort(key=lambda item: item[0])
    return found
