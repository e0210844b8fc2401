"""Hybrid retrieval over the regulations collection: Chroma dense + BM25, fused by RRF.

The collection (a few hundred sections) is read once from Chroma, embeddings included,
so that both rankings run in memory: cosine similarity against the stored vectors and
BM25 over the same texts. That is the same through an embedded database or a Chroma
server, and keeps a query at a few milliseconds (a Chroma query through LangChain cost
~20-70 ms here). Reciprocal rank fusion (k=60) merges the two rankings; the fused candidates
are then ordered by similarity, coverage of the question's words and the fused score.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from knowledge.embeddings import single_thread_blas
from knowledge.glossary import QUESTION_WORDS, english_concepts
from knowledge.index import KnowledgeIndex
from knowledge.jurisdictions import named_jurisdictions
from knowledge.lexical import Bm25Index
from knowledge.text import tokenize

RRF_K = 60
CANDIDATES = 20  # per ranking, before fusion
MAX_PER_ARTICLE = 3
EN_WEIGHT = 0.5  # RRF weight of the English key-term rankings: weaker evidence than the question
MIN_OFFSET_SECTIONS = 20  # sections a language needs before its similarity offset is estimated
MIN_CONCEPTS = 2  # English key-term matches count for relevance only with at least two concepts
# Final order of the fused candidates: similarity (language offset removed) plus these
# shares of the idf-weighted coverage of the question's words and of the normalised RRF
# score. Coverage lets the section holding the question's rare words ("SVHC", "catch-all")
# beat a same-language overview that is merely close in meaning.
W_RERANK_COVERAGE = 0.5
W_RERANK_FUSED = 0.5
# "D/P和D/A": separate Latin and Chinese runs so that codes tokenize as in English text.
_SCRIPT_BOUNDARY_RE = re.compile(r"(?<=[A-Za-z0-9])(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])(?=[A-Za-z0-9])")


def query_tokens(query: str) -> list[str]:
    """Tokens of a query, with Latin codes split off adjacent Chinese text."""
    return tokenize(_SCRIPT_BOUNDARY_RE.sub(" ", query))


@dataclass
class Passage:
    """One retrieved article section.

    Attributes:
        id: ``<language>:<article_id>#<section>``.
        title: the article title.
        article_id: the article id (the citation id).
        text: the section text (Markdown).
        score: the ranking score (higher is better; comparable within one query only):
            similarity less the language offset, plus shares of the coverage and of the
            RRF score normalised by the query's best.
        language: the passage language.
        sources: the article's sources, ``[{"title", "url"}]``.
        heading: the section heading.
        similarity: cosine similarity of the query and the passage (0..1).
        lexical: BM25 score relative to the best BM25 hit of the query (0..1).
        overlap: share of the query's content tokens that occur in the passage.
        matched: how many of the query's content tokens occur in the passage.
        coverage: the idf-weighted share of the query's tokens that occur in the passage
            (rare words such as ``D/P`` count more than ``difference``; words unknown to
            the corpus count most).
        as_of: the date the article was last checked (ISO).
    """

    id: str
    title: str
    article_id: str
    text: str
    score: float
    language: str
    sources: list[dict] = field(default_factory=list)
    heading: str = ""
    similarity: float = 0.0
    lexical: float = 0.0
    overlap: float = 0.0
    matched: int = 0
    as_of: str = ""
    coverage: float = 0.0
    language_offset: float = 0.0


def chroma_where(filters: dict | None) -> dict | None:
    """Our filter dict ({field: value | [values]}) as a Chroma ``where`` clause."""
    if not filters:
        return None
    clauses = [{k: {"$in": list(v)}} if isinstance(v, (list, tuple, set)) else {k: v} for k, v in filters.items()]
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _matches(meta: dict, filters: dict | None) -> bool:
    for key, want in (filters or {}).items():
        values = want if isinstance(want, (list, tuple, set)) else [want]
        if meta.get(key) not in values:
            return False
    return True


class Retriever:
    """Search article sections.

    Args:
        index: a built ``KnowledgeIndex``.
        collection: the source to search (default ``"regulations"``).
    """

    def __init__(self, index: KnowledgeIndex, collection: str = "regulations") -> None:
        self._index = index
        self._collection = collection
        self._lock = threading.Lock()
        self._loaded = False

    def _load(self) -> None:
        with self._lock:
            if self._loaded:
                return
            stored = self._index.load(self._collection)
            self._ids = stored.ids
            self._pos = {i: n for n, i in enumerate(stored.ids)}
            self._docs = stored.documents
            self._metas = stored.metadatas
            self._tokens = [set(tokenize(d)) for d in stored.documents]
            self._bm25 = Bm25Index([tokenize(d) for d in stored.documents])
            df = Counter(tok for toks in self._tokens for tok in toks)
            n = max(1, len(stored.documents))
            self._idf = {tok: math.log(1.0 + (n - c + 0.5) / (c + 0.5)) for tok, c in df.items()}
            self._idf_unknown = math.log(1.0 + (n + 0.5) / 0.5)
            self._en_vocab = {tok for toks, m in zip(self._tokens, stored.metadatas)
                              if m.get("language", "en") == "en" for tok in toks}
            self._vectors = stored.embeddings
            self._langs = [m.get("language", "en") for m in stored.metadatas]
            self._counterpart = self._english_counterparts()
            self._lang_rows = {lang: np.array([n for n, x in enumerate(self._langs) if x == lang])
                               for lang in set(self._langs)}
            self._loaded = True

    def _english_counterparts(self) -> dict[int, int]:
        """Row of a translated section → row of the same section in the English article,
        for translations that keep the English article's sections one for one."""
        rows: dict[tuple[str, str], list[int]] = {}
        for n, m in enumerate(self._metas):
            rows.setdefault((m.get("language", "en"), m.get("article_id", "")), []).append(n)
        def section(n: int) -> str:
            return self._ids[n].rpartition("#")[2]
        out: dict[int, int] = {}
        for (lang, article_id), own in rows.items():
            english = rows.get(("en", article_id))
            if lang == "en" or not english or len(english) != len(own):
                continue
            by_section = {section(n): n for n in english}
            out.update({n: by_section[section(n)] for n in own if section(n) in by_section})
        return out

    def refresh(self) -> None:
        """Forget the in-memory copy (call after the index was rebuilt)."""
        with self._lock:
            self._loaded = False

    def search(self, query: str, language: str | None = None, k: int = 5, filters: dict | None = None) -> list[Passage]:
        """Best passages for ``query``.

        Args:
            query: the user's question, any supported language.
            language: the user's language; passages in it or in English are searched, and
                an article available in the user's language replaces its English version.
            k: how many passages to return.
            filters: metadata filters, ``{field: value | [values]}`` over ``language``,
                ``jurisdiction``, ``topic``, ``article_id``.

        Returns:
            Up to ``k`` passages, best first.
        """
        self._load()
        if not query.strip() or not self._ids:
            return []
        filters = dict(filters or {})
        if language and "language" not in filters:
            filters["language"] = sorted({language, "en"})
        q_tokens = query_tokens(query)
        mask = np.array([_matches(m, filters) for m in self._metas]) if filters else None
        with single_thread_blas():
            vector = self._index.embedder.embed_one(query, query=True)
            sims = self._vectors @ vector
        offsets = self._language_offsets(sims)
        if mask is not None:
            sims = np.where(mask, sims, -1.0)
        ranked = sims - np.array([offsets.get(lang, 0.0) for lang in self._langs], dtype=np.float32)
        dense_order = [int(i) for i in np.argsort(-ranked)[:CANDIDATES] if sims[i] > -1.0]
        dense_rank = {self._ids[i]: r for r, i in enumerate(dense_order)}
        bm = self._bm25.scores(q_tokens)
        if mask is not None:
            bm = np.where(mask, bm, 0.0)
        top_bm = float(bm.max()) if bm.size else 0.0
        lex_order = [int(i) for i in np.argsort(-bm)[:CANDIDATES] if bm[i] > 0]
        lex_rank = {self._ids[i]: r for r, i in enumerate(lex_order)}
        rankings = [(dense_rank, 1.0), (lex_rank, 1.0)]
        concepts = english_concepts(query, language)
        english = " ".join(concepts)
        use_english = bool(english) and (not filters.get("language") or "en" in filters["language"])
        if use_english:
            # a second, English-only query with the question's key terms (see knowledge.glossary);
            # English sections of articles the user has in their own language are replaced anyway
            local = {m.get("article_id") for m in self._metas if m.get("language") == language}
            en_filters = {**filters, "language": "en"}
            en_mask = np.array([_matches(m, en_filters) and m.get("article_id") not in local for m in self._metas])
            with single_thread_blas():
                en_sims = self._vectors @ self._index.embedder.embed_one(english, query=True)
            en_bm = self._bm25.scores(tokenize(english))
            ranked_en = np.where(en_mask, en_sims, -1.0)
            ranked_bm = np.where(en_mask, en_bm, 0.0)
            dense_en = [int(i) for i in np.argsort(-ranked_en)[:CANDIDATES] if ranked_en[i] > -1.0]
            lex_en = [int(i) for i in np.argsort(-ranked_bm)[:CANDIDATES] if ranked_bm[i] > 0]
            rankings += [({self._ids[i]: r for r, i in enumerate(order)}, EN_WEIGHT) for order in (dense_en, lex_en)]
        fused: dict[str, float] = {}
        for ranks, weight in rankings:
            for pid, r in ranks.items():
                fused[pid] = fused.get(pid, 0.0) + weight / (RRF_K + r + 1)
        # Sections of a jurisdiction the question does not name come after the others: a
        # question about US formal entry is not answered from the UK article. A Chinese
        # question keeps China in view (our Chinese users export from China).
        named = named_jurisdictions(query)
        if named and language == "zh":
            named.add("CN")
        def off_topic_jurisdiction(pid: str) -> bool:
            j = self._metas[self._pos[pid]].get("jurisdiction", "INT")
            return bool(named) and j not in named and j not in ("INT", "")
        ordered = sorted(fused, key=lambda p: (off_topic_jurisdiction(p), -fused[p]))
        passages = [self._passage(p, fused[p], max(0.0, float(sims[self._pos[p]])), bm, top_bm, set(q_tokens),
                                  language) for p in ordered]
        for p in passages:
            p.language_offset = round(offsets.get(p.language, 0.0), 4)
        if use_english:
            self._merge_english(passages, concepts, en_sims, float(ranked_bm.max()), en_bm)
        top = max(fused.values())
        for p in passages:
            p.score = round(p.similarity - p.language_offset + W_RERANK_COVERAGE * p.coverage
                            + W_RERANK_FUSED * fused[p.id] / top, 6)
        passages.sort(key=lambda p: (off_topic_jurisdiction(p.id), -p.score))
        return self._prefer_language(passages, language)[:k]

    def _language_offsets(self, sims: np.ndarray) -> dict[str, float]:
        """How much closer the query is, on average, to the sections of each language than to
        the English ones (the encoder scores same-language pairs higher: a Chinese question is
        ~0.05 closer to any Chinese section than to any English one). Subtracted before the
        dense ranking, so that an English section on the exact topic can beat a Chinese
        overview; languages with few sections get no offset (their mean is noise)."""
        rows = self._lang_rows
        if "en" not in rows:
            return {}
        base = float(sims[rows["en"]].mean())
        return {lang: float(sims[r].mean()) - base for lang, r in rows.items()
                if lang != "en" and len(r) >= MIN_OFFSET_SECTIONS}

    def _merge_english(self, passages: list[Passage], concepts: list[str], en_sims, top: float, en_bm) -> None:
        """Let an English passage's match with the question's English key terms count like
        a match with the question (similarity, lexical score, shared words: the better of
        both) — only when it shares at least ``MIN_CONCEPTS`` of the question's concepts,
        so that one common word ("bank", "toys") does not make a question answerable. A
        translated section counts its English original's match."""
        concept_tokens = [set(tokenize(c)) for c in concepts]
        for p in passages:
            n = self._pos[p.id] if p.language == "en" else self._counterpart.get(self._pos[p.id])
            if n is None:
                continue
            hits = sum(1 for c in concept_tokens if c & self._tokens[n])
            if hits < MIN_CONCEPTS:
                continue
            share = hits / len(concept_tokens)
            p.similarity = max(p.similarity, round(max(0.0, float(en_sims[n])), 4))
            if top > 0:
                p.lexical = max(p.lexical, round(min(1.0, float(en_bm[n]) / top), 4))
            if share > p.overlap:
                p.overlap, p.matched = round(share, 4), hits
            p.coverage = max(p.coverage, round(share, 4))

    def _passage(self, pid, score, sim, bm, top_bm, q_tokens, language=None) -> Passage:
        n = self._pos[pid]
        meta = self._metas[n]
        lines = self._docs[n].split("\n", 2)
        text = lines[2] if len(lines) == 3 else self._docs[n]
        matched = len(q_tokens & self._tokens[n])
        overlap = matched / len(q_tokens) if q_tokens else 0.0
        # A question in another language is covered by an English passage through the words
        # English text can hold (names, codes, English terms quoted in the question).
        cross = bool(language) and language != "en" and meta.get("language", "en") == "en"
        coverage = self._coverage({t for t in q_tokens if t in self._en_vocab} if cross else q_tokens, n)
        return Passage(
            id=pid,
            title=meta.get("title", ""),
            article_id=meta.get("article_id", ""),
            text=text,
            score=round(score, 6),
            language=meta.get("language", "en"),
            sources=json.loads(meta.get("sources") or "[]"),
            heading=meta.get("heading", ""),
            similarity=round(sim, 4),
            lexical=round(float(bm[n]) / top_bm, 4) if top_bm > 0 else 0.0,
            overlap=round(overlap, 4),
            matched=matched,
            as_of=meta.get("as_of", ""),
            coverage=round(coverage, 4),
        )

    def _coverage(self, q_tokens: set[str], n: int) -> float:
        q_tokens = q_tokens - QUESTION_WORDS
        total = sum(self._idf.get(tok, self._idf_unknown) for tok in q_tokens)
        hit = sum(self._idf.get(tok, self._idf_unknown) for tok in q_tokens & self._tokens[n])
        return hit / total if total else 0.0

    def search_articles(
        self, query: str, language: str | None = None, max_articles: int = 3, filters: dict | None = None
    ) -> list[Passage]:
        """Every section of the best ``max_articles`` articles, scored against ``query``.

        The answer composer picks sentences from these, so that a fact in a neighbouring
        section of the right article is not lost. Passages come grouped by article
        (best article first) and in document order within an article.
        """
        hits = self.search(query, language, k=12, filters=filters)
        if not hits:
            return []
        order: list[tuple[str, str]] = []
        for p in hits:
            key = (p.language, p.article_id)
            if key not in order:
                order.append(key)
        order = order[:max_articles]
        q_tokens = set(tokenize(query))
        with single_thread_blas():
            sims = self._vectors @ self._index.embedder.embed_one(query, query=True)
        offsets = self._language_offsets(sims)
        best = {p.id: p for p in hits}
        out = []
        for lang, article_id in order:
            rows = [n for n, m in enumerate(self._metas) if m.get("article_id") == article_id and m.get("language") == lang]
            rows.sort(key=lambda n: self._metas[n].get("section", 0))
            for n in rows:
                pid = self._ids[n]
                if pid in best:
                    out.append(best[pid])
                else:
                    zeros = np.zeros(len(self._ids), dtype=np.float32)
                    p = self._passage(pid, 0.0, max(0.0, float(sims[n])), zeros, 0.0, q_tokens, language)
                    p.language_offset = round(offsets.get(lang, 0.0), 4)
                    out.append(p)
        return out

    def titles(self, language: str | None = None) -> dict[str, str]:
        """Article id → title, in ``language`` where the article exists in it, else English."""
        self._load()
        out: dict[str, str] = {}
        for m in self._metas:
            aid, lang = m.get("article_id", ""), m.get("language", "en")
            if lang == language or (lang == "en" and aid not in out):
                out[aid] = m.get("title", aid)
        return out

    @staticmethod
    def _prefer_language(passages: list[Passage], language: str | None) -> list[Passage]:
        local = {p.article_id for p in passages if language and p.language == language}
        out, per_article = [], {}
        for p in passages:
            if language and p.language != language and p.article_id in local:
                continue
            if per_article.get(p.article_id, 0) >= MAX_PER_ARTICLE:
                continue
            per_article[p.article_id] = per_article.get(p.article_id, 0) + 1
            out.append(p)
        return out
