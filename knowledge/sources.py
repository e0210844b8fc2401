"""What goes into each Chroma collection: regulations, HS nomenclature, locations.

A source is a function returning ``IndexDoc`` objects with stable ids and flat metadata
(Chroma accepts only str/int/float/bool values, so the citation list is JSON text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class IndexDoc:
    """One document to embed and store."""

    id: str
    text: str
    metadata: dict


def regulation_docs(root: str | Path | None = None) -> list[IndexDoc]:
    """One document per article section (``corpus_loader.split_sections``)."""
    from knowledge.corpus_loader import load_articles, split_sections

    docs = []
    for article in load_articles(root):
        for sec in split_sections(article):
            meta = {
                "article_id": sec.article_id,
                "title": sec.title,
                "heading": sec.heading,
                "language": sec.language,
                "jurisdiction": sec.jurisdiction,
                "topic": sec.topic,
                "as_of": sec.as_of,
                "section": sec.index,
                "sources": json.dumps([{"title": s.title, "url": s.url} for s in sec.sources], ensure_ascii=False),
            }
            text = f"{sec.title}\n{sec.heading}\n{sec.text}"
            docs.append(IndexDoc(f"{sec.language}:{sec.article_id}#{sec.index}", text, meta))
    return docs


def hs_docs(chapters: frozenset[str] | None = None) -> list[IndexDoc]:
    """HS 2022 headings/subheadings, EU CN 2026 wording and our aliases."""
    from knowledge.hs_data import build_documents

    return [IndexDoc(d.id, d.text, d.metadata()) for d in build_documents(chapters=chapters)]


def _transport_modes(function: str) -> int:
    return sum(1 for i, ch in enumerate(function[:4]) if ch == "1234"[i])


def location_docs(min_modes: int = 3) -> list[IndexDoc]:
    """Multimodal UN/LOCODE hubs (``knowledge.locations``), one short line each.

    Only seaports/airports with at least ``min_modes`` of sea, rail, road and air are
    embedded (about 4% of the 24k locations): exact code and name look-ups of every
    location are ``knowledge.locations.find_location``'s job, and embedding all 24k
    would double the index build time on the 2-core target.
    """
    from knowledge.locations import load_locations

    docs = []
    for loc in load_locations():
        if _transport_modes(loc.function) < min_modes:
            continue
        kinds = [k for k, ok in (("seaport", loc.is_seaport), ("airport", loc.is_airport)) if ok]
        name = loc.name if loc.name == loc.ascii_name else f"{loc.name} ({loc.ascii_name})"
        text = f"{name}, {loc.country} {loc.code} {' '.join(kinds)}"
        meta = {
            "code": loc.code,
            "country": loc.country,
            "name": loc.name,
            "seaport": loc.is_seaport,
            "airport": loc.is_airport,
            "language": "en",
        }
        docs.append(IndexDoc(f"loc:{loc.code}:{loc.ascii_name.lower()}", text, meta))
    return docs


def default_sources(corpus_root: str | Path | None = None) -> dict[str, Callable[[], list[IndexDoc]]]:
    """The collections of a full build, by name (the catalog collection comes later)."""
    return {
        "regulations": lambda: regulation_docs(corpus_root),
        "hs": hs_docs,
        "locations": location_docs,
    }
