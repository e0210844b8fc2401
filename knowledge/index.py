"""The knowledge index: one Chroma collection per source, built incrementally.

Embedded ``PersistentClient`` under ``<data_dir>/chroma`` by default, ``HttpClient`` when a
``chroma_url`` is given; telemetry is off either way. Each document's metadata carries a
content hash, so a rebuild only re-embeds documents whose text or metadata changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

import numpy as np

from knowledge.embeddings import Embedder, make_embedder
from knowledge.sources import IndexDoc, default_sources

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""``progress(collection, done, total)``, called as documents are embedded."""

COLLECTIONS = ("regulations", "hs", "locations")
PREFIX = "tradebot_"  # Chroma names need 3+ characters; also namespaces a shared server
_EMBED_BATCH = 1024


@dataclass
class CollectionStats:
    """What one build did to one collection."""

    total: int = 0
    embedded: int = 0
    deleted: int = 0
    unchanged: int = 0


@dataclass
class BuildStats:
    """Result of ``KnowledgeIndex.build``."""

    seconds: float = 0.0
    embedder: str = ""
    collections: dict[str, CollectionStats] = field(default_factory=dict)

    @property
    def embedded(self) -> int:
        """Documents embedded in this build, over all collections."""
        return sum(c.embedded for c in self.collections.values())


@dataclass
class Stored:
    """A whole collection read back into memory (for BM25 and the classifier)."""

    ids: list[str]
    documents: list[str]
    metadatas: list[dict]
    embeddings: np.ndarray


EMBED_THREADS = max(1, min(4, os.cpu_count() or 1))  # the embedder's numpy work releases the GIL


