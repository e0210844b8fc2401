"""Chroma index: build, progress, incremental updates, reopening, filters."""

from __future__ import annotations

import chromadb
from chromadb.config import Settings

from knowledge.index import PREFIX, KnowledgeIndex
from knowledge.sources import IndexDoc


def _docs(texts):
    return [IndexDoc(f"d{i}", t, {"language": "en", "topic": "t"}) for i, t in enumerate(texts)]


def test_build_reports_progress_and_is_incremental(tmp_path, embedder):
    texts = ["FOB means free on board", "CIF includes insurance", "EXW is ex works"]
    current = {"docs": _docs(texts)}
    index = KnowledgeIndex(tmp_path, None, embedder, {"regulations": lambda: current["docs"]})
    calls = []
    stats = index.build(progress=lambda name, done, total: calls.append((name, done, total)))
    assert stats.collections["regulations"].embedded == 3
    assert calls[0] == ("regulations", 0, 3) and calls[-1] == ("regulations", 3, 3)
    assert index.is_built() and index.is_current()

    again = index.build()
    assert again.embedded == 0 and again.collections["regulations"].unchanged == 3

    current["docs"] = _docs(["FOB means free on board", "CIF includes minimum insurance"])
    assert not index.is_current()
    changed = index.build()
    assert changed.collections["regulations"].embedded == 1
    assert changed.collections["regulations"].deleted == 1
    assert index.collection("regulations").count() == 2

    rebuilt = index.build(rebuild=True)
    assert rebuilt.embedded == 2


def test_reopened_collection_embeds_queries_with_our_function(built_index):
    # A fresh client that was never told about our embedder: Chroma rebuilds it from the
    # persisted config ("tradebot"), so query_texts works without passing a function.
    client = chromadb.PersistentClient(
        path=str(built_index.data_dir / "chroma"), settings=Settings(anonymized_telemetry=False)
    )
    col = client.get_collection(PREFIX + "regulations")
    assert col.configuration_json["embedding_function"]["name"] == "tradebot"
    hits = col.query(query_texts=["when does risk pass under FOB"], n_results=1)
    assert hits["metadatas"][0][0]["article_id"] == "incoterms-fob"


def test_metadata_filters_on_collections(built_index):
    hs = built_index.collection("hs", create=False)
    got = hs.get(where={"$and": [{"level": 4}, {"chapter": "09"}]}, include=["metadatas"])
    assert got["ids"] and all(m["level"] == 4 and m["chapter"] == "09" for m in got["metadatas"])
    regs = built_index.collection("regulations", create=False)
    de = regs.get(where={"language": "de"}, include=["metadatas"])
    assert {m["language"] for m in de["metadatas"]} == {"de"}


def test_langchain_vectorstore_over_a_collection(built_index):
    store = built_index.vectorstore("regulations")
    docs = store.similarity_search("container capacity 20 foot", k=1, filter={"language": "en"})
    assert docs[0].metadata["article_id"] == "logistics-container-types"


def test_load_reads_documents_and_embeddings(built_index):
    stored = built_index.load("locations")
    assert len(stored.ids) == stored.embeddings.shape[0] == 150


def test_http_client_against_a_local_chroma_server(tmp_path, embedder):
    """The same build and search through ``chroma_url`` (a real server on loopback)."""
    import shutil
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import pytest

    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists() and shutil.which("chroma") is None:
        pytest.skip("chroma CLI not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [str(exe if exe.exists() else "chroma"), "run", "--path", str(tmp_path / "srv"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        index = KnowledgeIndex(tmp_path / "data", f"http://127.0.0.1:{port}", embedder,
                               {"regulations": lambda: _docs(["FOB means free on board", "CIF includes insurance"])})
        assert index.build().embedded == 2
        assert index.build().embedded == 0
        assert index.is_built()
        from knowledge.retrieval import Retriever

        assert Retriever(index).search("insurance", None, k=1)[0].id == "d1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_two_services_building_one_data_dir_build_it_once(tmp_path, embedder):
    """A second worker (or ``tradebot index``) starting while the first builds waits for it
    (a file lock in the data dir) and then finds the index current, instead of writing the
    same collections at the same time."""
    import threading

    from knowledge.service import KnowledgeService

    texts = [f"Rule {n}: FOB means free on board at port {n}" for n in range(40)]
    sources = {"regulations": lambda: _docs(texts)}
    services = [KnowledgeService(tmp_path, sources=sources, embedder=embedder) for _ in range(2)]
    results: list = [None, None]
    barrier = threading.Barrier(2)

    def build(i: int) -> None:
        barrier.wait()
        results[i] = services[i].ensure_index()

    threads = [threading.Thread(target=build, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    built = [r for r in results if r is not None]
    assert len(built) == 1 and built[0].embedded == 40  # the other one found it current
    assert services[0].index.collection("regulations").count() == 40
    assert (tmp_path / "index.lock").exists()


def test_identical_texts_are_embedded_once_across_batches(tmp_path, embedder, monkeypatch):
    import numpy as np

    import knowledge.index as index_module

    monkeypatch.setattr(index_module, "_EMBED_BATCH", 2)  # the repeat falls in a later batch
    texts = ["Coffee, not roasted", "Tea, green", "Cocoa beans", "Coffee, not roasted", "Tea, green"]
    embedded: list[str] = []
    real = embedder.embed

    class Counting:
        name, dim = embedder.name, embedder.dim

        def embed(self, batch, *, query=False):
            embedded.extend(batch)
            return real(batch, query=query)

    index = KnowledgeIndex(tmp_path, None, Counting(), {"hs": lambda: _docs(texts)})
    stats = index.build()
    assert stats.collections["hs"].embedded == 5 and index.collection("hs").count() == 5
    assert sorted(embedded) == sorted(set(texts))
    stored = index.load("hs")
    vec = dict(zip(stored.ids, stored.embeddings))
    assert np.allclose(vec["d0"], vec["d3"]) and np.allclose(vec["d1"], vec["d4"])
    assert not np.allclose(vec["d0"], vec["d1"])
