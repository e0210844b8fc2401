"""Grounded, cited, chat-sized answers composed from retrieved passages (no LLM).

The answer quotes the best sections verbatim (so it cannot state anything the corpus
does not say), names its sources by title and article id, and is framed in the user's
language. When no passage is relevant enough, ``compose_answer`` returns None so that
the bot says it does not know and offers a human, instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from knowledge.embeddings import single_thread_blas
from knowledge.glossary import QUESTION_WORDS
from knowledge.retrieval import Passage
from knowledge.structured import StructuredAnswer
from knowledge.text import fold, sentences, tokenize

# A passage counts as relevant when its cosine similarity (USE multilingual) or its
# share of the question's content words is high enough. Set from the score
# distributions of on-topic vs off-topic questions (bench/knowledge_eval.py prints both).
MIN_SIMILARITY = 0.30
WEAK_SIMILARITY = 0.20  # enough when the passage also shares the question's words
MIN_OVERLAP = 0.2
STRONG_OVERLAP = 0.5
MIN_COVERAGE = 0.6  # idf-weighted share of the question's words (Passage.coverage)
MAX_POOL_PASSAGES = 16  # sections whose sentences may be quoted
MAX_CHARS = 1200  # quoted text per answer: one chat message
STRUCTURED_QUOTE_CHARS = 700  # quotes after a structured (data) answer
# Sentence score = weighted similarity to the question, shared words, the similarity of
# the sentence's section, and a bonus for the best article.
W_SENTENCE, W_OVERLAP, W_PASSAGE, W_TOP_ARTICLE, W_NUMBER = 0.6, 0.3, 0.3, 0.1, 0.1
W_FOLLOW = 0.85  # share of the previous sentence's score a following sentence inherits

FRAMING = {
    "fallback": {
        "de": "(Dazu gibt es noch keinen Artikel auf Deutsch; hier der englische Text.)",
        "zh": "（此内容暂无中文版本，以下为英文原文。）",
        "es": "(Aún no hay un artículo en español sobre esto; este es el texto en inglés.)",
        "fr": "(Il n'existe pas encore d'article en français à ce sujet ; voici le texte anglais.)",
        "en": "(This article is not available in your language yet; here is the English text.)",
    },
    "sources": {"en": "Sources", "de": "Quellen", "zh": "来源", "es": "Fuentes", "fr": "Sources"},
    "as_of": {"en": "as of", "de": "Stand", "zh": "截至", "es": "a fecha de", "fr": "à jour au"},
}


@dataclass
class Answer:
    """A composed answer.

    Attributes:
        text: the message body, including the source line.
        sources: cited articles, ``[{"id": article_id, "title": title}]``.
        language: the user's language (the language of the framing).
        fallback_language: True when some quoted text is in English because the
            article does not exist in the user's language.
        passages: the passages quoted, best first.
        structured: the kind of structured part (``rule``, ``compare``, ``rule_list``,
            ``document``; see ``knowledge.structured``), "" when there is none.
    """

    text: str
    sources: list[dict] = field(default_factory=list)
    language: str = "en"
    fallback_language: bool = False
    passages: list[Passage] = field(default_factory=list)
    structured: str = ""


def is_relevant(p: Passage, best_lexical: float = 1.0) -> bool:
    """Whether a passage is good enough to answer from.

    ``best_lexical`` is the best lexical score among the passages the answer can quote:
    when an article's English version held the best BM25 hit and was replaced by the
    user's language version, the translation's best section counts as the best hit.
    """
    best = p.lexical >= 0.99 * best_lexical
    return (
        p.similarity >= MIN_SIMILARITY
        or (p.similarity >= WEAK_SIMILARITY and p.overlap >= MIN_OVERLAP and p.lexical > 0)
        # the best BM25 hit, sharing most (and at least three) of the question's words
        or (p.overlap >= STRONG_OVERLAP and p.matched >= 3 and best)
        # the best BM25 hit, holding the question's rare words ("difference between D/P and D/A")
        or (p.coverage >= MIN_COVERAGE and p.matched >= 2 and best)
    )


def _relevant(p: Passage, one_term: bool, best_lexical: float = 1.0) -> bool:
    """``is_relevant``, or — for a question naming one code or acronym ("what is IOSS?") —
    the best BM25 hit holding that term."""
    return is_relevant(p, best_lexical) or (
        one_term and p.matched == 1 and p.overlap >= 1.0 and p.lexical >= 0.99 * best_lexical)


def _best_lexical(passages: Sequence[Passage]) -> float:
    return max((p.lexical for p in passages), default=0.0) or 1.0


def _names_one_term(question: str) -> bool:
    """True when the question's only content word is a code or acronym it writes in capitals."""
    words = [t for t in tokenize(question) if t not in QUESTION_WORDS]
    acronyms = {fold(a) for a in re.findall(r"\b[A-Z][A-Z0-9]{1,9}\b", question)}
    return len(words) == 1 and words[0] in acronyms


