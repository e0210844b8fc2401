"""Localized templates for structured answers (Incoterms rules and trade documents).

The facts come from ``knowledge/corpus/incoterms.json`` and ``documents.json``; this
module only holds the wording around them, in the five supported languages
(en/de/zh/es/fr). Every render function takes already-localized data values and a
language and returns plain chat text (one line per attribute, no Markdown tables).
"""

from __future__ import annotations

LANGUAGES = ("en", "de", "zh", "es", "fr")

LABELS: dict[str, dict[str, str]] = {
    "modes": {"en": "Transport", "de": "Transport", "zh": "运输方式", "es": "Transporte", "fr": "Transport"},
    "delivery": {"en": "Delivery and risk transfer", "de": "Lieferung und Gefahrübergang", "zh": "交货与风险转移",
                 "es": "Entrega y transmisión del riesgo", "fr": "Livraison et transfert des risques"},
    "carriage": {"en": "Main carriage booked and paid by", "de": "Hauptlauf beauftragt und bezahlt von",
                 "zh": "主运输订立及付费方", "es": "Transporte principal contratado y pagado por",
                 "fr": "Transport principal conclu et payé par"},
    "insurance": {"en": "Insurance", "de": "Versicherung", "zh": "保险", "es": "Seguro", "fr": "Assurance"},
    "export": {"en": "Export clearance", "de": "Ausfuhrabfertigung", "zh": "出口清关", "es": "Despacho de exportación",
               "fr": "Dédouanement export"},
    "import": {"en": "Import clearance and duties", "de": "Einfuhrabfertigung und Abgaben", "zh": "进口清关及税费",
               "es": "Despacho de importación y aranceles", "fr": "Dédouanement import et droits"},
    "changes": {"en": "Change from Incoterms 2010", "de": "Änderung gegenüber Incoterms 2010",
                "zh": "与 2010 版相比的变化", "es": "Cambio respecto a Incoterms 2010",
                "fr": "Changement par rapport aux Incoterms 2010"},
    "purpose": {"en": "Purpose", "de": "Zweck", "zh": "用途", "es": "Finalidad", "fr": "Objet"},
    "issued_by": {"en": "Issued by", "de": "Ausgestellt von", "zh": "签发方", "es": "Emitido por", "fr": "Émis par"},
    "when_needed": {"en": "When needed", "de": "Wann nötig", "zh": "何时需要", "es": "Cuándo se necesita",
                    "fr": "Quand est-il nécessaire"},
    "compare": {"en": "Comparison", "de": "Vergleich", "zh": "对比", "es": "Comparación", "fr": "Comparaison"},
    "sea_only": {"en": "Sea and inland waterway only", "de": "Nur See- und Binnenschiffstransport",
                 "zh": "仅适用于海运和内河运输", "es": "Solo transporte marítimo y por vías navegables interiores",
                 "fr": "Uniquement maritime et fluvial"},
    "any_mode": {"en": "Any mode of transport (incl. multimodal)", "de": "Jede Transportart (auch multimodal)",
                 "zh": "适用于任何运输方式（含多式联运）", "es": "Cualquier modo de transporte (incl. multimodal)",
                 "fr": "Tout mode de transport (y compris multimodal)"},
    "insured_rules": {"en": "Seller must insure", "de": "Verkäufer muss versichern", "zh": "卖方须投保",
                      "es": "El vendedor debe asegurar", "fr": "Le vendeur doit assurer"},
    "rules_title": {"en": "Incoterms 2020 rules", "de": "Incoterms-2020-Regeln", "zh": "2020 版国际贸易术语规则",
                    "es": "Reglas Incoterms 2020", "fr": "Règles Incoterms 2020"},
}

PARTY = {
    "seller": {"en": "seller", "de": "Verkäufer", "zh": "卖方", "es": "vendedor", "fr": "vendeur"},
    "buyer": {"en": "buyer", "de": "Käufer", "zh": "买方", "es": "comprador", "fr": "acheteur"},
}

