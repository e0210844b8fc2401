"""The understanding engine: language, entities and intent of one message."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import threading
from pathlib import Path

import numpy as np

from .entities.codes import IdPatterns
from .entities.extract import extract_entities
from .entities.locations import warm_locations
from .intents.classifier import ClassifierConfig, IntentClassifier
from .intents.embedder import Embedder, UseEmbedder
from .intents.rules import (
    bare_id_intent,
    command_intent,
    has_trade_evidence,
    keyword_bonuses,
)
from .intents.training import Example, load_examples
from .language import detect_language, warm_language_detector
from .results import INTENTS, Understanding

log = logging.getLogger(__name__)

_NO_CONTENT_CONFIDENCE = 0.3
_ONE_WORD_TEMPERATURE = 2.5
_TRADE_EVIDENCE_OOS_FACTOR = 0.2
_WORD = re.compile(r"[^\W\d_]+")
_HAN = re.compile(r"[\u3400-\u9fff]")


def _word_count(text: str) -> int:
    """Words in ``text``; Chinese counts two characters as a word."""
    han = len(_HAN.findall(text))
    latin = len([w for w in _WORD.findall(text) if not _HAN.search(w)])
    return latin + (han + 1) // 2


class _EmbedAdapter:
    """Makes an object with ``embed(list[str])`` usable as an :data:`Embedder`."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.name = getattr(inner, "name", None)

    def __call__(self, texts) -> np.ndarray:
        return np.ascontiguousarray(self._inner.embed(list(texts)), dtype=np.float32)


