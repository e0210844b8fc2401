"""Natural-language understanding for tradebot: intent, entities and language of a message.

Offline and library-only: no channel, web or network code. Heavy models load lazily on
first use (or :meth:`NluEngine.warm`), never at import time.

Typical use by the conversation core::

    engine = NluEngine(cache_dir=settings.data_dir / "nlu")
    engine.warm()                      # at start-up, optional
    u = engine.understand(text, language_prior=user_choice or normalize_locale(hint))
    if u.is_uncertain:
        ask_with_buttons(u.alternatives)
"""

from .engine import NluEngine
from .entities.codes import IdPatterns
from .entities.extract import extract_entities
from .intents.classifier import ClassifierConfig
from .language import detect_language
from .locales import normalize_locale
from .results import (
    INTENTS,
    SUPPORTED_LANGUAGES,
    Entities,
    Incoterm,
    Money,
    Quantity,
    Understanding,
)

__all__ = [
    "INTENTS",
    "SUPPORTED_LANGUAGES",
    "ClassifierConfig",
    "Entities",
    "IdPatterns",
    "Incoterm",
    "Money",
    "NluEngine",
    "Quantity",
    "Understanding",
    "detect_language",
    "extract_entities",
    "normalize_locale",
]