def _embed_split(embedder: Embedder, texts: list[str], pool: ThreadPoolExecutor) -> np.ndarray:
    """``embedder.embed(texts)`` with the batch split over the pool's threads (same vectors, in order)."""
    parts = EMBED_THREADS if len(texts) >= 64 * EMBED_THREADS else 1
    if parts == 1:
        return np.asarray(embedder.embed(texts))
    size = -(-len(texts) // parts)
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    return np.vstack([np.asarray(v) for v in pool.map(embedder.embed, chunks)])


def _hash(doc: IndexDoc, embedder: str) -> str:
    payload = json.dumps([doc.text, doc.metadata, embedder], sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


class KnowledgeIndex:
    """Chroma collections for the knowledge sources.

    Args:
        data_dir: where the embedded Chroma database lives (``<data_dir>/chroma``).
        chroma_url: ``http(s)://host:port`` of a Chroma server; None for embedded.
        embedder: the embedder (default: ``make_embedder("default")``).
        sources: collection name -> document loader (default: ``default_sources()``).
    """

    def __init__(
        self,
        data_dir: Path,
        chroma_url: str | None = None,
        embedder: Embedder | None = None,
        sources: dict[str, Callable[[], list[IndexDoc]]] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.chroma_url = chroma_url
        self.embedder = embedder or make_embedder("default")
        self.sources = sources if sources is not None else default_sources()
        self._client = None
        self._ef = None

    # -- Chroma plumbing -------------------------------------------------------------
    @property
    def client(self):
        """The Chroma client (created on first use)."""
        if self._client is None:
            import chromadb
            from chromadb.config import Settings

            settings = Settings(anonymized_telemetry=False)
            if self.chroma_url:
                url = urlparse(self.chroma_url)
                ssl = url.scheme == "https"
                self._client = chromadb.HttpClient(
                    host=url.hostname or "localhost", port=url.port or (443 if ssl else 8000), ssl=ssl, settings=settings
                )
            else:
                path = self.data_dir / "chroma"
                path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(path), settings=settings)
        return self._client

    def _embedding_function(self):
        if self._ef is None:
            from knowledge.chroma_ef import TradebotEmbeddingFunction

            self._ef = TradebotEmbeddingFunction(self.embedder)
        return self._ef

    def collection(self, name: str, *, create: bool = True):
        """The Chroma collection for source ``name`` (None if missing and not ``create``)."""
        name = PREFIX + name
        if not create:
            try:
                return self.client.get_collection(name, embedding_function=self._embedding_function())
            except Exception:  # chromadb raises NotFoundError/ValueError depending on version
                return None
        return self.client.get_or_create_collection(
            name,
            embedding_function=self._embedding_function(),
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedder": self.embedder.name},
        )

    def vectorstore(self, name: str):
        """A LangChain ``Chroma`` vector store over collection ``name``."""
        from langchain_chroma import Chroma

        return Chroma(collection_name=PREFIX + name, client=self.client, embedding_function=self.embedder,
                      create_collection_if_not_exists=False)

    # -- build ------------------------------------------------------------------------
    def is_built(self) -> bool:
        """True when every collection exists, is non-empty and uses our embedder."""
        for name in self.sources:
            col = self.collection(name, create=False)
            if col is None or col.count() == 0 or (col.metadata or {}).get("embedder") != self.embedder.name:
                return False
        return True

    @property
    def manifest_path(self) -> Path:
        """Where the last build's per-collection fingerprints are kept."""
        return self.data_dir / "knowledge-index.json"

    def _fingerprints(self) -> dict[str, str]:
        out = {}
        for name, loader in self.sources.items():
            digest = hashlib.sha1(self.embedder.name.encode())
            for doc in loader():
                digest.update(_hash(doc, self.embedder.name).encode())
            out[name] = digest.hexdigest()
        return out

    def is_current(self) -> bool:
        """True when the index is built and no source document changed since."""
        try:
            saved = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return saved == self._fingerprints() and self.is_built()

    def build(self, rebuild: bool = False, progress: Progress | None = None) -> BuildStats:
        """Create or update every collection; only changed documents are re-embedded.

        Args:
            rebuild: drop the collections first and embed everything again.
            progress: called as ``progress(collection, done, total)``.

        Returns:
            Per-collection counts and the elapsed time.
        """
        started = time.perf_counter()
        stats = BuildStats(embedder=self.embedder.name)
        for name, loader in self.sources.items():
            stats.collections[name] = self._build_one(name, loader(), rebuild, progress)
        stats.seconds = time.perf_counter() - started
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.manifest_path.write_text(json.dumps(self._fingerprints(), indent=1), encoding="utf-8")
        log.info("knowledge index built in %.1fs (%d documents embedded)", stats.seconds, stats.embedded)
        return stats

    def _build_one(self, name: str, docs: list[IndexDoc], rebuild: bool, progress: Progress | None) -> CollectionStats:
        existing_col = self.collection(name, create=False)
        if existing_col is not None and (rebuild or (existing_col.metadata or {}).get("embedder") != self.embedder.name):
            self.client.delete_collection(PREFIX + name)
        col = self.collection(name)
        have = col.get(include=["metadatas"])
        old = {i: (m or {}).get("hash") for i, m in zip(have["ids"], have["metadatas"])}
        wanted = {d.id: d for d in docs}
        hashes = {d.id: _hash(d, self.embedder.name) for d in docs}
        todo = [d for d in docs if old.get(d.id) != hashes[d.id]]
        stale = [i for i in old if i not in wanted]
        st = CollectionStats(total=len(docs), embedded=len(todo), deleted=len(stale), unchanged=len(docs) - len(todo))
        batch_max = max(1, min(_EMBED_BATCH, self.client.get_max_batch_size()))
        for lo in range(0, len(stale), batch_max):
            col.delete(ids=stale[lo : lo + batch_max])
        if progress:
            progress(name, 0, len(todo))
        # Embedding (numpy) and Chroma's insert (Rust) both release the GIL: overlap them
        # so that the two cores work at once; at most one insert is in flight.
        # Identical texts (an HS heading and its only subheading, say) are embedded once.
        repeated = {t for t, n in Counter(d.text for d in todo).items() if n > 1}
        seen: dict[str, np.ndarray] = {}
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-upsert") as pool, \
                ThreadPoolExecutor(max_workers=EMBED_THREADS, thread_name_prefix="embed") as embedders:
            pending = None
            for lo in range(0, len(todo), batch_max):
                chunk = todo[lo : lo + batch_max]
                fresh = [t for t in dict.fromkeys(d.text for d in chunk) if t not in seen]
                vecs = dict(zip(fresh, _embed_split(self.embedder, fresh, embedders))) if fresh else {}
                seen.update((t, v) for t, v in vecs.items() if t in repeated)
                vectors = np.vstack([vecs[d.text] if d.text in vecs else seen[d.text] for d in chunk])
                if pending is not None:
                    pending.result()
                pending = pool.submit(
                    col.upsert,
                    ids=[d.id for d in chunk],
                    documents=[d.text for d in chunk],
                    metadatas=[{**d.metadata, "hash": hashes[d.id]} for d in chunk],
                    embeddings=vectors,
                )
                if progress:
                    progress(name, lo + len(chunk), len(todo))
            if pending is not None:
                pending.result()
        return st

    # -- read back ----------------------------------------------------------------------
    def load(self, name: str, where: dict | None = None) -> Stored:
        """Every document of a collection with its embedding (paged reads)."""
        col = self.collection(name, create=False)
        if col is None:
            raise LookupError(f"collection {name!r} is missing: build the index first")
        ids, docs, metas, vecs = [], [], [], []
        page, offset = 5000, 0
        while True:
            got = col.get(include=["documents", "metadatas", "embeddings"], where=where, limit=page, offset=offset)
            ids += got["ids"]
            docs += got["documents"]
            metas += got["metadatas"]
            if len(got["ids"]):
                vecs.append(np.asarray(got["embeddings"], dtype=np.float32))
            if len(got["ids"]) < page:
                break
            offset += page
        dim = self.embedder.dim or (vecs[0].shape[1] if vecs else 0)
        matrix = np.vstack(vecs) if vecs else np.zeros((0, dim), dtype=np.float32)
        return Stored(ids, docs, metas, matrix)
