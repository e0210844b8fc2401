"""Multilingual HS classifier: dense + BM25 + alias evidence, aggregated per heading.

Each HS heading collects evidence from its documents (HS heading/subheading texts, EU CN
wording, our en/de/zh/es/fr aliases): the best cosine similarity, the best BM25 score and
the best alias match. A weighted sum gives the heading score; a softmax over headings
turns it into a probability-like score in 0..1. Within each top heading the best
6-digit subheading is picked by the same evidence restricted to subheading-level docs.
The description's head phrase (the product named before accessories, purpose, sizes and
packaging: ``head_phrase``) adds its own evidence, so "cordless drill with 2 batteries"
stays a drill.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Sequence

import numpy as np

from knowledge.clarify import clarifying_question, detect_language
from knowledge.embeddings import Embedder, single_thread_blas
from knowledge.hs_data import ALIAS, HsDoc, Nomenclature, load_nomenclature
from knowledge.lexical import Bm25Index
from knowledge.text import compact, decompound, fold, has_cjk, tokenize

# Evidence weights and softmax temperature: set once on general grounds (alias hits are
# the most specific evidence, dense similarity the broadest), not tuned per item.
W_DENSE, W_BM25, W_ALIAS = 1.0, 0.35, 0.6
TEMPERATURE = 0.08
AMBIGUOUS_MARGIN = 0.25  # top-1 minus top-2 score below this -> ask
AMBIGUOUS_FLOOR = 0.5  # or a top-1 score below this
# Chapter 61 holds knitted or crocheted garments only, chapter 62 the others (HS notes to
# chapters 61 and 62). A description that says how the fabric is made rules the other
# chapter out; saying nothing leaves both (and the clarifying question) in play.
_KNITTED = re.compile(r"knit|crochet|jersey|gestrickt|gewirkt|strick|maschenware|针织|钩编|de punto|ganchillo|"
                      r"tricot|maille")
_WOVEN = re.compile(r"\bwoven\b|gewebt|webware|机织|梭织|\btejid[oa]s?\b(?! de punto)|\btissee?s?\b")
FABRIC_PENALTY = 1.0  # subtracted from the ruled-out chapter's heading scores
# The product itself is named before its accessories, purpose, packaging and sizes
# ("cordless drill 18V with 2 batteries", "Granit-Arbeitsplatte für Küche",
# "中性笔 0.5mm 黑色"): that head phrase's evidence counts once more, so an accessory,
# a container or a material named later does not outvote the product.
_HEAD_CUT = re.compile(
    r"\s*[,;(\uff0c\uff1b\uff08/]|\s+(?:with|for|incl|including|without|mit|f\u00fcr|fur|inkl|ohne|con|para|sin|"
    r"avec|pour|sans)\b|\s+\d|\s*(?:\u5e26|\u914d|\u7528\u4e8e|\u9002\u7528)", re.IGNORECASE)
# "in glass jars", "en sacos", "im Beutel": a container introduced by a preposition also ends it
_IN_WORDS = re.compile(r"\s+(?:in|en|im|au|dans)\s+(\S+)(?:\s+(\S+))?", re.IGNORECASE)
# GIR 5(b): packing materials and containers presented with goods are classified with the
# goods. A container named after the product ("honey 500 g glass jar", "quinoa en sacos de
# 25 kg", "Duschgel 250 ml Flasche") rules the container headings out.
_PACKAGING = re.compile(
    r"\b(?:bags?|sacks?|jars?|bottles?|boxe?s|box|tins?|cans|cartons?|pouch(?:es)?|drums?|packets?|"
    r"beuteln?|sacke?n?|sack|glas|glasern|flaschen?|dosen?|kartons?|schachteln?|packung(?:en)?|kanister|eimer|tuten?|"
    r"bolsas?|sacos?|frascos?|botes?|botellas?|latas?|cajas?|tarros?|bidon(?:es)?|"
    r"sacs?|sachets?|bocaux|bocal|pots?|bouteilles?|boites?|bidons?|flacons?|seaux?)\b"
    r"|袋装|瓶装|罐装|盒装|箱装|桶装|玻璃瓶|纸箱|编织袋")
PACKAGING_HEADINGS = ("3923", "4415", "4819", "6305", "7010", "7310", "7612")
PACKAGING_PENALTY = 1.0
W_HEAD = 1.0  # weight of the head phrase's evidence (the whole description counts 1.0)


_TRAILING_WORD = re.compile(r"(?:\s+(?:in|en|im|de|of|a|\u00e0|au|und|and|y|et))+$", re.IGNORECASE)


def head_phrase(text: str) -> str:
    """The product-naming start of a description (see ``_HEAD_CUT``); ``text`` when
    nothing is cut off."""
    text = text.strip()
    if has_cjk(text) and " " in text:
        text = text.split(" ", 1)[0]
    m = _HEAD_CUT.search(text, 1)
    end = m.start() if m else len(text)
    for c in _IN_WORDS.finditer(text, 1, end):
        if any(w and _PACKAGING.fullmatch(fold(w)) for w in c.groups()):
            end = c.start()
            break
    head = _TRAILING_WORD.sub("", text[:end].strip()) if end < len(text) else text
    return head if tokenize(head) else text


@dataclass
class Candidate:
    """One 6-digit HS candidate."""

    code: str
    heading: str
    description: str
    score: float


@dataclass
class ClassifyResult:
    """Classifier output, shaped for the INTERFACES.md ``classify --json`` line."""

    query: str
    candidates: list[Candidate] = field(default_factory=list)
    ambiguous: bool = False
    clarify_question: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready dict: ``{"query", "candidates": [{code, heading, description, score}], ...}``."""
        return asdict(self)


