"""Localized user-facing text and locale-aware formatting (Babel) for the five languages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from babel import Locale, support
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from bot.settings import SUPPORTED_LANGUAGES

# Babel locales used for formatting; "zh" alone has no territory data for money.
_BABEL_LOCALE = {"en": "en_US", "de": "de_DE", "zh": "zh_Hans_CN", "es": "es_ES", "fr": "fr_FR"}


def normalize_language(code: str | None) -> str | None:
    """Map a channel's language code (``de-AT``, ``zh-hans``, ``zh_CN``) to one we support.

    Babel would silently fall back to no translation for an unknown code, so the mapping
    is explicit and returns ``None`` for anything we do not speak.
    """
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in SUPPORTED_LANGUAGES else None


@lru_cache(maxsize=None)
def _translations(language: str) -> support.Translations:
    """The compiled gettext catalog of ``language`` (English behind it for anything missing)."""
    domain = "tradebot"
    locales = str(resources.files("bot").joinpath("locales"))
    translations = support.Translations.load(locales, [language], domain=domain)
    if language != "en":
        translations.add_fallback(support.Translations.load(locales, ["en"], domain=domain))
    return translations


class Translator:
    """Looks up message keys per language, falling back to English."""

    def text(self, key: str, language: str, **values: object) -> str:
        """The message ``key`` in ``language`` (gettext, keyed message ids), formatted with ``values``."""
        template = _translations(language if language in SUPPORTED_LANGUAGES else "en").gettext(key)
        if template == key:
            raise KeyError(f"no text for message id {key!r}")
        return template.format(**values) if values else template

    @staticmethod
    def language_name(code: str, in_language: str) -> str:
        """The name of language ``code`` written in ``in_language`` (e.g. de in fr: allemand)."""
        name = Locale.parse(code).get_display_name(Locale.parse(_BABEL_LOCALE.get(in_language, "en")))
        return name or code

    @staticmethod
    def native_language_name(code: str) -> str:
        name = Locale.parse(code).get_display_name(code) or code
        return name[:1].upper() + name[1:]

    @staticmethod
    def number(value: float | Decimal, language: str) -> str:
        return format_decimal(value, locale=_BABEL_LOCALE.get(language, "en_US"))

    @staticmethod
    def money(amount: float | Decimal, currency: str, language: str) -> str:
        return format_currency(amount, currency, locale=_BABEL_LOCALE.get(language, "en_US"))

    @staticmethod
    def date(value: date, language: str) -> str:
        return format_date(value, format="medium", locale=_BABEL_LOCALE.get(language, "en_US"))
