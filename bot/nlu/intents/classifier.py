"""Intent classifier over sentence embeddings: softmax regression plus nearest neighbours.

Both parts are trained at start-up from the bundled examples (≈1,500 lines, about a
second) so that the model never goes stale against its data and nothing binary is
shipped. Softmax regression generalises across phrasings; the nearest-neighbour score
keeps the out-of-scope decision honest: a message far from every trade example is
out of scope even when the regression, forced to choose, leans to some trade intent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..blas import single_thread_blas

OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class ClassifierConfig:
    """Hyper-parameters, chosen by cross-validation on the training examples.

    Attributes:
        epochs: Full-batch Adam steps of the softmax regression.
        learning_rate: Adam step size.
        l2: Weight decay.
        temperature: Softmax temperature applied to the regression's logits at
            prediction time (>1 flattens over-confident scores).
        knn_k: Neighbours per intent averaged into the similarity score.
        knn_weight: Share of the similarity-based distribution in the final score.
        knn_sharpness: Inverse temperature turning similarities into a distribution.
        min_similarity: Below this best similarity to any in-scope example, the
            message counts as out of scope.
    """

    epochs: int = 400
    learning_rate: float = 0.05
    l2: float = 1e-4
    temperature: float = 1.0
    knn_k: int = 3
    knn_weight: float = 0.35
    knn_sharpness: float = 20.0
    min_similarity: float = 0.30


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


class IntentClassifier:
    """Scores every intent for a sentence embedding.

    Args:
        labels: Intent names, in output order.
        config: Hyper-parameters.
    """

    def __init__(self, labels: Sequence[str], config: ClassifierConfig | None = None) -> None:
        self.labels = list(labels)
        self.config = config or ClassifierConfig()
        self._weights: np.ndarray | None = None
        self._bias: np.ndarray | None = None
        self._memory: np.ndarray | None = None
        self._memory_labels: np.ndarray | None = None

    def fit(self, vectors: np.ndarray, labels: Sequence[str]) -> IntentClassifier:
        """Train on L2-normalised ``vectors`` (n, d) with one intent name per row."""
        index = {label: i for i, label in enumerate(self.labels)}
        y = np.array([index[label] for label in labels])
        with single_thread_blas():
            w, b = self._fit_regression(np.ascontiguousarray(vectors, dtype=np.float32), y)
        self._weights, self._bias = w, b
        self._memory = vectors.astype(np.float32)
        self._memory_labels = y
        return self

    def _fit_regression(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Class-balanced softmax regression, full-batch Adam, in float32."""
        n, d = x.shape
        c = len(self.labels)
        onehot = np.eye(c, dtype=np.float32)[y]
        # Balance classes so that a larger intent does not swallow a smaller one.
        counts = onehot.sum(axis=0)
        sample_weight = (n / (c * np.maximum(counts, 1)))[y][:, None].astype(np.float32)
        x_t = np.ascontiguousarray(x.T)
        w = np.zeros((d, c), dtype=np.float32)
        b = np.zeros(c, dtype=np.float32)
        cfg = self.config
        moments = [np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)]
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        scale = np.float32(10.0)  # unit-length inputs: scale logits to reach confident scores
        for step in range(1, cfg.epochs + 1):
            probs = _softmax(scale * (x @ w) + b)
            grad_logits = (probs - onehot) * sample_weight / n
            grad_w = scale * (x_t @ grad_logits) + cfg.l2 * w
            grad_b = grad_logits.sum(axis=0)
            for param, grad, m, v in ((w, grad_w, *moments[:2]), (b, grad_b, *moments[2:])):
                m *= beta1
                m += (1 - beta1) * grad
                v *= beta2
                v += (1 - beta2) * grad * grad
                m_hat = m / (1 - beta1**step)
                v_hat = v / (1 - beta2**step)
                param -= (cfg.learning_rate * m_hat / (np.sqrt(v_hat) + eps)).astype(np.float32)
        return (w * scale).astype(np.float32), b.astype(np.float32)

    def predict(self, vectors: np.ndarray) -> np.ndarray:
        """Return scores (n, len(labels)); each row sums to 1."""
        if self._weights is None or self._memory is None:
            raise RuntimeError("IntentClassifier.predict called before fit")
        cfg = self.config
        vectors = np.asarray(vectors, dtype=np.float32)
        # einsum, not BLAS: right after the embedder's forward pass, waking OpenBLAS's
        # threads for these one-row products costs ~10 ms; einsum's loop costs < 1 ms.
        regression = _softmax(
            (np.einsum("nd,dc->nc", vectors, self._weights) + self._bias) / cfg.temperature)
        sims = np.einsum("nd,md->nm", vectors, self._memory)  # (n, m)
        c = len(self.labels)
        per_class = np.full((vectors.shape[0], c), -1.0, dtype=np.float32)
        for label in range(c):
            cols = sims[:, self._memory_labels == label]
            if cols.shape[1] == 0:
                continue
            k = min(cfg.knn_k, cols.shape[1])
            top = -np.sort(-cols, axis=1)[:, :k]
            per_class[:, label] = top.mean(axis=1)
        neighbours = _softmax(cfg.knn_sharpness * per_class)
        scores = (1 - cfg.knn_weight) * regression + cfg.knn_weight * neighbours
        if OUT_OF_SCOPE in self.labels:
            oos = self.labels.index(OUT_OF_SCOPE)
            in_scope = np.ones(c, dtype=bool)
            in_scope[oos] = False
            in_scope_rows = np.isin(self._memory_labels, np.flatnonzero(in_scope))
            best_in_scope = sims[:, in_scope_rows].max(axis=1)
            far = best_in_scope < cfg.min_similarity
            # Far from every trade example: move most of the mass to out_of_scope.
            scores[far] *= 0.3
            scores[far, oos] += 0.7
        return scores / scores.sum(axis=1, keepdims=True)
