"""Tokeniser, HS data files and the alias list."""

from __future__ import annotations

import json
from pathlib import Path

from knowledge.hs_data import ALIAS, LANGUAGES, build_documents, load_aliases, load_nomenclature, parse_alias_line
from knowledge.text import decompound, fold, sentences, tokenize

EVAL = Path(__file__).resolve().parents[2] / "knowledge" / "eval" / "hs.jsonl"


def test_tokenize_folds_stems_and_segments_chinese():
    assert tokenize("Käse-Sorten und T-Shirts") == ["kase", "sorten", "tshirt"]
    assert "咖啡" in tokenize("烘焙咖啡豆") or "咖啡豆" in tokenize("烘焙咖啡豆")
    assert tokenize("D/P or D/A") == ["dp", "da"]
    assert fold("Œuvre Straße") == "oeuvre strasse"


def test_numbers_with_units_split_so_20ft_matches_20_ft():
    assert tokenize("a 20ft box, UN3480") == ["20", "ft", "box", "un", "3480"]
    assert tokenize("20 ft") == ["20", "ft"] and tokenize("6109") == ["6109"]


def test_french_elision_drops_the_article_or_pronoun():
    assert tokenize("qu'est-ce que l'IOSS ?") == ["ioss"]
    assert tokenize("c’est quoi l’EORI") == ["eori"]
    assert tokenize("certificat d'origine") == tokenize("certificat origine")
    assert tokenize("marquage CE") == ["marquage", "ce"]
    # English contractions and codes are not French elisions
    assert "gir" in tokenize("GIR 3(c)") and "c" in tokenize("GIR 3(c)")


def test_chinese_function_words_are_stopwords_only_when_asked():
    tokens = tokenize("出口欧盟的产品要什么认证？")
    assert "出口" in tokens and "欧盟" in tokens and "认证" in tokens
    assert "的" not in tokens and "什么" not in tokens
    assert "的" in tokenize("出口欧盟的产品", stopwords=False)


def test_decompound_splits_unknown_german_compounds_at_a_known_head():
    vocab = {"herren", "pullover", "spritzen"}
    assert decompound(["herrenpullover"], vocab) == ["herren", "pullover"]
    assert decompound(["einwegspritzen"], vocab) == ["spritzen"]
    assert decompound(["pullover"], vocab) == ["pullover"]


def test_sentences_split_latin_and_chinese():
    assert sentences("One. Two! 三。四？") == ["One.", "Two!", "三。", "四？"]


def test_nomenclature_has_hs2022_headings_without_comtrade_aggregates():
    nom = load_nomenclature()
    assert nom.is_heading("0901") and nom.is_heading("8806")
    assert "9999" not in nom.descriptions and "999999" not in nom.descriptions
    assert "090111" in nom.subheadings["0901"]


def test_alias_line_format_and_validation():
    code, terms = parse_alias_line("0902 | en: tea; green tea | zh: 绿茶")
    assert code == "0902" and terms == {"en": ["tea", "green tea"], "zh": ["绿茶"]}
    assert parse_alias_line("# comment") is None


def test_alias_list_is_broad_multilingual_vocabulary():
    aliases = load_aliases()
    nom = load_nomenclature()
    headings = {code[:4] for code, _, _ in aliases}
    assert len(headings) >= 500
    for lang in LANGUAGES:
        assert sum(1 for _, lg, _ in aliases if lg == lang) >= 1000, lang
    assert all(nom.is_heading(code[:4]) for code, _, _ in aliases)


def test_documents_have_stable_unique_ids_and_all_kinds():
    docs = build_documents(chapters=frozenset({"09"}))
    assert len({d.id for d in docs}) == len(docs)
    kinds = {d.kind for d in docs}
    assert kinds == {"heading", "subheading", "cn", ALIAS}
    assert all(d.heading.startswith("09") for d in docs)


def test_hs_eval_set_is_large_enough_and_valid():
    items = [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    nom = load_nomenclature()
    assert len(items) >= 150
    for lang in LANGUAGES:
        assert sum(1 for i in items if i["language"] == lang) >= 30
    assert all(nom.is_heading(i["heading"]) for i in items)
    assert len({i["id"] for i in items}) == len(items)


def test_blind_hs_sets_are_valid():
    # written by people who saw neither the classifier, its aliases nor the other sets
    nom = load_nomenclature()
    for name, per_language in (("hs_blind.jsonl", 24), ("hs_blind2.jsonl", 20)):
        path = EVAL.parent / name
        items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert all(sum(1 for i in items if i["language"] == lang) == per_language for lang in LANGUAGES)
        assert all(nom.is_heading(i["heading"]) and i["text"].strip() for i in items)
        assert len({i["id"] for i in items}) == len(items)


def test_sentences_keep_abbreviations_and_german_dates_inside():
    text = ("Seit dem 1. Juli 2021 ist jede Einfuhr steuerpflichtig, z. B. ein Paket für 10 EUR. "
            "Regulation (EU) No. 952/2013 applies, e.g. to imports. Chapter 77 is reserved. 完了。好")
    assert sentences(text) == [
        "Seit dem 1. Juli 2021 ist jede Einfuhr steuerpflichtig, z. B. ein Paket für 10 EUR.",
        "Regulation (EU) No. 952/2013 applies, e.g. to imports.",
        "Chapter 77 is reserved.",
        "完了。",
        "好",
    ]
