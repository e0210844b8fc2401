"""Retrieval over a corpus with translations: a translated section borrows its English
original's match with the question's English key terms, and an English passage is
judged on the words English text can hold, even when other-language articles share
the corpus vocabulary."""

from __future__ import annotations

import textwrap

import pytest

from knowledge.index import KnowledgeIndex
from knowledge.retrieval import Retriever
from knowledge.sources import regulation_docs


def _article(article_id: str, language: str, title: str, sections: list[tuple[str, str]]) -> str:
    body = "\n\n".join(f"## {heading}\n\n{text}" for heading, text in sections)
    return textwrap.dedent(f"""\
        ---
        id: {article_id}
        title: "{title}"
        jurisdiction: INT
        topic: platform
        language: {language}
        as_of: 2026-11-01
        sources:
          - title: tradebot help
            url: https://example.org/help
        ---

        """) + body + "\n"


ARTICLES = {
    "en/help.md": _article("help", "en", "Using the assistant", [
        ("Commands", "The command /help shows what the assistant can do."),
        ("Talking to a human", "Type /human at any time to be handed over to our support staff."),
    ]),
    # aligned: the same two sections in the same order
    "de/help.md": _article("help", "de", "Den Assistenten nutzen", [
        ("Befehle", "Der Befehl /help zeigt, was der Assistent kann."),
        ("Mit einem Menschen sprechen", "Geben Sie jederzeit /human ein, um übergeben zu werden."),
    ]),
    "en/release.md": _article("release", "en", "Releasing cargo", [
        ("Overview", "Cargo is released against an original bill of lading."),
        ("Telex release", "A telex release lets the carrier release the cargo without the paper originals."),
    ]),
    # not aligned: one section where the English has two
    "de/release.md": _article("release", "de", "Freigabe der Ladung", [
        ("Überblick", "Die Ladung wird gegen ein Original-Konnossement freigegeben."),
    ]),
    "en/eu-overview.md": _article("eu-overview", "en", "Importing into the EU", [
        ("Product rules", "Products placed on the EU market must meet EU product law, such as CE marking, "
                          "REACH chemical restrictions and the product safety rules."),
    ]),
    "de/eu-overview.md": _article("eu-overview", "de", "Einfuhr in die EU", [
        ("Produktregeln", "Produkte auf dem EU-Markt müssen das EU-Produktrecht erfüllen, etwa die CE-Kennzeichnung, "
                          "die Chemikalienbeschränkungen nach REACH und die Regeln zur Produktsicherheit."),
    ]),
    "en/eu-reach.md": _article("eu-reach", "en", "REACH for articles", [
        ("Substances of very high concern", "A supplier of an article containing an SVHC above 0.1 % weight by "
                                            "weight must inform its customers."),
    ]),
    # Spanish words in the corpus vocabulary
    "es/carriers.md": _article("carriers", "es", "Navieras", [
        ("Resumen", "La naviera ofrece el transporte; el flete significa el precio del transporte."),
    ]),
}


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("translated")
    for rel, text in ARTICLES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    index = KnowledgeIndex(tmp_path_factory.mktemp("kb-translated"), None, embedder,
                           {"regulations": lambda: regulation_docs(root)})
    index.build()
    return Retriever(index)


def test_only_aligned_translations_map_to_their_english_sections(retriever):
    retriever._load()
    pairs = {retriever._ids[a]: retriever._ids[b] for a, b in retriever._counterpart.items()}
    assert pairs == {"de:help#0": "en:help#0", "de:help#1": "en:help#1", "de:eu-overview#0": "en:eu-overview#0"}


def test_a_translated_section_counts_its_english_originals_key_term_match(retriever):
    hits = retriever.search("Wie spreche ich mit einem Mitarbeiter?", "de", k=5)
    human = next(h for h in hits if h.id == "de:help#1")
    assert human.language == "de"  # the English original is not quoted instead
    # "Mitarbeiter" shares no word with the German text; the glossary's English key terms
    # ("human agent", "support staff") match the English original of this section
    assert human.matched >= 2 and human.coverage >= 0.5


def test_an_english_passage_is_judged_on_the_words_english_can_hold(retriever):
    # "naviera", "ofrece", "significa" occur in the Spanish article; an English passage
    # cannot hold them, so they do not count against it
    hits = retriever.search("la naviera me ofrece hacer 'telex release', ¿qué significa eso?", "es", k=5)
    telex = next(h for h in hits if h.id == "en:release#1")
    assert telex.coverage >= 0.99


def test_the_section_holding_the_questions_rare_words_beats_a_same_language_overview(retriever):
    # the German overview is closer in meaning to a German question (same language); the
    # English section holds "SVHC" and the rest of the question's rare words
    hits = retriever.search("Ab welchem SVHC-Gehalt gelten die REACH-Pflichten?", "de", k=3)
    assert hits[0].article_id == "eu-reach"
    assert hits[0].score >= hits[1].score
