"""Accuracy of the whole knowledge engine on our evaluation sets (full index, network blocked).

``bench/knowledge_eval.py`` prints the same figures with every miss; here they are floors
that fail when retrieval, answers or the classifier regress:

- HS headings (knowledge/eval/hs.jsonl): the issue's bar, top-1 >= 90 % and top-3 >= 97 %
  in every language;
- QA (knowledge/eval/qa.jsonl, the development set the answer weights were compared
  on; qa_holdout.jsonl and qa_blind.jsonl, written apart from the corpus and the code by
  someone who saw neither the articles' text nor the other sets): every expected fact in
  the answer, with a source. The development set must reach the issue's 95 % bar
  (today 97.3 %); the held-out floors are regression guards under today's figures
  (held-out 95.0 %, blind 82.0 %);
- off-topic questions (offtopic.jsonl): none gets an answer.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

EVAL = Path(__file__).resolve().parents[2] / "knowledge" / "eval"
LANGUAGES = ("en", "de", "zh", "es", "fr")
HS_TOP1, HS_TOP3 = 0.90, 0.97
QA_DEV_FLOOR, QA_DEV_LANGUAGE_FLOOR = 0.95, 0.85
# Blind HS sets (top-1, top-3): today 90.0 / 99.2 % and 89.0 / 96.0 %; regression guards.
HS_BLIND_FLOORS = {"hs_blind.jsonl": (0.85, 0.95), "hs_blind2.jsonl": (0.84, 0.92)}
QA_HELD_OUT_FLOORS = {"qa_holdout.jsonl": 0.88, "qa_blind.jsonl": 0.76}


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (EVAL / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def has(text: str, fact) -> bool:
    return any(str(alt).lower() in text.lower() for alt in (fact if isinstance(fact, list) else [fact]))


@pytest.fixture(scope="module")
def service(shared_index_dir):
    from bot.bootstrap import shared_embedder
    from knowledge.service import KnowledgeService

    svc = KnowledgeService(shared_index_dir, embedder=shared_embedder())
    svc.warm_up()
    return svc


def qa_hits(service, name: str) -> tuple[dict[str, list[bool]], list[str]]:
    per_language: dict[str, list[bool]] = defaultdict(list)
    misses = []
    for q in rows(name):
        answer = service.answer(q["question"], q["language"])
        ok = answer is not None and bool(answer.sources) and all(has(answer.text, f) for f in q["must_contain"])
        per_language[q["language"]].append(ok)
        if not ok:
            misses.append(q["id"])
    return per_language, misses


def rate(values: list[bool]) -> float:
    return sum(values) / len(values)


def test_hs_heading_accuracy_in_every_language(service):
    top1, top3 = defaultdict(list), defaultdict(list)
    for item in rows("hs.jsonl"):
        headings = [c.heading for c in service.classify(item["text"], top=5, language=item["language"]).candidates]
        top1[item["language"]].append(headings[:1] == [item["heading"]])
        top3[item["language"]].append(item["heading"] in headings[:3])
    figures = {lang: (round(rate(top1[lang]), 3), round(rate(top3[lang]), 3)) for lang in LANGUAGES}
    print("HS top-1/top-3 per language:", figures)
    assert all(len(top1[lang]) >= 30 for lang in LANGUAGES)
    assert all(t1 >= HS_TOP1 and t3 >= HS_TOP3 for t1, t3 in figures.values()), figures


@pytest.mark.parametrize("name", sorted(HS_BLIND_FLOORS))
def test_hs_blind_sets(service, name):
    items = rows(name)
    heads = [[c.heading for c in service.classify(i["text"], top=3, language=i["language"]).candidates] for i in items]
    top1 = rate([h[:1] == [i["heading"]] for h, i in zip(heads, items)])
    top3 = rate([i["heading"] in h for h, i in zip(heads, items)])
    print(f"HS {name}: top-1 {top1:.1%} top-3 {top3:.1%}")
    floor1, floor3 = HS_BLIND_FLOORS[name]
    assert top1 >= floor1 and top3 >= floor3, (top1, top3)


def test_qa_development_set(service):
    per_language, misses = qa_hits(service, "qa.jsonl")
    overall = rate([v for values in per_language.values() for v in values])
    figures = {lang: round(rate(per_language[lang]), 3) for lang in LANGUAGES}
    print(f"QA development set: {overall:.1%} {figures} misses {misses}")
    assert sum(len(v) for v in per_language.values()) >= 80
    assert overall >= QA_DEV_FLOOR, (overall, misses)
    assert all(r >= QA_DEV_LANGUAGE_FLOOR for r in figures.values()), (figures, misses)


@pytest.mark.parametrize("name", sorted(QA_HELD_OUT_FLOORS))
def test_qa_held_out_sets(service, name):
    per_language, misses = qa_hits(service, name)
    overall = rate([v for values in per_language.values() for v in values])
    print(f"QA {name}: {overall:.1%} {({k: round(rate(v), 3) for k, v in per_language.items()})}")
    assert set(per_language) == set(LANGUAGES)
    assert overall >= QA_HELD_OUT_FLOORS[name], (overall, misses)


def test_no_off_topic_question_is_answered(service):
    answered = [o["id"] for o in rows("offtopic.jsonl") if service.answer(o["question"], o["language"]) is not None]
    assert answered == []


@pytest.mark.parametrize("language, question, article", [
    ("en", "what is IOSS?", "eu-import-vat-ioss"),
    ("es", "qué es el IOSS", "eu-import-vat-ioss"),
    ("de", "Was ist ein EORI?", "eu-eori"),
    ("en", "what is TEU", "logistics-container-types"),
])
def test_a_question_naming_one_code_is_answered_from_its_article(service, language, question, article):
    answer = service.answer(question, language)
    assert answer is not None and answer.sources[0]["id"] == article, answer and answer.sources


@pytest.mark.parametrize("question", ["what is NASA", "what is USA", "what is netflix"])
def test_an_unknown_single_term_still_gets_no_answer(service, question):
    assert service.answer(question, "en") is None


@pytest.mark.parametrize("language, question, jurisdiction", [
    ("es", "¿A partir de qué valor hace falta una entrada formal en la aduana de EE.UU.?", "US"),
    ("fr", "Quelles sont les règles d'étiquetage de l'origine pour vendre au Royaume-Uni ?", "UK"),
    ("de", "Welche Zollanmeldung brauche ich für eine Einfuhr nach Deutschland?", "EU"),
    ("en", "what does a US importer have to file before the container is loaded?", "US"),
])
def test_a_question_naming_a_jurisdiction_is_answered_from_its_rules(service, language, question, jurisdiction):
    passages = service.search(question, language, k=3)
    assert passages, question
    metas = service._get_retriever()._metas
    by_article = {m["article_id"]: m["jurisdiction"] for m in metas}
    assert by_article[passages[0].article_id] in (jurisdiction, "INT"), [p.article_id for p in passages]
    assert all(by_article[p.article_id] in (jurisdiction, "INT") for p in passages), [p.article_id for p in passages]


@pytest.mark.parametrize("language, question, facts", [
    ("en", "How many cubic metres fit in a 40ft high cube? And what is the state of charge limit for "
           "lithium-ion batteries sent by air?", ["76", "30 %"]),
    ("de", "Was ist ein Akkreditiv? Und wer trägt bei CIF die Versicherung?", ["Akkreditiv", "110 %"]),
])
def test_each_part_of_a_two_part_question_is_answered(service, language, question, facts):
    answer = service.answer(question, language)
    assert answer is not None
    assert [f for f in facts if f not in answer.text] == [], answer.text


def test_a_payment_question_naming_a_document_gets_no_document_card(service):
    answer = service.answer("supplier wants 30% deposit and balance against copy of BL, is that safe for me?", "en")
    assert answer is not None and answer.structured == ""
    assert "payment-tt-advance" in [s["id"] for s in answer.sources]


@pytest.mark.parametrize("language, question, article", [
    # the Chinese EU overview is closer in meaning (same language); the English article
    # holds the question's rare words (lithium, UN number, air)
    ("zh", "出口欧盟的锂电池空运要注意什么UN编号？", "logistics-dangerous-goods-lithium"),
    ("de", "Brauche ich für ein nicht gelistetes Gut eine Genehmigung, wenn der Endverwender militärisch ist?",
     "export-controls-eu-dual-use"),
])
def test_the_specific_article_beats_a_same_language_overview(service, language, question, article):
    answer = service.answer(question, language)
    assert answer is not None and answer.sources[0]["id"] == article, answer and answer.sources


@pytest.mark.parametrize("language, text, heading", [
    ("fr", "sac à dos pour ordinateur portable avec port USB", "4202"),  # not the computer (8471)
    ("en", "honey 250g in glass jar", "0409"),  # not the jar (7010)
])
def test_the_product_named_first_outvotes_its_accessories_and_packaging(service, language, text, heading):
    assert service.classify(text, top=3, language=language).candidates[0].heading == heading


def test_a_container_named_after_the_goods_is_not_the_goods(service):
    # GIR 5(b): the woven sack (6305) a merchant names after the dried fruit is packing
    from knowledge.classifier import PACKAGING_HEADINGS

    top = service.classify("红枣 编织袋装 25公斤", top=3, language="zh").candidates[0]
    assert top.heading not in PACKAGING_HEADINGS and top.heading.startswith("08")