class NluEngine:
    """Offline intent classification and entity extraction for five languages.

    Nothing is loaded at construction: the embedding model and the classifier are built
    on the first :meth:`understand` (or :meth:`warm`) call, once, under a lock. After
    that :meth:`understand` is thread-safe and takes a few milliseconds.

    Args:
        embedder: Callable ``list[str] -> (n, d)`` array of L2-normalised vectors, or
            an object with ``embed(list[str])`` such as ``knowledge.embeddings``'
            embedders (pass the one retrieval uses to load the model only once);
            defaults to the bundled multilingual Universal Sentence Encoder.
        id_patterns: Shapes of the platform's listing and shipment ids.
        config: Classifier hyper-parameters.
        uncertain_below: Confidence under which :attr:`Understanding.is_uncertain`
            is true (the core then asks with the top-3 intents as buttons).
        cache_dir: Optional folder where the training examples' embeddings are cached
            between runs (keyed by the examples' content); start-up then skips
            embedding them again.
        examples: Training examples; defaults to the bundled ones.

    Example:
        >>> engine = NluEngine()
        >>> u = engine.understand("where is SHP-7731?", language_prior="en")
        >>> u.intent, u.entities.shipment_ids
        ('track_shipment', ['SHP-7731'])
    """

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        id_patterns: IdPatterns | None = None,
        config: ClassifierConfig | None = None,
        uncertain_below: float = 0.55,
        cache_dir: Path | None = None,
        examples: list[Example] | None = None,
    ) -> None:
        if embedder is not None and not callable(embedder) and hasattr(embedder, "embed"):
            embedder = _EmbedAdapter(embedder)  # a knowledge.embeddings.Embedder
        self._embedder = embedder
        self._id_patterns = id_patterns or IdPatterns()
        self._config = config or ClassifierConfig()
        self._uncertain_below = uncertain_below
        self._cache_dir = cache_dir
        self._examples = examples
        self._classifier: IntentClassifier | None = None
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Load the models and train the classifier now (a few seconds, once)."""
        self._ensure_loaded()
        warm_language_detector()
        warm_locations()
        extract_entities("warm-up: 1 kg, 2 USD, FOB Hamburg to Germany next Monday", "en")

    def _ensure_loaded(self) -> IntentClassifier:
        if self._classifier is None:
            with self._lock:
                if self._classifier is None:
                    self._classifier = self._train()
        return self._classifier

    def _train(self) -> IntentClassifier:
        if self._embedder is None:
            self._embedder = UseEmbedder()
        examples = self._examples if self._examples is not None else load_examples()
        texts = [example.text for example in examples]
        vectors = self._embed_examples(texts)
        classifier = IntentClassifier(INTENTS, self._config)
        classifier.fit(vectors, [example.intent for example in examples])
        log.info("nlu: intent classifier trained on %d examples", len(examples))
        return classifier

    def _embed_examples(self, texts: list[str]) -> np.ndarray:
        name = getattr(self._embedder, "name", None)
        if self._cache_dir is None or not name:
            return self._embedder(texts)
        key = "\n".join([name, *texts]).encode("utf-8")
        digest = hashlib.sha256(key).hexdigest()[:16]
        path = Path(self._cache_dir) / f"nlu-examples-{digest}.npy"
        if path.exists():
            try:
                cached = np.load(path)
                if cached.shape[0] == len(texts):
                    return cached
            except (OSError, ValueError):
                log.warning("nlu: unreadable embedding cache %s, rebuilding", path)
        vectors = self._embedder(texts)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(path)
        except OSError:
            log.warning("nlu: cannot write embedding cache %s", path)
        return vectors

    def intent_scores(self, text: str) -> list[tuple[str, float]]:
        """Return every intent with its classifier score, best first (no rules)."""
        classifier = self._ensure_loaded()
        vector = self._embedder([text.strip() or "."])
        scores = classifier.predict(vector)[0]
        ranked = sorted(zip(INTENTS, scores.tolist(), strict=True), key=lambda pair: -pair[1])
        return [(intent, float(score)) for intent, score in ranked]

    def understand(
        self,
        text: str,
        *,
        language_prior: str | None = None,
        today: dt.date | None = None,
    ) -> Understanding:
        """Understand one message.

        Args:
            text: The message as received.
            language_prior: The user's chosen language or, failing that, the channel's
                hint (normalised with :func:`~bot.nlu.normalize_locale`). Short or
                ambiguous messages keep it.
            today: Reference day for relative dates (the user's local date).

        Returns:
            The :class:`Understanding`: intent with confidence, top-3 alternatives,
            entities and language.
        """
        language, language_confidence = detect_language(text, language_prior)
        command = command_intent(text)
        body = command[1] if command else text
        entities = extract_entities(body, language, today, id_patterns=self._id_patterns)

        def result(intent, confidence, alternatives, source):
            return Understanding(
                intent=intent, confidence=round(confidence, 4),
                alternatives=[(i, round(s, 4)) for i, s in alternatives[:3]],
                entities=entities, language=language,
                language_confidence=language_confidence, source=source,
                uncertain_below=self._uncertain_below,
            )

        if command is not None:
            return result(command[0], 1.0, [(command[0], 1.0)], "command")
        if not any(ch.isalnum() for ch in text):
            # Emoji, "?" or nothing: say so with low confidence and let the core ask.
            ranked = [("out_of_scope", _NO_CONTENT_CONFIDENCE), ("greeting", 0.2), ("handoff", 0.1)]
            return result("out_of_scope", _NO_CONTENT_CONFIDENCE, ranked, "rule")
        bare = bare_id_intent(text, entities)
        if bare is not None:
            return result(bare, 0.95, [(bare, 0.95)], "rule")
        scores = dict(self.intent_scores(text))
        if _word_count(text) <= 1:
            # One word ("Hamburg", "tea") says little: flatten so that only a word the
            # model is sure of ("hi", "thanks") stays confident; the core asks otherwise.
            scores = {i: s ** (1 / _ONE_WORD_TEMPERATURE) for i, s in scores.items()}
        if has_trade_evidence(entities):
            scores["out_of_scope"] *= _TRADE_EVIDENCE_OOS_FACTOR
        bonuses = keyword_bonuses(text, entities)
        for intent, bonus in bonuses.items():
            scores[intent] += bonus
        total = sum(scores.values())
        ranked = sorted(((i, s / total) for i, s in scores.items()), key=lambda p: -p[1])
        return result(ranked[0][0], ranked[0][1], ranked, "rule" if bonuses else "model")
