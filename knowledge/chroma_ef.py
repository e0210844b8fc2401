"""Our embedder as a Chroma ``EmbeddingFunction``, registered under the name "tradebot".

Chroma persists a collection's embedding-function config; registering this class lets a
reopened collection (``client.get_collection(name)`` without an explicit function, or a
Chroma server's client in another process) embed queries with the same model. Imported
lazily by ``knowledge.index`` so that importing ``knowledge`` never loads chromadb.
"""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import known_embedding_functions, register_embedding_function

from knowledge.embeddings import Embedder, make_embedder

NAME = "tradebot"


class TradebotEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma adapter around a ``knowledge.embeddings.Embedder``."""

    def __init__(self, embedder: Embedder | str = "default") -> None:
        self._embedder = make_embedder(embedder) if isinstance(embedder, str) else embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._embedder.embed(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return list(self._embedder.embed(list(input), query=True))

    @staticmethod
    def name() -> str:
        return NAME

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self._embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "TradebotEmbeddingFunction":
        return TradebotEmbeddingFunction(str(config.get("embedder", "default")))

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "ip", "l2"]


if known_embedding_functions.get(NAME) is not TradebotEmbeddingFunction:
    register_embedding_function(TradebotEmbeddingFunction)
