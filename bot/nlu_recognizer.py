"""Adapts the NLU engine (``bot.nlu``) to the core's :class:`~bot.understanding.Recognizer`."""

from __future__ import annotations

from bot.intents import Intent
from bot.nlu import NluEngine, extract_entities
from bot.understanding import COMMANDS, Recognition, parse_command


class SharedEmbedder:
    """Lets the NLU engine use the retrieval embedder (``knowledge.embeddings``): one model in memory."""

    def __init__(self, embedder) -> None:  # noqa: ANN001
        self._embedder = embedder
        self.name = f"shared-{getattr(embedder, 'name', type(embedder).__name__)}"

    def __call__(self, texts):  # noqa: ANN001, ANN204
        return self._embedder.embed(list(texts))


class NluRecognizer:
    """Slash commands first (exact), then the NLU engine's intent, entities and language."""

    def __init__(self, engine: NluEngine) -> None:
        self._engine = engine

    def warm(self) -> None:
        self._engine.warm()

    def recognize(self, text: str, *, language_prior: str | None) -> Recognition:
        parsed = parse_command(text)
        if parsed:  # commands need no model (and the CLI answers them without loading one)
            name, argument = parsed
            return Recognition(intent=COMMANDS.get(name, Intent.OUT_OF_SCOPE), confidence=1.0,
                               language=None, entities=extract_entities(argument, language_prior or "en"),
                               command=name, argument=argument)
        understanding = self._engine.understand(text, language_prior=language_prior)
        return Recognition(
            intent=Intent(understanding.intent),
            confidence=understanding.confidence,
            language=understanding.language,
            language_confidence=understanding.language_confidence,
            alternatives=tuple((Intent(i), s) for i, s in understanding.alternatives),
            entities=understanding.entities,
            details={"uncertain": understanding.is_uncertain, "source": understanding.source},
        )
