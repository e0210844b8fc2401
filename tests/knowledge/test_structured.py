"""Structured answers (Incoterms rules, trade documents) and their place in the service."""

from __future__ import annotations

import json

import pytest

from knowledge.glossary import english_concepts, english_terms
from knowledge.service import KnowledgeService
from knowledge.structured import CORPUS_DIR, find_mentions, structured_answer
from knowledge.templates import LABELS, LANGUAGES

INCOTERMS = json.loads((CORPUS_DIR / "incoterms.json").read_text(encoding="utf-8"))
DOCUMENTS = json.loads((CORPUS_DIR / "documents.json").read_text(encoding="utf-8"))
FOB = next(r for r in INCOTERMS["rules"] if r["code"] == "FOB")
BILL = next(d for d in DOCUMENTS["documents"] if d["id"] == "bill-of-lading")

QUESTIONS = {
    "en": "What does FOB mean?",
    "de": "Was bedeutet FOB?",
    "zh": "FOB是什么意思？",
    "es": "¿Qué significa FOB?",
    "fr": "Que veut dire FOB ?",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_rule_card_renders_in_every_language(language):
    answer = structured_answer(QUESTIONS[language], language)
    assert answer is not None and answer.kind == "rule"
    assert answer.article_ids == ["incoterms-fob"]
    assert FOB["name"][language] in answer.text
    assert FOB["delivery_point"][language] in answer.text
    for key in ("modes", "delivery", "carriage", "insurance", "export", "import"):
        assert LABELS[key][language] in answer.text


@pytest.mark.parametrize("question, language, code", [
    ("Frei an Bord oder Ab Werk?", "de", "FOB"),
    ("船上交货是什么", "zh", "FOB"),
    ("¿Qué es franco a bordo?", "es", "FOB"),
    ("c'est quoi le rendu droits acquittés", "fr", "DDP"),
    ("under exw who clears export", "en", "EXW"),
])
def test_rules_are_found_by_localized_name_or_code(question, language, code):
    assert code in find_mentions(question).rules


def test_comparison_is_side_by_side():
    answer = structured_answer("cif vs cip - whats the difference in insurance??", "en")
    assert answer.kind == "compare"
    assert answer.article_ids == ["incoterms-cif", "incoterms-cip"]
    insurance = next(line for line in answer.text.splitlines() if line.startswith("• Insurance"))
    assert "CIF" in insurance and "CIP" in insurance and "ICC C" in insurance and "ICC A" in insurance
    assert "110 %" in insurance
    # what both rules share is said once
    assert "CIF/CIP: seller" in answer.text


def test_comparison_in_german_uses_german_labels():
    answer = structured_answer("Unterschied zwischen FOB und FCA?", "de")
    assert answer.kind == "compare" and "Vergleich" in answer.text and "Käufer" in answer.text


def test_former_rule_code_points_to_its_successor_with_the_change():
    answer = structured_answer("DAT现在叫什么", "zh")
    assert answer.article_ids == ["incoterms-dpu"]
    assert "DAT" in answer.text and LABELS["changes"]["zh"] in answer.text


def test_rules_by_transport_mode():
    answer = structured_answer("which incoterms can only be used for sea freight", "en",
                               related=["incoterms-cfr", "incoterms-2020-overview"])
    assert answer.kind == "rule_list" and answer.article_ids == ["incoterms-2020-overview"]
    sea = next(line for line in answer.text.splitlines() if "Sea and inland waterway only" in line)
    assert all(code in sea for code in ("FAS", "FOB", "CFR", "CIF")) and "EXW" not in sea


def test_document_question_in_chinese():
    answer = structured_answer("提单是什么？", "zh")
    assert answer.kind == "document" and answer.article_ids == ["doc-bill-of-lading"]
    assert BILL["purpose"]["zh"] in answer.text and LABELS["issued_by"]["zh"] in answer.text


@pytest.mark.parametrize("question, language", [
    ("Was ist ein Konnossement?", "de"),
    ("¿Para qué sirve el conocimiento de embarque?", "es"),
    ("qu'est-ce qu'un connaissement", "fr"),
    ("what is a B/L", "en"),
])
def test_document_names_in_every_language(question, language):
    answer = structured_answer(question, language)
    assert answer is not None and answer.article_ids == ["doc-bill-of-lading"]
    assert BILL["when_needed"][language] in answer.text


def test_a_document_mentioned_in_passing_gets_no_card():
    question = "supplier wants 30% deposit and balance against copy of BL, is that safe for me?"
    assert structured_answer(question, "en", related=["payment-tt-advance"]) is None


@pytest.mark.parametrize("question, language", [
    ("recipe for chocolate cake", "en"),
    ("Wie wird das Wetter am Wochenende?", "de"),
    ("讲个笑话", "zh"),
    ("¿Cuál es la capital de Australia?", "es"),
    ("conseille-moi un bon livre", "fr"),
])
def test_off_topic_questions_have_no_structured_answer(question, language):
    assert structured_answer(question, language) is None


def test_glossary_gives_english_key_terms_for_other_languages():
    assert english_concepts("Wie spreche ich mit einem Mitarbeiter?", "de")
    assert "VAT" in english_terms("la franchise TVA de 22 euros existe encore ?", "fr")
    assert "22" in english_terms("la franchise TVA de 22 euros existe encore ?", "fr")
    assert english_concepts("What is VAT?", "en") == []
    assert english_concepts("讲个笑话", "zh") == []


@pytest.fixture(scope="module")
def service(tmp_path_factory, small_sources):
    small = {"regulations": small_sources["regulations"]}
    svc = KnowledgeService(tmp_path_factory.mktemp("kb-structured"), sources=small)
    svc.ensure_index()
    return svc


def test_service_puts_the_structured_answer_first_and_cites_it(service):
    answer = service.answer("Was bedeutet FOB?", "de")
    assert answer.text.startswith("FOB — Frei an Bord")
    assert answer.sources[0]["id"] == "incoterms-fob"
    assert answer.sources[0]["title"] == "FOB — Frei an Bord (Incoterms 2020)"  # the German article's title
    assert "Quellen:" in answer.text


def test_service_answers_a_chinese_document_question_from_the_data(service):
    answer = service.answer("提单是什么？", "zh")
    assert answer is not None and BILL["purpose"]["zh"] in answer.text
    assert "doc-bill-of-lading" in [s["id"] for s in answer.sources]
    assert "来源" in answer.text


@pytest.mark.parametrize("question, language", [
    ("who won the football world cup", "en"),
    ("Wer hat das Spiel gestern gewonnen?", "de"),
    ("今天天气怎么样", "zh"),
])
def test_service_still_refuses_off_topic_questions(service, question, language):
    assert service.answer(question, language) is None
