"""Numbers as chat writes them: ``1.234,50``, ``1,234.50``, ``0,80``, ``10k``, ``2万``, ``五百``.

Which separator is the decimal one depends on the language (Babel's locale data) and,
when the text contradicts it (``0,80`` in an English message), on the digits around it.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, get_decimal_symbol, parse_decimal

# A number with optional grouping, decimals and a magnitude suffix (k, 万, 千).
NUMBER_PATTERN = (
    r"(?:\d{1,3}(?:[.,\u00a0\u202f'’ ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    r"(?:\s?[kK](?![a-zA-Z])|[万萬千])?"
)
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "萬": 10_000}
CN_NUMBER_PATTERN = r"[零〇一二两兩三四五六七八九十百千万萬]+"
_SPACES = re.compile(r"[\s\u00a0\u202f'’]")


@functools.lru_cache(maxsize=16)
def _decimal_symbol(language: str) -> str:
    try:
        return get_decimal_symbol(language)
    except Exception:  # unknown locale: fall back to the English convention
        return "."


def _decide_decimal_separator(digits: str, language: str) -> str | None:
    """Return the character used as decimal separator in ``digits`` (or None)."""
    has_dot, has_comma = "." in digits, "," in digits
    if has_dot and has_comma:
        return "." if digits.rfind(".") > digits.rfind(",") else ","
    sep = "." if has_dot else "," if has_comma else None
    if sep is None:
        return None
    if digits.count(sep) > 1:
        return None  # only grouping repeats: 1.234.567
    head, tail = digits.split(sep)
    if sep == _decimal_symbol(language):
        return sep
    # The locale's grouping symbol: "1,234" groups, "0,80" and "12.5" are decimals.
    if len(tail) == 3 and head != "0" and len(head) <= 3:
        return None
    return sep


def parse_number(text: str, language: str = "en") -> Decimal | None:
    """Parse one number token in the message's language.

    Args:
        text: The token, e.g. ``"1.234,50"``, ``"12.5k"``, ``"2万"`` or ``"五百"``.
        language: ISO 639-1 code whose separators are expected.

    Returns:
        The value, or None when the token is not a number.
    """
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(CN_NUMBER_PATTERN, text):
        return parse_chinese_number(text)
    factor = Decimal(1)
    last = text[-1]
    if last in "kK":
        factor, text = Decimal(1000), text[:-1].rstrip()
    elif last in "万萬":
        factor, text = Decimal(10_000), text[:-1]
    elif last == "千":
        factor, text = Decimal(1000), text[:-1]
    digits = _SPACES.sub("", text)
    sep = _decide_decimal_separator(digits, language)
    # Parse through Babel in a locale whose decimal symbol is the one we decided on.
    locale = "de" if sep == "," else "en"
    if sep is None:
        digits = digits.replace(".", "").replace(",", "")
    try:
        value = parse_decimal(digits, locale=locale)
    except (NumberFormatError, InvalidOperation, ValueError):
        return None
    return value * factor


def parse_chinese_number(text: str) -> Decimal | None:
    """Convert a Chinese numeral such as ``两万五千`` or ``三十`` to a Decimal."""
    total, section, digit = 0, 0, None
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            unit = _CN_UNITS[char]
            if unit == 10_000:
                total += (section + (digit or 0)) * unit
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
        else:
            return None
    total += section + (digit or 0)
    return Decimal(total) if total or text in {"零", "〇"} else None
