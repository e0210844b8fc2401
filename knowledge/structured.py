"""Structured answers: Incoterms rules and trade documents rendered from our data.

``incoterms.json`` and ``documents.json`` hold the facts in en/de/zh/es/fr, so a question
that names a rule (``FOB``, "Frei an Bord", "船上交货") or a document ("bill of lading",
"Konnossement", "提单") is answered in the user's language from the data through the
templates in ``knowledge.templates`` — not from an English article quoted with a
framing line. Detection is explicit (codes and names from the data plus a short list of
common abbreviations): a question that names no rule or document gets no structured
part, so this never makes an off-topic question answerable.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from knowledge import templates as t
from knowledge.text import fold, has_cjk, tokenize

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
MAX_RULES = 3
MAX_DOCUMENTS = 2
MAX_OTHER_TOKENS = 6  # a document card only when the question is mostly about the document

# Common short forms that are not in the data's names (general trade vocabulary).
DOCUMENT_ALIASES = {
    "bill-of-lading": ["b/l", "bl", "bol", "bill of lading", "ocean bill of lading", "海运提单", "提货单"],
    "sea-waybill": ["seawaybill", "海运单"],
    "air-waybill": ["awb", "airway bill", "air waybill", "lta", "空运单"],
    "cmr": ["cmr", "cmr note", "公路运单"],
    "certificate-of-origin": ["certificate of origin", "ursprungszeugnis", "原产地证书", "原产地证", "产地证",
                              "certificado de origen", "certificat d'origine"],
    "eur1": ["eur.1", "eur1", "eur 1"],
    "rex-statement-on-origin": ["rex", "statement on origin", "origin declaration", "ursprungserklarung"],
    "phytosanitary-certificate": ["phytosanitary certificate", "phyto certificate", "植检证书", "植物检疫证"],
    "health-certificate": ["health certificate", "veterinary certificate", "卫生证书", "兽医证书"],
    "insurance-certificate": ["insurance certificate", "certificate of insurance", "保险单", "保险凭证"],
    "commercial-invoice": ["commercial invoice"],
    "packing-list": ["packing list", "装箱单"],
}

# Words that make a question about Incoterms in general (not one rule), and the mode /
# insurance attribute words that turn it into a "which rules ..." list.
_INCOTERMS_WORDS = ("incoterm", "贸易术语", "贸易条款", "术语")
_SEA_WORDS = ("sea", "ocean", "vessel", "ship", "maritime", "waterway", "see", "seefracht", "schiff",
              "maritimo", "mar", "barco", "buque", "mer", "navire", "fluvial", "海运", "海上", "船", "水运")
_ANY_WORDS = ("any mode", "multimodal", "air", "road", "rail", "truck", "container", "luft", "lkw", "bahn",
              "aereo", "carretera", "camion", "aerien", "route", "空运", "陆运", "铁路", "多式联运", "集装箱")
_INSURANCE_WORDS = ("insur", "versicher", "保险", "segur", "assur")
_CHANGE_WORDS = ("2010", "change", "new", "anderung", "geandert", "neu", "变化", "变更", "改", "新",
                 "cambio", "cambia", "nuevo", "changement", "nouveau", "replac", "ersetz", "reemplaz",
                 "remplac", "现在叫")


@dataclass
class StructuredAnswer:
    """The structured part of an answer.

    Attributes:
        text: the rendered, localized text.
        article_ids: the articles that back the data, best first (cited as sources).
        kind: ``rule``, ``compare``, ``rule_list`` or ``document``.
        as_of: the date the data was last checked (ISO).
    """

    text: str
    article_ids: list[str] = field(default_factory=list)
    kind: str = "rule"
    as_of: str = ""


@lru_cache(maxsize=1)
def _data() -> tuple[dict, dict]:
    incoterms = json.loads((CORPUS_DIR / "incoterms.json").read_text(encoding="utf-8"))
    documents = json.loads((CORPUS_DIR / "documents.json").read_text(encoding="utf-8"))
    return incoterms, documents


def _pattern(term: str, exact_case: bool = False) -> re.Pattern:
    folded = term.strip() if exact_case else fold(term).strip()
    if has_cjk(folded):
        return re.compile(re.escape(folded))
    return re.compile(r"(?<![A-Za-z0-9])" + re.escape(folded) + r"(?![A-Za-z0-9])")



def _names(names: dict) -> list[str]:
    """Each localized name, plus a parenthesised alias when it is an abbreviation or
    another language's name ("Konnossement (Bill of Lading)", "Guía aérea (AWB)")."""
    out: list[str] = []
    bases = {fold(re.split(r"\s*[(（]", n)[0]) for n in names.values()}
    for name in names.values():
        base = re.split(r"\s*[(（]", name)[0].strip()
        out.append(base)
        for inner in re.findall(r"[(（]([^)）]+)[)）]", name):
            if fold(inner) in bases or re.fullmatch(r"[A-Z0-9./ ]{2,}", inner):
                out.extend(p for p in re.split(r"(?<=[A-Z]{2})/(?=[A-Z]{2})", inner) if p.strip())
    return out