class HsClassifier:
    """Rank HS headings for a product description.

    Args:
        docs: classifier documents (see ``knowledge.hs_data.build_documents``).
        vectors: their unit embeddings, ``(len(docs), dim)``, from ``embedder``.
        embedder: embeds the query (same model as ``vectors``).
        nomenclature: HS descriptions (default: the bundled HS 2022 file).
    """

    def __init__(
        self,
        docs: Sequence[HsDoc],
        vectors: np.ndarray,
        embedder: Embedder,
        nomenclature: Nomenclature | None = None,
    ) -> None:
        if len(docs) != len(vectors):
            raise ValueError("docs and vectors differ in length")
        order = sorted(range(len(docs)), key=lambda i: (docs[i].heading, docs[i].code, docs[i].id))
        self._docs = [docs[i] for i in order]
        self._vectors = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32)[order])
        self._embedder = embedder
        self._nom = nomenclature or load_nomenclature()
        heads = [d.heading for d in self._docs]
        self._headings = sorted(set(heads))
        self._head_index = {h: i for i, h in enumerate(self._headings)}
        self._chapter_mask = {ch: np.array([h.startswith(ch) for h in self._headings]) for ch in ("61", "62")}
        self._packaging_mask = np.array([h in PACKAGING_HEADINGS for h in self._headings])
        self._doc_head = np.array([self._head_index[h] for h in heads], dtype=np.int32)
        starts = [0] + [i for i in range(1, len(heads)) if heads[i] != heads[i - 1]]
        self._starts = np.array(starts, dtype=np.int64)
        doc_tokens = [tokenize(d.text) for d in self._docs]
        self._bm25 = Bm25Index(doc_tokens)
        self._vocab = frozenset(t for toks in doc_tokens for t in toks)
        self._alias_latin: dict[str, list[tuple[int, frozenset[str]]]] = {}
        self._alias_cjk: list[tuple[int, str]] = []
        for i, d in enumerate(self._docs):
            if d.kind != ALIAS:
                continue
            if has_cjk(d.text):
                self._alias_cjk.append((i, compact(d.text)))
            else:
                toks = frozenset(tokenize(d.text))
                if toks:
                    for t in toks:
                        self._alias_latin.setdefault(t, []).append((i, toks))

    # -- evidence ------------------------------------------------------------------
    def _query_tokens(self, text: str) -> list[str]:
        return decompound(tokenize(text), self._vocab)

    def _alias_scores(self, text: str, tokens: list[str]) -> np.ndarray:
        """Per-document alias evidence: share of the query covered by a matching alias."""
        out = np.zeros(len(self._docs), dtype=np.float32)
        qtoks = set(tokens)
        if qtoks:
            for tok in qtoks:
                for i, toks in self._alias_latin.get(tok, ()):
                    if toks <= qtoks:
                        out[i] = max(out[i], len(toks) / len(qtoks))
        qc = compact(text)
        cjk_len = sum(1 for ch in qc if has_cjk(ch))
        if cjk_len:
            for i, term in self._alias_cjk:
                if term and term in qc:
                    out[i] = max(out[i], min(1.0, sum(1 for ch in term if has_cjk(ch)) / cjk_len))
        return out

    def _doc_scores(self, text: str) -> np.ndarray:
        qv = self._embedder.embed_one(text, query=True)
        dense = self._vectors @ qv
        tokens = self._query_tokens(text)
        bm = self._bm25.scores(tokens)
        top = float(bm.max()) if bm.size else 0.0
        bm = bm / top if top > 0 else bm
        alias = self._alias_scores(text, tokens)
        return W_DENSE * dense, W_BM25 * bm, W_ALIAS * alias

    def heading_scores(self, text: str) -> np.ndarray:
        """Raw (uncalibrated) score of every heading, in ``self.headings`` order."""
        dense, bm, alias = self._doc_scores(text)
        return self._per_heading(dense, bm, alias)

    def _packaging_rule(self, text: str, phrase: str, head: np.ndarray) -> np.ndarray:
        """GIR 5(b): rule out the container headings when a container is named after the
        product (outside the head ``phrase``) and the head phrase names no container."""
        rest = fold(text[len(phrase):]) if text.startswith(phrase) else ""
        if not rest or _PACKAGING.search(fold(phrase)) or not _PACKAGING.search(rest):
            return head
        return np.where(self._packaging_mask, head - PACKAGING_PENALTY, head)

    def _fabric_rule(self, text: str, head: np.ndarray) -> np.ndarray:
        """Rule out chapter 61 for woven garments and chapter 62 for knitted ones."""
        folded = fold(text)
        knitted, woven = bool(_KNITTED.search(folded)), bool(_WOVEN.search(folded))
        if knitted == woven:
            return head
        return np.where(self._chapter_mask["62" if knitted else "61"], head - FABRIC_PENALTY, head)

    def _per_heading(self, dense: np.ndarray, bm: np.ndarray, alias: np.ndarray) -> np.ndarray:
        reduce = np.maximum.reduceat
        return reduce(dense, self._starts) + reduce(bm, self._starts) + reduce(alias, self._starts)

    @property
    def headings(self) -> list[str]:
        """Heading codes in score-array order."""
        return list(self._headings)

    def _best_subheading(self, heading: str, doc_total: np.ndarray) -> str:
        h = self._head_index[heading]
        lo = int(self._starts[h])
        hi = int(self._starts[h + 1]) if h + 1 < len(self._starts) else len(self._docs)
        best_code, best = None, -np.inf
        for i in range(lo, hi):
            code = self._docs[i].code
            if len(code) == 6 and doc_total[i] > best:
                best_code, best = code, doc_total[i]
        if best_code is None:
            subs = self._nom.subheadings.get(heading, ())
            best_code = subs[0] if subs else heading + "00"
        return best_code

    # -- public ----------------------------------------------------------------------
    def classify(self, text: str, top: int = 5, language: str | None = None) -> ClassifyResult:
        """Top-k 6-digit candidates (one per heading) with calibrated scores.

        Args:
            text: a product description in en/de/zh/es/fr.
            top: how many candidates to return.
            language: the user's language for the clarifying question (guessed if None).

        Returns:
            The candidates, best first, with ``ambiguous`` and a ``clarify_question``
            when the top headings are close.
        """
        text = " ".join(text.split())
        if not text or not tokenize(text, stopwords=False):
            return ClassifyResult(query=text)
        with single_thread_blas():
            dense, bm, alias = self._doc_scores(text)
            per_heading = self._per_heading(dense, bm, alias)
            phrase = head_phrase(text)
            if phrase != text:  # a weighted mean keeps the scores' scale (softmax temperature)
                head_evidence = self._per_heading(*self._doc_scores(phrase))
                per_heading = (per_heading + W_HEAD * head_evidence) / (1.0 + W_HEAD)
        head = self._packaging_rule(text, phrase, self._fabric_rule(text, per_heading))
        probs = np.exp((head - head.max()) / TEMPERATURE)
        probs /= probs.sum()
        order = np.argsort(-probs)[: max(1, top)]
        doc_total = dense + bm + alias
        candidates = []
        for j in order:
            heading = self._headings[int(j)]
            code = self._best_subheading(heading, doc_total)
            desc = self._nom.description(code) or self._nom.description(heading)
            candidates.append(Candidate(code, heading, desc, round(float(probs[j]), 4)))
        ambiguous = len(candidates) > 1 and (
            candidates[0].score - candidates[1].score < AMBIGUOUS_MARGIN or candidates[0].score < AMBIGUOUS_FLOOR
        )
        question = None
        if ambiguous:
            lang = language or detect_language(text)
            question = clarifying_question([c.heading for c in candidates[:3]], lang)
        return ClassifyResult(text, candidates, ambiguous, question)