MODES = {
    "sea": {"en": "sea and inland waterway only", "de": "nur See- und Binnenschiffstransport",
            "zh": "仅限海运和内河运输", "es": "solo marítimo y vías navegables interiores",
            "fr": "maritime et fluvial uniquement"},
    "any": {"en": "any mode, including multimodal", "de": "jede Transportart, auch multimodal",
            "zh": "任何运输方式，包括多式联运", "es": "cualquier modo, incluido el multimodal",
            "fr": "tout mode, y compris multimodal"},
}

# {clauses} = "Institute Cargo Clauses (A)"-style name, {pct} = minimum cover from the data.
INSURANCE = {
    "none": {"en": "no obligation for either party (the party at risk insures if it wishes)",
             "de": "keine Pflicht für eine der Parteien (wer das Risiko trägt, versichert nach Bedarf)",
             "zh": "双方均无投保义务（承担风险的一方可自行投保）",
             "es": "ninguna parte está obligada (quien asume el riesgo asegura si lo desea)",
             "fr": "aucune obligation (la partie qui porte le risque s'assure si elle le souhaite)"},
    "seller": {"en": "the seller must insure: minimum Institute Cargo Clauses ({clauses}) / ICC {clauses}, "
                     "at least {pct} % of the contract price",
               "de": "der Verkäufer muss versichern: mindestens Institute Cargo Clauses ({clauses}) / ICC {clauses}, "
                     "mindestens {pct} % des Vertragspreises",
               "zh": "卖方必须投保：最低为协会货物条款 ICC（{clauses}），保额至少为合同价格的 {pct} %",
               "es": "el vendedor debe asegurar: como mínimo Institute Cargo Clauses ({clauses}) / ICC {clauses}, "
                     "al menos el {pct} % del precio del contrato",
               "fr": "le vendeur doit assurer : au minimum Institute Cargo Clauses ({clauses}) / ICC {clauses}, "
                     "pour au moins {pct} % du prix du contrat"},
}

COLON = {"en": ": ", "de": ": ", "zh": "：", "es": ": ", "fr": " : "}


def lang_or_en(language: str | None) -> str:
    """``language`` when supported, else ``"en"``."""
    return language if language in LANGUAGES else "en"


def label(key: str, language: str) -> str:
    """A localized label."""
    return LABELS[key][lang_or_en(language)]


def line(key: str, value: str, language: str) -> str:
    """One ``• Label: value`` line."""
    return f"• {label(key, language)}{COLON[lang_or_en(language)]}{value}"


def party(who: str, language: str) -> str:
    """``seller``/``buyer`` in ``language`` (unknown values pass through)."""
    return PARTY.get(who, {}).get(lang_or_en(language), who)


def mode(code: str, language: str) -> str:
    """Transport mode (``sea``/``any``) in ``language``."""
    return MODES.get(code, {}).get(lang_or_en(language), code)


def insurance(value: str, language: str, pct: str) -> str:
    """The insurance obligation (``none`` or ``seller ICC A``) in ``language``."""
    lang = lang_or_en(language)
    if not value or value == "none":
        return INSURANCE["none"][lang]
    clauses = value.split()[-1]
    return INSURANCE["seller"][lang].format(clauses=clauses, pct=pct)


def rule_heading(code: str, name: str, language: str) -> str:
    """``FOB — Free On Board (Incoterms 2020)`` with the localized rule name."""
    return f"{code} — {name} (Incoterms 2020)"


def join(values: list[str], language: str) -> str:
    """Join values with the language's list separator."""
    return ("、" if lang_or_en(language) == "zh" else ", ").join(values)


def compare_value(pairs: list[tuple[str, str]], language: str) -> str:
    """``FOB: x · CIF: y`` for a side-by-side attribute line."""
    colon = COLON[lang_or_en(language)]
    return " | ".join(f"{code}{colon}{value}" for code, value in pairs)
