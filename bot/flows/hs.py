"""HS code suggestions for the flows, from the knowledge service's classifier."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Classifier(Protocol):
    """What the flows need of ``knowledge.service.KnowledgeService``."""

    def classify(self, text: str, top: int = 5, language: str | None = None) -> Any: ...


@dataclass(frozen=True)
class HsCandidate:
    code: str
    heading: str
    description: str
    score: float


@dataclass(frozen=True)
class HsSuggestion:
    """Ranked candidates; ``ambiguous`` when the merchant should choose."""

    candidates: tuple[HsCandidate, ...] = field(default_factory=tuple)
    ambiguous: bool = False

    @property
    def best(self) -> HsCandidate | None:
        return self.candidates[0] if self.candidates else None


class HsSuggester:
    """Suggests HS codes for a product description.

    Args:
        knowledge: the knowledge service (its ``classify`` is synchronous; it runs here
            off the event loop).
    """

    def __init__(self, knowledge: Classifier) -> None:
        self._knowledge = knowledge

    def suggest_sync(self, text: str, language: str, top: int = 3) -> HsSuggestion:
        result = self._knowledge.classify(text, top=top, language=language)
        return HsSuggestion(tuple(HsCandidate(c.code, c.heading, c.description, c.score) for c in result.candidates),
                            bool(result.ambiguous))

    async def suggest(self, text: str, language: str, top: int = 3) -> HsSuggestion:
        """Candidates for ``text``, best first; none when the classifier is not available
        (e.g. the knowledge index is still being built) — the flows then ask for the code."""
        try:
            return await asyncio.to_thread(self.suggest_sync, text, language, top)
        except Exception:  # degrade to asking the merchant; the cause is logged for operators
            log.exception("HS classifier unavailable")
            return HsSuggestion()
