"""Per-message language detection with priors (the user's choice, the channel's hint).

Lingua, restricted to our five languages, decides long enough messages on its own.
Short or ambiguous lines ("ok", "FOB?", "HS 0902") carry little evidence, so the prior
wins unless the text is clearly in another language (e.g. written in Han characters).
"""

from __future__ import annotations

import re
import threading

from .locales import normalize_locale
from .results import SUPPORTED_LANGUAGES

DEFAULT_LANGUAGE = "en"

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Tokens that say nothing about the language: codes, ids, numbers, units, Incoterms.
_NEUTRAL = re.compile(
    r"(?i)https?://\S+|(?-i:\b[A-Z]{2,4}-[A-Z0-9-]+\b)|\d[\d.,:/%'’+\-]*[^\W\d_]{0,3}"
    r"|\b(?:hs|hts|ok|okay|fob|cif|cfr|exw|fca|cpt|cip|dap|dpu|ddp|fas|teu|usd|eur|cny|"
    r"rmb|kg|pcs|cbm|ft|hc|lcl|fcl|taric|sku|id|pdf|faq|bot|hi)\b"
)
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)

# Short chat words that lingua cannot tell apart from a handful of letters.
_SHORT_WORDS: dict[str, str] = {
    "hallo": "de", "danke": "de", "moin": "de", "tschüss": "de", "servus": "de",
    "bitte": "de", "ja": "de", "nein": "de", "genau": "de",
    "hello": "en", "thanks": "en", "thx": "en", "thank you": "en", "yes": "en",
    "no": "en", "hey": "en", "bye": "en", "cheers": "en", "please": "en",
    "hola": "es", "gracias": "es", "sí": "es", "vale": "es", "adiós": "es",
    "buenas": "es", "buenos días": "es",
    "bonjour": "fr", "merci": "fr", "salut": "fr", "oui": "fr", "non": "fr",
    "bonsoir": "fr", "d'accord": "fr",
}

_detector = None
_detector_lock = threading.Lock()


def _get_detector():
    global _detector
    if _detector is None:
        with _detector_lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                _detector = (
                    LanguageDetectorBuilder.from_languages(
                        Language.ENGLISH, Language.GERMAN, Language.CHINESE,
                        Language.SPANISH, Language.FRENCH,
                    )
                    .with_preloaded_language_models()
                    .build()
                )
    return _detector


def warm_language_detector() -> None:
    """Load lingua's models now rather than on the first message."""
    _get_detector()


def _lingua_scores(text: str) -> dict[str, float]:
    values = _get_detector().compute_language_confidence_values(text)
    scores = {lang: 0.0 for lang in SUPPORTED_LANGUAGES}
    for item in values:
        scores[item.language.iso_code_639_1.name.lower()] = float(item.value)
    return scores


def detect_language(text: str, prior: str | None = None) -> tuple[str, float]:
    """Detect the language of one chat message.

    Args:
        text: The message.
        prior: The language we expect: the user's explicit choice or, failing that,
            the channel's hint. Channel codes are normalised (``de-AT`` -> ``de``);
            unsupported ones (``pt-BR``) are ignored.

    Returns:
        ``(language, confidence)``: one of ``en de zh es fr`` and a score in [0, 1].
        A message with no linguistic evidence returns the prior (or ``en``).

    Examples:
        >>> detect_language("HS 0902", prior="de")[0]
        'de'
    """
    prior = prior if prior in SUPPORTED_LANGUAGES else normalize_locale(prior)
    fallback = prior or DEFAULT_LANGUAGE
    han = len(_HAN.findall(text))
    content = _NEUTRAL.sub(" ", text)
    letters = len(_LETTERS.findall(content)) - han
    if han >= 2 or (han >= 1 and letters < 4):
        return "zh", 0.99
    words = content.lower().strip(" \t\n!?.,;:¡¿…~-").split()
    phrase = " ".join(words)
    if phrase in _SHORT_WORDS:
        lang = _SHORT_WORDS[phrase]
        if prior and prior != lang and phrase in {"ok", "no", "non", "ja"}:
            return prior, 0.6
        return lang, 0.9
    if letters < 3:
        return fallback, 0.5 if prior else 0.2
    scores = _lingua_scores(content)
    if prior is not None:
        # The prior's weight shrinks as evidence grows: one word keeps it, a sentence
        # of three or four words decides on its own.
        weight = max(0.0, 1.0 - letters / 16.0)
        scores[prior] += weight
        total = sum(scores.values()) or 1.0
        scores = {lang: value / total for lang, value in scores.items()}
    best = max(scores, key=scores.__getitem__)
    return best, round(scores[best], 4)
