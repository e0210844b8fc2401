"""The embedder factory and the bundled offline models."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.embeddings import E5Embedder, UseEmbedder, make_embedder


def test_factory_names_and_error_lists_options():
    assert isinstance(make_embedder(), UseEmbedder)
    assert isinstance(make_embedder("e5"), E5Embedder)
    with pytest.raises(ValueError) as err:
        make_embedder("minilm")
    assert "use" in str(err.value) and "e5" in str(err.value) and "hosted" in str(err.value)


def test_hosted_embedder_is_lazy():
    emb = make_embedder("hosted:openai:text-embedding-3-small")
    assert emb.name == "hosted:openai:text-embedding-3-small"  # nothing imported or fetched yet


def test_default_embedder_is_offline_multilingual_and_normalised(embedder):
    m = embedder.embed(["cotton t-shirt", "Baumwoll-T-Shirt", "棉质T恤", "diesel engine"])
    assert m.shape == (4, 512)
    assert np.allclose(np.linalg.norm(m, axis=1), 1.0, atol=1e-4)
    sims = m @ m[0]
    assert sims[1] > sims[3] and sims[2] > sims[3]
    assert len(embedder.embed_query("x")) == 512  # LangChain interface


def test_e5_embedder_runs_offline():
    emb = make_embedder("e5")
    q = emb.embed_one("how to export coffee")
    assert q.shape == (384,)
