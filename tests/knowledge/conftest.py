"""Fixtures for the knowledge engine tests.

Every test here runs with outbound network blocked for the whole process (only
loopback may connect): the engine must never download a model or data at run time.
Most tests share one small index (a few HS chapters, three throwaway articles, a few
locations) built once per session in a temporary directory.
"""

from __future__ import annotations

import socket
import textwrap
from pathlib import Path

import pytest

from knowledge.embeddings import make_embedder
from knowledge.index import KnowledgeIndex
from knowledge.sources import hs_docs, location_docs, regulation_docs

TEST_CHAPTERS = frozenset({"09", "22", "61", "62", "85", "94"})

_LOOPBACK = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}


class NetworkBlocked(RuntimeError):
    """Raised when code under test tries to reach a non-loopback address."""


def _host(address) -> str | None:
    if isinstance(address, tuple) and address:
        return str(address[0])
    return None  # AF_UNIX paths and the like are local


@pytest.fixture(scope="session", autouse=True)
def no_network():
    """Refuse every outbound connection except loopback, for the whole session."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_create = socket.create_connection

    def guard(address):
        host = _host(address)
        if host is not None and host not in _LOOPBACK and not host.startswith("127."):
            raise NetworkBlocked(f"network access to {address!r} is blocked in tests")

    def connect(self, address):
        guard(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        guard(address)
        return real_connect_ex(self, address)

    def create_connection(address, *args, **kwargs):
        guard(address)
        return real_create(address, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", connect)
        mp.setattr(socket.socket, "connect_ex", connect_ex)
        mp.setattr(socket, "create_connection", create_connection)
        yield


ARTICLES = {
    "en/incoterms-fob.md": """\
        ---
        id: incoterms-fob
        title: FOB — Free On Board (Incoterms 2020)
        jurisdiction: INT
        topic: incoterms
        language: en
        as_of: 2026-11-01
        sources:
          - title: ICC — Incoterms 2020
            url: https://iccwbo.org/
        ---

        ## FOB in brief

        FOB is an Incoterms 2020 rule for sea and inland waterway transport only. Risk passes to the buyer once the goods are on board the vessel at the port of shipment.

        ## Who pays what

        The seller pays export clearance and loading; the buyer pays the main sea freight and insurance.
        """,
    "de/incoterms-fob.md": """\
        ---
        id: incoterms-fob
        title: FOB — Frei an Bord (Incoterms 2020)
        jurisdiction: INT
        topic: incoterms
        language: de
        as_of: 2026-11-01
        sources:
          - title: ICC — Incoterms 2020
            url: https://iccwbo.org/
        ---

        ## FOB kurz erklärt

        FOB gilt nur für den See- und Binnenschiffstransport. Die Gefahr geht auf den Käufer über, sobald die Ware im Verschiffungshafen an Bord des Schiffes ist.
        """,
    "en/logistics-container-types.md": """\
        ---
        id: logistics-container-types
        title: Container types and capacities
        jurisdiction: INT
        topic: logistics
        language: en
        as_of: 2026-11-01
        sources:
          - title: ISO 668 — Series 1 freight containers
            url: https://www.iso.org/
        ---

        ## 20-foot container

        A standard 20-foot container holds about 33 cubic metres and up to roughly 28 tonnes of cargo.

        ## 40-foot high cube

        A 40-foot high-cube container holds about 76 cubic metres; it is one foot taller than a standard 40-foot box.
        """,
}


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    """Three throwaway articles (en and de) in the corpus layout."""
    root = tmp_path_factory.mktemp("articles")
    for rel, text in ARTICLES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def embedder():
    """The default (bundled, offline) embedder, shared by the session."""
    return make_embedder("default")


@pytest.fixture(scope="session")
def small_sources(corpus_dir):
    """Sources for a small index: test articles, six HS chapters, 150 locations."""
    return {
        "regulations": lambda: regulation_docs(corpus_dir),
        "hs": lambda: hs_docs(TEST_CHAPTERS),
        "locations": lambda: location_docs()[:150],
    }


@pytest.fixture(scope="session")
def built_index(tmp_path_factory, embedder, small_sources) -> KnowledgeIndex:
    """A small index built once for the session."""
    index = KnowledgeIndex(tmp_path_factory.mktemp("kb"), None, embedder, small_sources)
    index.build()
    return index
