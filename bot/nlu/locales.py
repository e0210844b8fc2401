"""Mapping of channel locale codes (``zh-hans``, ``de-AT``, ``pt-BR``) to ours."""

from __future__ import annotations

import re

from .results import SUPPORTED_LANGUAGES

# Aliases that a plain "take the language subtag" rule would get wrong or miss.
_ALIASES: dict[str, str] = {
    "zh-hans": "zh",
    "zh-cn": "zh",
    "zh-sg": "zh",
    "zh-my": "zh",
    "zh-hans-cn": "zh",
    "zh-hans-sg": "zh",
    "cmn": "zh",
    "cmn-hans": "zh",
    "chi": "zh",
    "zho": "zh",
    "eng": "en",
    "deu": "de",
    "ger": "de",
    "gsw": "de",  # Swiss German
    "spa": "es",
    "fra": "fr",
    "fre": "fr",
}

# Traditional Chinese: we only write Simplified, so we do not claim support.
_UNSUPPORTED: frozenset[str] = frozenset(
    {"zh-hant", "zh-tw", "zh-hk", "zh-mo", "zh-hant-tw", "zh-hant-hk", "zh-hant-mo"}
)

_SEPARATORS = re.compile(r"[_\s.@]+")


def normalize_locale(code: str | None) -> str | None:
    """Map a channel's locale code to one of the supported languages.

    Telegram sends IETF tags such as ``de``, ``de-AT`` or ``zh-hans``; WhatsApp and
    browsers send ``pt_BR``, ``en-US,en;q=0.9`` and the like.

    Args:
        code: The channel's language code, or None.

    Returns:
        ``en``, ``de``, ``zh``, ``es`` or ``fr``; None for a language we do not
        support (e.g. ``pt-BR``, ``zh-TW``) or an empty/invalid code.

    Examples:
        >>> normalize_locale("zh-CN"), normalize_locale("de_AT"), normalize_locale("pt-BR")
        ('zh', 'de', None)
    """
    if not code:
        return None
    first = code.split(",")[0].split(";")[0].strip().lower()
    tag = _SEPARATORS.sub("-", first).strip("-")
    if not tag:
        return None
    if tag in _UNSUPPORTED or any(tag.startswith(u + "-") for u in _UNSUPPORTED):
        return None
    if tag in _ALIASES:
        return _ALIASES[tag]
    parts = tag.split("-")
    if parts[0] == "zh" and len(parts) > 1 and parts[1] in {"hant", "tw", "hk", "mo"}:
        return None
    primary = _ALIASES.get(parts[0], parts[0])
    return primary if primary in SUPPORTED_LANGUAGES else None
