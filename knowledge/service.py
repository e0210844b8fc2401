"""One facade over the knowledge engine for the bot: index, search, answers, classifier.

All methods are synchronous and thread-safe (the bot calls them through
``asyncio.to_thread``); nothing is loaded until first use.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from knowledge.answers import Answer, compose_answer, question_parts
from knowledge.classifier import ClassifyResult, HsClassifier
from knowledge.embeddings import Embedder, make_embedder
from knowledge.hs_data import HsDoc
from knowledge.index import BuildStats, KnowledgeIndex, Progress
from knowledge.retrieval import Passage, Retriever
from knowledge.structured import structured_answer


class KnowledgeService:
    """The knowledge engine behind one object.

    Args:
        data_dir: the bot's data directory (the embedded Chroma lives in ``chroma/``).
        chroma_url: a Chroma server URL instead of the embedded database.
        embedder_name: see ``knowledge.embeddings.make_embedder``.
        sources: override the indexed sources (tests); default ``default_sources()``.
        embedder: an embedder instance to use instead of building one from ``embedder_name``.
    """

    def __init__(self, data_dir: Path, chroma_url: str | None = None, embedder_name: str = "default",
                 sources: dict | None = None, embedder: Embedder | None = None) -> None:
        self._data_dir = Path(data_dir)
        self._chroma_url = chroma_url
        self._embedder_name = embedder_name
        self._sources = sources
        self._embedder = embedder  # a shared instance (the bot shares one with its NLU engine)
        self._lock = threading.RLock()
        self._index: KnowledgeIndex | None = None
        self._retriever: Retriever | None = None
        self._classifier: HsClassifier | None = None

    @property
    def index(self) -> KnowledgeIndex:
        """The underlying ``KnowledgeIndex`` (created on first use)."""
        with self._lock:
            if self._index is None:
                embedder = self._embedder or make_embedder(self._embedder_name)
                self._index = KnowledgeIndex(self._data_dir, self._chroma_url, embedder, self._sources)
            return self._index

    def ensure_index(self, progress: Progress | None = None, rebuild: bool = False) -> BuildStats | None:
        """Build or update the index when it is missing or its sources changed.

        Returns:
            The build statistics, or None when the index was already current.
        """
        with self._lock:
            if not rebuild and self.index.is_current():
                return None
            with self._build_lock():  # another process (a second worker, `tradebot index`) may be building
                if not rebuild and self.index.is_current():
                    return None
                stats = self.index.build(rebuild=rebuild, progress=progress)
            self._retriever = None
            self._classifier = None
            return stats

    @contextmanager
    def _build_lock(self) -> Iterator[None]:
        """An exclusive lock on ``<data_dir>/index.lock`` across processes of this machine."""
        self._data_dir.mkdir(parents=True, exist_ok=True)
        with open(self._data_dir / "index.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _get_retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                self._retriever = Retriever(self.index)
            return self._retriever

    def _get_classifier(self) -> HsClassifier:
        with self._lock:
            if self._classifier is None:
                stored = self.index.load("hs")
                docs = [
                    HsDoc(i, text, m["code"], m["heading"], int(m["level"]), m["kind"], m.get("language", "en"))
                    for i, text, m in zip(stored.ids, stored.documents, stored.metadatas)
                ]
                self._classifier = HsClassifier(docs, stored.embeddings, self.index.embedder)
            return self._classifier

    def warm_up(self) -> None:
        """Load the retriever and the classifier now instead of on the first request."""
        self._get_retriever().search("warm up", "en", k=1)
        self._get_classifier().classify("warm up", top=1)

    def search(self, query: str, language: str | None = None, k: int = 5, filters: dict | None = None) -> list[Passage]:
        """Hybrid search over the regulation articles (see ``Retriever.search``)."""
        return self._get_retriever().search(query, language, k, filters)

    def answer(self, question: str, language: str = "en") -> Answer | None:
        """A grounded, cited answer in ``language``, or None ("I don't know, ask a human").

        A question naming Incoterms rules or trade documents first gets the localized
        structured answer (``knowledge.structured``), then the best quoted passages.
        """
        retriever = self._get_retriever()
        passages = retriever.search_articles(question, language)
        # A message asking several questions: each part's best article joins the pool.
        parts = question_parts(question)
        if len(parts) > 1:
            have = {(p.language, p.article_id) for p in passages}
            for part in parts:
                extra = retriever.search_articles(part, language, max_articles=1)
                if extra and (extra[0].language, extra[0].article_id) not in have:
                    have.add((extra[0].language, extra[0].article_id))
                    passages += extra
        related = list(dict.fromkeys(p.article_id for p in passages))
        structured = structured_answer(question, language, related)
        titles = retriever.titles(language) if structured else None
        return compose_answer(question, language, passages, embedder=self.index.embedder,
                              structured=structured, titles=titles)

    def classify(self, text: str, top: int = 5, language: str | None = None) -> ClassifyResult:
        """HS 6-digit candidates for a product description (see ``HsClassifier.classify``)."""
        return self._get_classifier().classify(text, top=top, language=language)