@lru_cache(maxsize=1)
def _lexicon() -> list[tuple[re.Pattern, str, str, int, bool]]:
    """``(pattern, kind, key, length, exact_case)`` for every code, name and alias, longest
    first. Former codes ("DAT") and short document abbreviations ("BL", "REX", "AWB")
    match in upper case only, so that "dat" or the name Rex name nothing."""
    incoterms, documents = _data()
    entries: dict[tuple[str, str], tuple[str, str]] = {}
    current = {r["code"] for r in incoterms["rules"]}
    old_codes: dict[str, list[str]] = {}
    for rule in incoterms["rules"]:
        for term in [rule["code"], *rule["name"].values()]:
            if len(fold(term)) >= 3:
                entries[(fold(term), "rule")] = ("rule", rule["code"])
        for code in set(re.findall(r"\b[A-Z]{3}\b", rule.get("changes_from_2010", ""))) - current:
            old_codes.setdefault(code, []).append(rule["code"])
    for old, rules in old_codes.items():  # a former code named in exactly one rule's changes (DAT → DPU)
        if len(rules) == 1:
            entries[(fold(old), "rule")] = ("old_rule", rules[0])
    for doc in documents["documents"]:
        for term in _names(doc["names"]) + DOCUMENT_ALIASES.get(doc["id"], []):
            if len(fold(term)) >= 2:
                entries.setdefault((fold(term), "doc"), ("doc", doc["id"]))
    out = []
    for (term, _), (kind, key) in entries.items():
        exact = kind == "old_rule" or (kind == "doc" and len(term) <= 3 and not has_cjk(term))
        out.append((_pattern(term.upper() if exact else term, exact), kind, key, len(term), exact))
    return sorted(out, key=lambda e: -e[3])


@dataclass
class Mentions:
    """What a question names: rules (in order), documents, and whether an old code was used."""

    rules: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    old_code: bool = False
    spans: list[tuple[int, int]] = field(default_factory=list)


def find_mentions(question: str) -> Mentions:
    """Incoterms rules and trade documents named in ``question`` (any supported language)."""
    text = fold(question)  # upper-case-only codes are matched in the question as written
    found: list[tuple[int, str, str]] = []
    spans: list[tuple[int, int]] = []
    for pattern, kind, key, _, exact in _lexicon():
        for m in pattern.finditer(question if exact else text):
            if any(m.start() < e and s < m.end() for s, e in spans):
                continue  # inside a longer name already matched
            spans.append((m.start(), m.end()))
            found.append((m.start(), kind, key))
    found.sort()
    out = Mentions(spans=spans)
    for _, kind, key in found:
        if kind in ("rule", "old_rule") and key not in out.rules:
            out.rules.append(key)
            out.old_code = out.old_code or kind == "old_rule"
        elif kind == "doc" and key not in out.documents:
            out.documents.append(key)
    return out


def _has(text: str, words) -> bool:
    """Whether folded ``text`` contains one of ``words`` (short words whole, longer ones as stems)."""
    for w in words:
        if has_cjk(w):
            if w in text:
                return True
        elif re.search(r"(?<![a-z0-9])" + re.escape(w) + (r"(?![a-z])" if len(w) <= 4 else ""), text):
            return True
    return False


def _changes(rule: dict, lang: str) -> str:
    return rule.get("changes_from_2010_i18n", {}).get(lang, rule.get("changes_from_2010", ""))


def _rule_card(rule: dict, lang: str, pct: str, with_changes: bool) -> str:
    lines = [t.rule_heading(rule["code"], rule["name"][lang], lang),
             t.line("modes", t.mode(rule["transport_modes"], lang), lang),
             t.line("delivery", rule["delivery_point"][lang], lang),
             t.line("carriage", t.party(rule["main_carriage_by"], lang), lang),
             t.line("insurance", t.insurance(rule["insurance"], lang, pct), lang),
             t.line("export", t.party(rule["export_clearance_by"], lang), lang),
             t.line("import", t.party(rule["import_clearance_by"], lang), lang)]
    if with_changes:
        lines.append(t.line("changes", _changes(rule, lang), lang))
    return "\n".join(lines)


def _side_by_side(rules: list[dict], lang: str, pct: str, with_changes: bool) -> str:
    def row(key: str, values: list[str]) -> str:
        if len(set(values)) == 1:  # the same for all: say it once
            return t.line(key, f"{'/'.join(r['code'] for r in rules)}{t.COLON[lang]}{values[0]}", lang)
        return t.line(key, t.compare_value([(r["code"], v) for r, v in zip(rules, values)], lang), lang)

    head = f"{t.label('compare', lang)}{t.COLON[lang]}" + " | ".join(
        t.rule_heading(r["code"], r["name"][lang], lang) for r in rules)
    lines = [head,
             row("modes", [t.mode(r["transport_modes"], lang) for r in rules]),
             row("delivery", [r["delivery_point"][lang] for r in rules]),
             row("carriage", [t.party(r["main_carriage_by"], lang) for r in rules]),
             row("insurance", [t.insurance(r["insurance"], lang, pct) for r in rules]),
             row("export", [t.party(r["export_clearance_by"], lang) for r in rules]),
             row("import", [t.party(r["import_clearance_by"], lang) for r in rules])]
    if with_changes:
        lines.append(row("changes", [_changes(r, lang) for r in rules]))
    return "\n".join(lines)


