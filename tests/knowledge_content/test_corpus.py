"""Content checks for the hand-written knowledge corpus (knowledge/corpus, knowledge/eval)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "knowledge" / "corpus"
QA_PATH = ROOT / "knowledge" / "eval" / "qa.jsonl"


def _load_loader():
    try:
        from knowledge import corpus_loader  # type: ignore[import-not-found]

        return corpus_loader
    except ImportError:
        spec = importlib.util.spec_from_file_location("_corpus_loader", ROOT / "knowledge" / "corpus_loader.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module


cl = _load_loader()

INCOTERMS_2020 = {"EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"}
SEA_ONLY = {"FAS", "FOB", "CFR", "CIF"}
NAME_LANGS = {"en", "de", "zh", "es", "fr"}
QA_LANGS = {"en", "de", "zh", "es", "fr"}


@pytest.fixture(scope="module")
def articles():
    return cl.load_articles()


@pytest.fixture(scope="module")
def article_ids(articles):
    return {a.id for a in articles}


def test_corpus_is_not_empty(articles):
    langs = Counter(a.language for a in articles)
    assert langs["en"] >= 40
    assert langs["de"] >= 5 and langs["zh"] >= 5


def test_every_article_is_valid(articles):
    problems = {str(a.path): cl.validate_article(a) for a in articles}
    assert {k: v for k, v in problems.items() if v} == {}


def test_required_keys_present_and_nonempty(articles):
    for a in articles:
        for key in cl.REQUIRED_KEYS:
            assert getattr(a, key), f"{a.path}: empty {key}"


def test_languages_and_topics_valid(articles):
    for a in articles:
        assert a.language in {"en", "de", "zh", "es", "fr"}, a.path
        assert a.topic in cl.TOPICS, a.path


def test_unique_id_language(articles):
    pairs = Counter((a.id, a.language) for a in articles)
    assert [p for p, n in pairs.items() if n > 1] == []


def test_translations_have_english_original(articles):
    english = {a.id: a for a in articles if a.language == "en"}
    for a in articles:
        if a.language != "en":
            assert a.id in english, f"{a.path}: no English original for {a.id}"
            assert a.topic == english[a.id].topic, a.path
            assert a.jurisdiction == english[a.id].jurisdiction, a.path


def test_sections_split(articles):
    for a in articles:
        sections = cl.split_sections(a)
        assert len(sections) >= 2, a.path
        for s in sections:
            assert s.article_id == a.id and s.language == a.language
            assert s.text.strip() and s.heading.strip()
            assert not s.text.startswith("## ")
            assert s.sources == a.sources and s.as_of == a.as_of
            assert s.topic == a.topic and s.jurisdiction == a.jurisdiction and s.title == a.title


def test_required_coverage(article_ids):
    expected = {
        "incoterms-2020-overview", "incoterms-2020-changes",
        *(f"incoterms-{c.lower()}" for c in INCOTERMS_2020),
        "trade-documents-overview", "doc-commercial-invoice", "doc-packing-list", "doc-bill-of-lading",
        "doc-sea-waybill", "doc-air-waybill", "doc-cmr", "doc-certificate-of-origin", "doc-eur1-rex",
        "doc-phytosanitary-health-certificates", "doc-insurance-certificate",
        "payment-terms-overview", "payment-letter-of-credit", "payment-documentary-collection",
        "hs-basics", "hs-general-interpretative-rules", "eu-import-overview", "eu-import-vat-ioss",
        "eu-gpsr", "us-de-minimis", "us-isf-10-2", "uk-low-value-imports", "cn-cross-border-ecommerce-modes",
        "export-controls-eu-dual-use", "sanctions-screening", "logistics-air-chargeable-weight",
        "logistics-dangerous-goods-lithium", "platform-getting-started",
    }
    assert expected - article_ids == set()


def test_most_asked_articles_translated(articles):
    have = {(a.id, a.language) for a in articles}
    for article_id in ("incoterms-2020-overview", "trade-documents-overview", "payment-terms-overview",
                       "hs-basics", "eu-import-overview"):
        for lang in ("de", "zh", "es", "fr"):
            assert (article_id, lang) in have, (article_id, lang)


def test_translations_keep_the_english_sections_one_for_one(articles):
    # Retrieval maps translated section i to English section i (Retriever._english_counterparts):
    # a translation is complete, with the English article's sections in the same order.
    english = {a.id: a for a in articles if a.language == "en"}
    for a in articles:
        if a.language != "en":
            assert len(cl.split_sections(a)) == len(cl.split_sections(english[a.id])), (a.id, a.language)


def test_key_facts_present(articles):
    text = {(a.id, a.language): a.body for a in articles}
    assert "Institute Cargo Clauses (A)" in text[("incoterms-cip", "en")]
    assert "Institute Cargo Clauses (C)" in text[("incoterms-cif", "en")]
    assert "DAT" in text[("incoterms-dpu", "en")]
    assert "21" in text[("payment-letter-of-credit", "en")] and "5 banking days" in text[("payment-letter-of-credit", "en")]
    assert "1 January 2028" in text[("hs-basics", "en")]
    assert "13 December 2024" in text[("eu-gpsr", "en")]
    assert "29 August 2025" in text[("us-de-minimis", "en")]
    assert "6,000" in text[("logistics-air-chargeable-weight", "en")]
    for code in ("9610", "9710", "9810", "1210"):
        assert code in text[("cn-cross-border-ecommerce-modes", "en")]
    for un in ("UN3480", "UN3481", "UN3090", "UN3091"):
        assert un in text[("logistics-dangerous-goods-lithium", "en")]


def test_export_control_articles_carry_disclaimer(articles):
    for a in articles:
        if a.topic == "export-controls":
            assert re.search(r"not legal advice|keine Rechtsberatung|不构成法律意见", a.body), a.path


# --- structured data -------------------------------------------------------------


def test_incoterms_json():
    data = json.loads((CORPUS / "incoterms.json").read_text(encoding="utf-8"))
    rules = data["rules"] if isinstance(data, dict) else data
    codes = [r["code"] for r in rules]
    assert sorted(codes) == sorted(INCOTERMS_2020) and len(codes) == 11
    for r in rules:
        assert set(r["name"]) >= NAME_LANGS and all(r["name"][l].strip() for l in NAME_LANGS), r["code"]
        assert set(r["delivery_point"]) >= NAME_LANGS and all(r["delivery_point"][l].strip() for l in NAME_LANGS)
        assert r["transport_modes"] == ("sea" if r["code"] in SEA_ONLY else "any"), r["code"]
        assert r["insurance"] in {"none", "seller ICC C", "seller ICC A"}
        assert r["main_carriage_by"] in {"seller", "buyer"}
        assert r["export_clearance_by"] in {"seller", "buyer"}
        assert r["import_clearance_by"] in {"seller", "buyer"}
        assert isinstance(r["changes_from_2010"], str) and r["changes_from_2010"].strip()
        i18n = r.get("changes_from_2010_i18n", {})
        assert set(i18n) >= NAME_LANGS and i18n["en"] == r["changes_from_2010"], r["code"]
    by_code = {r["code"]: r for r in rules}
    assert by_code["CIF"]["insurance"] == "seller ICC C"
    assert by_code["CIP"]["insurance"] == "seller ICC A"
    assert by_code["EXW"]["export_clearance_by"] == "buyer"
    assert by_code["DDP"]["import_clearance_by"] == "seller"
    assert sum(r["insurance"] != "none" for r in rules) == 2


def test_documents_json(article_ids):
    data = json.loads((CORPUS / "documents.json").read_text(encoding="utf-8"))
    docs = data["documents"] if isinstance(data, dict) else data
    ids = [d["id"] for d in docs]
    assert len(ids) == len(set(ids)) and len(ids) >= 10
    for d in docs:
        for key in ("names", "purpose", "issued_by", "when_needed"):
            assert set(d[key]) >= NAME_LANGS and all(d[key][l].strip() for l in NAME_LANGS), (d["id"], key)
        if d.get("article_id"):
            assert d["article_id"] in article_ids


# --- evaluation set --------------------------------------------------------------


def _qa_rows():
    rows = []
    for n, line in enumerate(QA_PATH.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            rows.append((n, json.loads(line)))
    return rows


def test_qa_rows_well_formed(article_ids):
    rows = _qa_rows()
    assert len(rows) >= 100
    ids = Counter(r["id"] for _, r in rows)
    assert [i for i, c in ids.items() if c > 1] == []
    for n, r in rows:
        assert set(r) == {"id", "language", "question", "must_contain", "article_ids"}, n
        assert r["language"] in QA_LANGS, n
        assert isinstance(r["question"], str) and r["question"].strip(), n
        assert isinstance(r["must_contain"], list) and r["must_contain"], n
        for fact in r["must_contain"]:
            if isinstance(fact, list):
                assert fact and all(isinstance(x, str) and x.strip() for x in fact), n
            else:
                assert isinstance(fact, str) and fact.strip(), n
        assert isinstance(r["article_ids"], list) and r["article_ids"], n
        missing = set(r["article_ids"]) - article_ids
        assert not missing, f"line {n}: unknown article ids {missing}"


def test_qa_facts_are_answerable_from_expected_articles(articles):
    """Each must_contain fact (or one of its alternatives) occurs in the expected articles
    (any language version), so the evaluation set matches what the corpus actually says."""
    text: dict[str, str] = {}
    for a in articles:
        text[a.id] = text.get(a.id, "") + "\n" + a.title + "\n" + a.body
    missing = []
    for n, r in _qa_rows():
        haystack = "\n".join(text[i] for i in r["article_ids"]).lower()
        for fact in r["must_contain"]:
            alternatives = fact if isinstance(fact, list) else [fact]
            if not any(x.lower() in haystack for x in alternatives):
                missing.append((n, r["id"], alternatives))
    assert missing == []


def test_qa_language_balance():
    per_lang = Counter(r["language"] for _, r in _qa_rows())
    for lang in QA_LANGS:
        assert per_lang[lang] >= 18, per_lang


def test_source_md_present():
    text = (CORPUS / "SOURCE.md").read_text(encoding="utf-8")
    assert "not legal advice" in text.lower()
    assert "as_of" in text or "as of" in text.lower()


# --- loader behaviour ------------------------------------------------------------

_SAMPLE = '''---
id: sample-article
title: "Sample: a title with a colon"
jurisdiction: EU
topic: eu-import
language: en
as_of: 2026-11-01
sources:
  - title: Regulation (EU) No 952/2013 "UCC"
    url: https://eur-lex.europa.eu/eli/reg/2013/952/oj
  - title: 'Second source: quoted'
    url: https://example.org/b
---

# Sample: a title with a colon

Intro paragraph before any section.

## First section

Under the first rule, something.

### A sub-heading stays inside

More text.

```
## not a heading inside code
```

## Second section

Text of the second section.
'''


def test_parse_sample_article():
    a = cl.parse_article(_SAMPLE)
    assert a.id == "sample-article" and a.title == "Sample: a title with a colon"
    assert a.sources == (
        cl.Source('Regulation (EU) No 952/2013 "UCC"', "https://eur-lex.europa.eu/eli/reg/2013/952/oj"),
        cl.Source("Second source: quoted", "https://example.org/b"),
    )
    sections = cl.split_sections(a)
    assert [s.heading for s in sections] == ["Sample: a title with a colon", "First section", "Second section"]
    assert sections[0].text == "Intro paragraph before any section."
    assert "### A sub-heading stays inside" in sections[1].text
    assert "## not a heading inside code" in sections[1].text
    assert [s.index for s in sections] == [0, 1, 2] and sections[2].anchor == "sample-article#2"


def test_parse_rejects_missing_keys():
    broken = _SAMPLE.replace("topic: eu-import\n", "")
    with pytest.raises(cl.CorpusError):
        cl.parse_article(broken)
    with pytest.raises(cl.CorpusError):
        cl.parse_article("no front matter here\n## x\n")


def test_front_matter_is_valid_yaml(articles):
    yaml = pytest.importorskip("yaml")
    for a in articles:
        raw = a.path.read_text(encoding="utf-8").split("\n---\n", 1)[0].removeprefix("---\n")
        meta = yaml.safe_load(raw)
        assert meta["id"] == a.id and meta["title"] == a.title and str(meta["as_of"]) == a.as_of, a.path
        assert [(s["title"], s["url"]) for s in meta["sources"]] == [(s.title, s.url) for s in a.sources], a.path
