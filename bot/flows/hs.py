"""HS code suggestions for the flows, from the knowledge package's classifier.

Building the classifier embeds ~22,000 nomenclature documents once (about a minute on
one core); the vectors are cached as ``.npy`` under the given cache directory, and one
loaded classifier is shared by everything in the process (it is read-only data).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)
_LOADED: dict[str, object] = {}
_LOCK = threading.Lock()


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


def _load_classifier(cache_dir: Path):  # noqa: ANN202 - knowledge types load lazily
    from knowledge.classifier import HsClassifier
    from knowledge.embeddings import make_embedder
    from knowledge.hs_data import build_documents

    import numpy as np

    docs = build_documents()
    digest = hashlib.sha256("\n".join(f"{d.id}\t{d.text}" for d in docs).encode()).hexdigest()[:16]
    with _LOCK:
        if digest in _LOADED:
            return _LOADED[digest]
        embedder = make_embedder()
        path = cache_dir / f"hs-vectors-use-{digest}.npy"
        vectors = None
        if path.exists():
            try:
                vectors = np.load(path)
            except (OSError, ValueError):
                log.warning("unreadable HS vector cache, rebuilding", extra={"path": str(path)})
        if vectors is None or len(vectors) != len(docs):
            log.info("embedding the HS nomenclature for the classifier (once)")
            vectors = embedder.embed([d.text for d in docs])
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(path)
        classifier = HsClassifier(docs, vectors, embedder)
        _LOADED[digest] = classifier
        return classifier


class HsSuggester:
    """Suggests HS codes for a product description (knowledge's HsClassifier).

    Args:
        cache_dir: where the nomenclature embeddings are cached between runs.
    """

    def __init__(self, cache_dir: Path) -> None:
        self._cache_dir = Path(cache_dir)

    def warm(self) -> None:
        """Load (or build) the classifier now."""
        _load_classifier(self._cache_dir)

    def suggest_sync(self, text: str, language: str, top: int = 3) -> HsSuggestion:
        result = _load_classifier(self._cache_dir).classify(text, top=top, language=language)
        return HsSuggestion(tuple(HsCandidate(c.code, c.heading, c.description, c.score) for c in result.candidates),
                            bool(result.ambiguous))

    async def suggest(self, text: str, language: str, top: int = 3) -> HsSuggestion:
        """Candidates for ``text``, best first (runs the classifier off the event loop)."""
        return await asyncio.to_thread(self.suggest_sync, text, language, top)