def _rule_list(rules: list[dict], lang: str, pct: str, sea: bool, anymode: bool, insured: bool) -> str:
    def names(rs):
        return t.join([f"{r['code']} ({r['name'][lang]})" for r in rs], lang)

    lines = [t.label("rules_title", lang)]
    if sea or anymode:
        lines.append(t.line("sea_only", names([r for r in rules if r["transport_modes"] == "sea"]), lang))
        lines.append(t.line("any_mode", names([r for r in rules if r["transport_modes"] != "sea"]), lang))
    if insured:
        lines.append(t.line("insured_rules", t.join(
            [f"{r['code']}: {t.insurance(r['insurance'], lang, pct)}" for r in rules if r["insurance"] != "none"],
            lang), lang))
    return "\n".join(lines)


def _doc_card(doc: dict, lang: str) -> str:
    return "\n".join([doc["names"][lang],
                      t.line("purpose", doc["purpose"][lang], lang),
                      t.line("issued_by", doc["issued_by"][lang], lang),
                      t.line("when_needed", doc["when_needed"][lang], lang)])


def _other_tokens(question: str, spans: list[tuple[int, int]]) -> int:
    text = fold(question)
    for s, e in sorted(spans, reverse=True):
        text = text[:s] + " " + text[e:]
    return len(tokenize(text))


def structured_answer(question: str, language: str, related: list[str] | None = None) -> StructuredAnswer | None:
    """The structured part of the answer to ``question``, or None when it names nothing.

    Args:
        question: the user's question, any supported language.
        language: the answer language (en/de/zh/es/fr; others fall back to English).
        related: article ids that retrieval ranked for this question, best first; a
            document card is shown when the document's article is the best of them or the
            question is short, and a list of rules cites the general Incoterms article.

    Returns:
        A rule card, a side-by-side comparison, a list of rules by transport mode or
        insurance, or document cards — or None.
    """
    lang = t.lang_or_en(language)
    related_order = list(related or [])
    incoterms, documents = _data()
    pct = (re.findall(r"(\d+)\s*%", incoterms.get("fields", {}).get("insurance", "")) or ["110"])[0]
    by_code = {r["code"]: r for r in incoterms["rules"]}
    folded = fold(question)
    mentions = find_mentions(question)
    with_changes = mentions.old_code or _has(folded, _CHANGE_WORDS)
    parts: list[str] = []
    ids: list[str] = []
    kind = ""
    rules = [by_code[c] for c in mentions.rules[:MAX_RULES]]
    if len(rules) == 1:
        parts.append(_rule_card(rules[0], lang, pct, with_changes))
        kind = "rule"
    elif rules:
        parts.append(_side_by_side(rules, lang, pct, with_changes))
        kind = "compare"
    elif _has(folded, _INCOTERMS_WORDS):
        sea, anymode, insured = _has(folded, _SEA_WORDS), _has(folded, _ANY_WORDS), _has(folded, _INSURANCE_WORDS)
        if sea or anymode or insured:
            parts.append(_rule_list(incoterms["rules"], lang, pct, sea, anymode, insured))
            kind = "rule_list"
            # cite the general Incoterms article retrieval found, else the rules' own articles
            rule_ids = {r["article_id"] for r in incoterms["rules"]}
            prefix = re.match(r"[a-z]+-", next(iter(rule_ids))).group(0)
            general = sorted((a for a in related_order if a.startswith(prefix) and a not in rule_ids),
                             key=lambda a: "overview" not in a)  # an overview article first
            ids.extend(general[:1] or [r["article_id"] for r in incoterms["rules"] if r["transport_modes"] == "sea"])
    ids.extend(r["article_id"] for r in rules)
    docs = {d["id"]: d for d in documents["documents"]}
    short = _other_tokens(question, mentions.spans) <= MAX_OTHER_TOKENS
    for doc_id in mentions.documents[:MAX_DOCUMENTS]:
        doc = docs[doc_id]
        if not rules and (short or doc["article_id"] in related_order[:1]):
            parts.append(_doc_card(doc, lang))
            ids.append(doc["article_id"])
            kind = kind or "document"
    if not parts:
        return None
    as_of = (incoterms if kind != "document" else documents).get("as_of", "")
    return StructuredAnswer("\n\n".join(parts), list(dict.fromkeys(ids)), kind, as_of)
