"""Hybrid retrieval and grounded answers."""

from __future__ import annotations

import pytest

from knowledge.answers import FRAMING, compose_answer
from knowledge.retrieval import Retriever, chroma_where


@pytest.fixture(scope="module")
def retriever(built_index):
    return Retriever(built_index)


def test_search_returns_scored_passages_with_sources(retriever):
    hits = retriever.search("when does the risk pass to the buyer under FOB?", "en", k=3)
    assert hits[0].article_id == "incoterms-fob"
    top = hits[0]
    assert top.score > 0 and 0 < top.similarity <= 1 and top.sources[0]["title"].startswith("ICC")
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_user_language_version_replaces_english(retriever):
    hits = retriever.search("Wann geht die Gefahr bei FOB über?", "de", k=5)
    fob = [h for h in hits if h.article_id == "incoterms-fob"]
    assert fob and all(h.language == "de" for h in fob)


def test_filters_and_chroma_where(retriever):
    hits = retriever.search("container", None, k=5, filters={"topic": "incoterms"})
    assert hits and all(h.article_id == "incoterms-fob" for h in hits)
    assert chroma_where({"a": 1}) == {"a": 1}
    assert chroma_where({"a": [1, 2], "b": "x"}) == {"$and": [{"a": {"$in": [1, 2]}}, {"b": "x"}]}


def test_chinese_question_finds_the_english_article(retriever):
    hits = retriever.search("20尺集装箱能装多少立方米", "zh", k=3)
    assert hits[0].article_id == "logistics-container-types"


def test_answer_is_grounded_and_cites_sources(retriever, built_index):
    q = "How much fits in a 20-foot container?"
    answer = compose_answer(q, "en", retriever.search_articles(q, "en"), embedder=built_index.embedder)
    assert answer is not None and "33" in answer.text
    assert answer.sources[0] == {"id": "logistics-container-types", "title": "Container types and capacities"}
    assert "(logistics-container-types, as of 2026-11-01)" in answer.text and not answer.fallback_language
    assert len(answer.text) < 2500


@pytest.mark.parametrize("lang,question", [
    ("es", "¿Cuántos metros cúbicos caben en un contenedor de 20 pies?"),
    ("fr", "Quelle est la capacité d'un conteneur de 20 pieds ?"),
    ("zh", "20尺集装箱能装多少立方米"),
])
def test_english_fallback_is_framed_in_the_user_language(retriever, built_index, lang, question):
    answer = compose_answer(question, lang, retriever.search_articles(question, lang), embedder=built_index.embedder)
    assert answer is not None and answer.fallback_language and answer.language == lang
    assert answer.text.startswith(FRAMING["fallback"][lang])
    assert answer.text.rstrip().split("\n")[-1].startswith(FRAMING["sources"][lang])


def test_german_article_needs_no_fallback(retriever, built_index):
    q = "Wann geht bei FOB die Gefahr auf den Käufer über?"
    answer = compose_answer(q, "de", retriever.search_articles(q, "de", max_articles=1), embedder=built_index.embedder)
    assert answer is not None and not answer.fallback_language and "an Bord" in answer.text


@pytest.mark.parametrize("question", ["recipe for chocolate cake", "Wie spät ist es?", "讲个笑话"])
def test_off_topic_questions_get_no_answer(retriever, built_index, question):
    assert compose_answer(question, "en", retriever.search_articles(question, None), embedder=built_index.embedder) is None
    assert compose_answer(question, "en", []) is None


@pytest.mark.parametrize("message, parts", [
    ("FCL vs LCL, when is a full container worth it? and what exactly is a TEU", 2),
    ("Was ist ein Akkreditiv? Und wer trägt bei CIF die Versicherung?", 2),
    ("出口欧盟要什么认证？增值税怎么交？", 2),
    ("what is FOB?", 1),
    ("ok thanks. what is a TEU?", 1),
    ("Hola. ¿Qué es el IOSS?", 1),
])
def test_question_parts(message, parts):
    from knowledge.answers import question_parts

    assert len(question_parts(message)) == parts


def test_a_translations_best_section_counts_as_the_best_lexical_hit():
    # The English version held the best BM25 hit (1.0) and was replaced by the user's
    # language version, whose best section scores 0.95: that section is the best hit now.
    from knowledge.answers import _relevant
    from knowledge.retrieval import Passage

    def passage(lexical):
        return Passage(id="es:eu-import-vat-ioss#2", title="IVA", article_id="eu-import-vat-ioss", text="IOSS ...",
                       score=0.03, language="es", similarity=0.14, lexical=lexical, overlap=1.0, matched=1,
                       coverage=1.0)
    assert not _relevant(passage(0.95), one_term=True)
    assert _relevant(passage(0.95), one_term=True, best_lexical=0.95)
    assert not _relevant(passage(0.90), one_term=True, best_lexical=0.95)