_PART_RE = re.compile(r"(?<=[?？;；])\s*|\s*[.!。！]\s+(?=\S)")
MIN_PART_TOKENS = 2
# Courtesy words are not content ("ok thanks. what is a TEU?" asks one question).
_COURTESY = frozenset(tokenize(
    "ok okay thanks thank you hi hello hey please hallo danke bitte gracias hola por favor merci bonjour "
    "salut stp svp") + ["谢谢", "你好", "您好", "好的"])


def _content_words(text: str) -> list[str]:
    return [t for t in tokenize(text) if t not in QUESTION_WORDS and t not in _COURTESY]


def question_parts(question: str) -> list[str]:
    """The separate questions of a message that asks several ("FCL or LCL? and what is a
    TEU?"), or ``[question]``. A part is a question (ending in "?") with a content word, or
    a sentence with ``MIN_PART_TOKENS`` content words; other fragments ("ok.", "thanks!")
    stay with their neighbour."""
    def is_part(text: str) -> bool:
        words = _content_words(text)
        return len(words) >= MIN_PART_TOKENS or (bool(words) and text.rstrip()[-1:] in "?？")

    parts: list[str] = []
    for part in (p.strip() for p in _PART_RE.split(question) if p and p.strip()):
        if parts and not (is_part(part) and is_part(parts[-1])):
            parts[-1] = f"{parts[-1]} {part}"
        else:
            parts.append(part)
    return parts if len(parts) > 1 else [question]


# Questions that ask for a number, a date or a duration: sentences with digits answer them.
_QUANTITY_RE = re.compile(
    r"\b(how (many|much|long|soon)|when|deadline|limit|threshold|wie (viel|viele|lange)|wann|frist|grenze"
    r"|cu[aá]nt[oa]s?|cu[aá]ndo|plazo|l[ií]mite|combien|quand|d[ée]lai|seuil)\b|多少|多久|几|何时|什么时候|期限|门槛",
    re.IGNORECASE,
)


@dataclass(eq=False)
class _Sentence:
    passage: Passage
    order: tuple[int, int]  # (passage position, sentence position)
    text: str
    score: float = 0.0


def _sentence_pool(question: str, passages: Sequence[Passage], embedder) -> list[_Sentence]:
    pool = []
    for pi, p in enumerate(passages[:MAX_POOL_PASSAGES]):
        for si, sent in enumerate(sentences(p.text)):
            if len(sent) > 8:
                pool.append(_Sentence(p, (pi, si), sent))
    q_tokens = set(tokenize(question))
    sims = np.zeros(len(pool), dtype=np.float32)
    if embedder is not None and pool:
        with single_thread_blas():
            matrix = _embed_cached(embedder, [s.text for s in pool])
            sims = matrix @ embedder.embed_one(question, query=True)
    top_article = passages[0].article_id
    wants_number = bool(_QUANTITY_RE.search(question))
    for s, sim in zip(pool, sims):
        words = set(tokenize(s.text)) | set(tokenize(s.passage.heading)) | set(tokenize(s.passage.title))
        overlap = len(q_tokens & words) / len(q_tokens) if q_tokens else 0.0
        s.score = (
            # the language offset (Retriever._language_offsets) levels same-language and
            # English text for a de/zh question
            W_SENTENCE * (float(sim) - s.passage.language_offset) + W_OVERLAP * overlap
            + W_PASSAGE * (s.passage.similarity - s.passage.language_offset)
            + (W_TOP_ARTICLE if s.passage.article_id == top_article else 0.0)
            + (W_NUMBER if wants_number and any(ch.isdigit() for ch in s.text) else 0.0)
        )
    # A sentence right after a strong one often carries the rest of its fact ("After
    # receiving the money ..."): it inherits part of its predecessor's score.
    own = [s.score for s in pool]
    for i in range(1, len(pool)):
        if pool[i - 1].passage is pool[i].passage:
            pool[i].score = max(own[i], W_FOLLOW * own[i - 1])
    return pool


_cache: dict[tuple[str, str], np.ndarray] = {}
_CACHE_MAX = 50_000


def _embed_cached(embedder, texts: list[str]) -> np.ndarray:
    """Sentence vectors, cached per process (the corpus is small and fixed)."""
    missing = [t for t in dict.fromkeys(texts) if (embedder.name, t) not in _cache]
    fresh = dict(zip(missing, embedder.embed(missing))) if missing else {}
    if len(_cache) + len(fresh) <= _CACHE_MAX:
        _cache.update({(embedder.name, t): v for t, v in fresh.items()})
    return np.vstack([fresh[t] if t in fresh else _cache[(embedder.name, t)] for t in texts])


