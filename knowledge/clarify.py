"""Clarifying questions for close HS candidates, in en/de/zh/es/fr.

The question names the distinction that separates the competing headings: knitted vs
woven clothing (chapters 61/62), men's vs women's garments, fresh vs frozen food, retail
packing of medicines, otherwise the material or the use of the product.
"""

from __future__ import annotations

import re

QUESTIONS: dict[str, dict[str, str]] = {
    "knit": {
        "en": "Is the garment knitted (e.g. jersey) or woven (e.g. shirt fabric)?",
        "de": "Ist das Kleidungsstück gewirkt/gestrickt (z. B. Jersey) oder gewebt?",
        "zh": "这件服装是针织的还是机织（梭织）的？",
        "es": "¿La prenda es de punto o de tejido plano (tejida)?",
        "fr": "Le vêtement est-il en maille (tricoté) ou tissé ?",
    },
    "gender": {
        "en": "Is it for men/boys or for women/girls?",
        "de": "Ist es für Herren/Jungen oder für Damen/Mädchen?",
        "zh": "是男式（男童）还是女式（女童）的？",
        "es": "¿Es para hombre/niño o para mujer/niña?",
        "fr": "Est-ce pour homme/garçon ou pour femme/fille ?",
    },
    "state": {
        "en": "Is the product fresh or chilled, frozen, dried, or prepared/preserved?",
        "de": "Ist die Ware frisch bzw. gekühlt, gefroren, getrocknet oder zubereitet/haltbar gemacht?",
        "zh": "产品是新鲜/冷藏、冷冻、干制，还是经过加工或制成罐头的？",
        "es": "¿El producto es fresco o refrigerado, congelado, seco, o preparado/en conserva?",
        "fr": "Le produit est-il frais ou réfrigéré, congelé, séché, ou préparé/en conserve ?",
    },
    "retail": {
        "en": "Is it put up in measured doses or packed for retail sale?",
        "de": "Ist es in abgeteilten Mengen oder in Aufmachungen für den Einzelverkauf?",
        "zh": "是否已配定剂量或制成零售包装？",
        "es": "¿Está dosificado o acondicionado para la venta al por menor?",
        "fr": "Est-il présenté en doses ou conditionné pour la vente au détail ?",
    },
    "material": {
        "en": "What is the product mainly made of (e.g. plastic, steel, wood, cotton, leather)?",
        "de": "Woraus besteht die Ware hauptsächlich (z. B. Kunststoff, Stahl, Holz, Baumwolle, Leder)?",
        "zh": "产品主要是什么材料制成的（例如塑料、钢、木材、棉、皮革）？",
        "es": "¿De qué material está hecho principalmente (p. ej. plástico, acero, madera, algodón, cuero)?",
        "fr": "En quelle matière le produit est-il principalement (p. ex. plastique, acier, bois, coton, cuir) ?",
    },
    "use": {
        "en": "Could you say more about the product: what it is made of and what it is used for?",
        "de": "Können Sie die Ware genauer beschreiben: woraus sie besteht und wofür sie verwendet wird?",
        "zh": "能否再具体描述一下产品：用什么材料制成，用途是什么？",
        "es": "¿Puede describir mejor el producto: de qué está hecho y para qué se usa?",
        "fr": "Pouvez-vous préciser le produit : en quoi il est fait et à quoi il sert ?",
    },
}

# Pairs of clothing headings that differ only by gender (chapter 61 and 62).
_GENDER_PAIRS = {
    frozenset(p)
    for p in [("6101", "6102"), ("6103", "6104"), ("6105", "6106"), ("6107", "6108"),
              ("6201", "6202"), ("6203", "6204"), ("6205", "6206"), ("6207", "6208")]
}
_FOOD_STATE = {"02", "03", "07", "08", "16", "20"}
_MATERIAL_CHAPTERS = {"39", "40", "42", "44", "48", "63", "69", "70", "73", "74", "76", "82", "83", "94"}


def _kind(headings: list[str]) -> str:
    chapters = {h[:2] for h in headings}
    top2 = headings[:2]
    if {"61", "62"} <= chapters:
        return "knit"
    if frozenset(top2) in _GENDER_PAIRS:
        return "gender"
    if {"3003", "3004"} <= set(headings):
        return "retail"
    if len(chapters & _FOOD_STATE) >= 2 or (len(chapters) == 1 and chapters <= _FOOD_STATE):
        return "state"
    if len(chapters & _MATERIAL_CHAPTERS) >= 2:
        return "material"
    return "use"


def clarifying_question(headings: list[str], language: str = "en") -> str:
    """A short question that would separate the given candidate headings.

    Args:
        headings: the candidate headings, best first.
        language: en, de, zh, es or fr (others fall back to English).
    """
    texts = QUESTIONS[_kind(headings)]
    return texts.get(language, texts["en"])


_LANG_HINTS = {
    "de": re.compile(r"[äöüß]|\b(und|aus|für|mit|der|die|das|ohne|herren|damen)\b", re.I),
    "es": re.compile(r"[ñ¿¡]|\b(de|para|con|sin|los|las|y)\b|ción\b", re.I),
    "fr": re.compile(r"[àâçèêëîïôûœ]|\b(pour|avec|sans|les|des|du|et|en)\b", re.I),
}


def detect_language(text: str) -> str:
    """A rough guess among en/de/zh/es/fr for short product descriptions."""
    if re.search(r"[\u4e00-\u9fff]", text):
        return "zh"
    best, hits = "en", 0
    for lang, rx in _LANG_HINTS.items():
        n = len(rx.findall(text))
        if n > hits:
            best, hits = lang, n
    return best
