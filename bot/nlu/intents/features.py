"""Lexical features next to the sentence embedding: hashed words, word pairs and
character trigrams (character uni-/bigrams for Chinese).

The embedding carries meaning across languages; these carry the keywords a merchant
types ("HS", "track", "Zolltarif", "订舱") and survive typos the embedding stumbles on.
Hashing uses CRC32, so features are the same in every process (``hash()`` is salted).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

_TOKEN = re.compile(r"[a-zà-ÿß]+|\d+|[\u3400-\u9fff]")
_HAN = re.compile(r"[\u3400-\u9fff]")


def _tokens(text: str) -> list[str]:
    lowered = text.lower()
    # Ids and numbers carry no intent, their shape does: "shp-1234" -> "shp", "<num>".
    return ["<num>" if t.isdigit() else t for t in _TOKEN.findall(lowered)]


def lexical_terms(text: str) -> list[str]:
    """Return the lexical terms of ``text`` before hashing (for inspection and tests)."""
    tokens = _tokens(text)
    terms: list[str] = []
    for i, token in enumerate(tokens):
        terms.append("w:" + token)
        if i + 1 < len(tokens):
            terms.append("b:" + token + "_" + tokens[i + 1])
        if not _HAN.match(token) and len(token) > 3:
            padded = f"#{token}#"
            terms += ["c:" + padded[j:j + 3] for j in range(len(padded) - 2)]
    return terms


def hashed_features(texts: Sequence[str], dims: int = 2048) -> np.ndarray:
    """Return an (n, dims) float32 matrix of L2-normalised hashed term counts."""
    matrix = np.zeros((len(texts), dims), dtype=np.float32)
    for row, text in enumerate(texts):
        for term in lexical_terms(text):
            matrix[row, zlib.crc32(term.encode("utf-8")) % dims] += 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-6)