def _select(question: str, passages: Sequence[Passage], embedder,
            max_chars: int = MAX_CHARS, parts: Sequence[str] = ()) -> list[tuple[Passage, str]]:
    """The best sentences (by meaning, shared words and their passage), in text order.

    When the message asks several questions (``parts``), each part's best sentence is
    quoted first, so that the second question is not crowded out by the first.
    """
    pool = _sentence_pool(question, passages, embedder)
    if not pool:
        return []
    chosen: list[_Sentence] = []
    lead_whole = False
    lead = None
    if len(parts) > 1:
        for i, part in enumerate(parts):
            # a short follow-up ("and since when?") is read with the question before it
            text = part if i == 0 or len(_content_words(part)) >= MIN_PART_TOKENS else f"{parts[i - 1]} {part}"
            scored = _sentence_pool(text, passages, embedder)
            best = max(range(len(scored)), key=lambda i: scored[i].score)
            if pool[best] not in chosen:
                chosen.append(pool[best])
    else:
        # The best-ranked section is quoted whole (if it fits); other sections contribute
        # their best sentences.
        lead = max(pool, key=lambda s: s.score).passage
        chosen = [s for s in pool if s.passage is lead]
        if sum(len(s.text) + 1 for s in chosen) > max_chars:
            chosen = []  # too long: its best sentences compete like the others
        lead_whole = bool(chosen)
    used = sum(len(s.text) + 1 for s in chosen)
    for s in sorted(pool, key=lambda s: -s.score):
        if (lead_whole and s.passage is lead) or s in chosen:
            continue
        if used + len(s.text) > max_chars and chosen:
            continue
        chosen.append(s)
        used += len(s.text) + 1
        if used >= max_chars * 0.9:
            break
    chosen.sort(key=lambda s: s.order)
    out: list[tuple[Passage, str]] = []
    for s in chosen:
        if out and out[-1][0] is s.passage:
            out[-1] = (s.passage, out[-1][1] + " " + s.text)
        else:
            out.append((s.passage, s.text))
    return out


def compose_answer(question: str, language: str, passages: Sequence[Passage], embedder=None,
                   structured: StructuredAnswer | None = None, titles: dict | None = None) -> Answer | None:
    """Answer ``question`` from ``passages``, or None when nothing is relevant enough.

    The answer quotes the sentences that best match the question (by embedding
    similarity when ``embedder`` is given, shared words and passage rank), in text order,
    under their article title, within ``MAX_CHARS``.

    Args:
        question: the user's question.
        language: the user's language (en/de/zh/es/fr); framing strings use it.
        passages: retrieval results, best first (``Retriever.search_articles`` gives
            whole articles, which lets the answer use a neighbouring section's fact).
        embedder: the index embedder, for sentence similarity (optional).
        structured: a rendered answer from the structured data (``knowledge.structured``);
            it comes first, its articles are cited first, and the quotes are shortened.
        titles: article id → title in the user's language, for citing structured articles.

    Returns:
        An ``Answer`` citing every quoted article, or None ("no answer": the bot should
        say it does not know and offer a human).
    """
    one_term = _names_one_term(question)
    considered = passages[:MAX_POOL_PASSAGES]
    best = _best_lexical(considered)
    relevant = any(_relevant(p, one_term, best) for p in considered)
    if not relevant and structured is None:
        return None
    budget = MAX_CHARS if structured is None else STRUCTURED_QUOTE_CHARS
    if structured is not None and language != "en":
        # The structured part is already in the user's language: quote same-language text
        # when there is relevant text in it, else the English text (framed as such).
        same = [p for p in passages if p.language == language][:MAX_POOL_PASSAGES]
        best_same = _best_lexical(same)
        if any(_relevant(p, one_term, best_same) for p in same):
            passages = same
    picked = _select(question, passages, embedder, budget, question_parts(question)) if relevant else []
    if not picked and structured is None:
        return None
    lang = language if language in FRAMING["sources"] else "en"
    fallback = any(p.language != lang for p, _ in picked)
    parts: list[str] = [structured.text] if structured else []
    framed = False
    last_article = None
    for p, text in picked:
        # The section heading is part of the quote: it often states the fact ("6 digits").
        block = f"{p.heading}: {text}" if p.heading and p.heading != p.title else text
        if p.article_id != last_article:
            if p.language != lang and lang != "en" and not framed:
                parts.append(FRAMING["fallback"][lang])  # said once, before the first English quote
                framed = True
            parts.append(f"{p.title}\n{block}")
            last_article = p.article_id
        else:
            parts[-1] += f"\n{block}"
    sources, seen, cites = [], set(), []
    for article_id in structured.article_ids if structured else []:
        title = (titles or {}).get(article_id, article_id)
        seen.add(article_id)
        sources.append({"id": article_id, "title": title})
        date = f", {FRAMING['as_of'][lang]} {structured.as_of}" if structured.as_of else ""
        cites.append(f"{title} ({article_id}{date})")
    for p, _ in picked:
        if p.article_id not in seen:
            seen.add(p.article_id)
            sources.append({"id": p.article_id, "title": p.title})
            date = f", {FRAMING['as_of'][lang]} {p.as_of}" if p.as_of else ""
            cites.append(f"{p.title} ({p.article_id}{date})")
    cite = "; ".join(cites)
    parts.append(f"{FRAMING['sources'][lang]}: {cite}")
    chosen = list({id(p): p for p, _ in picked}.values())
    kind = structured.kind if structured else ""
    return Answer("\n\n".join(parts), sources, lang, fallback and lang != "en", chosen, kind)
