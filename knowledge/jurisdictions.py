"""Which jurisdictions (EU, US, UK, CN) a question names, in any of our five languages.

The corpus tags each article with a jurisdiction (INT, EU, US, UK, CN). A question about
"formal entry in the US" or "VAT when importing into Spain" should not be answered from the
UK or EU article just because the wording is close: the retriever ranks sections of a
jurisdiction the question does not name after the others (see ``Retriever.search``).

Country names come from Babel's territory names in each language (so every EU member state
is covered in en/de/zh/es/fr), plus the usual abbreviations and adjectives we add here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.text import fold, has_cjk

EU_MEMBERS = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO SK SI ES SE HU"
).split()
_TERRITORY = {"US": "US", "GB": "UK", "CN": "CN", "EU": "EU", **{c: "EU" for c in EU_MEMBERS}}
_LANGUAGES = ("en", "de", "zh", "es", "fr")

# Abbreviations matched case-sensitively on the original text ("US" is not "us").
_ABBREVIATIONS = {
    "EU": r"\bEU\b|\bUE\b",
    "US": r"\bUSA?\b|\bU\.S\.(?:A\.)?|\bEE\.?\s?UU\.?|\bUS-",
    "UK": r"\bUK\b|\bGB\b",
    "CN": r"\bPRC\b|\bVR China\b",
}
# Words matched on folded text (accents and case removed), whole words or word starts.
_WORDS = {
    "EU": ("europe", "european", "europaisch", "europaea", "europeo", "europea", "europeen", "europeenne",
           "unionsrecht", "欧洲", "欧盟"),
    "US": ("america", "american", "amerika", "amerikanisch", "americano", "americana", "americain",
           "americaine", "estadounidense", "vereinigten staaten", "美国", "美方"),
    "UK": ("britain", "british", "england", "vereinigten konigreich", "grossbritannien", "britisch", "britanico",
           "britanica", "britannique", "angleterre", "inglaterra", "英国"),
    "CN": ("chinese", "chinesisch", "chino", "china", "chinois", "chinoise", "chine", "中国", "国内"),
    # Northern Ireland is in the UK but applies EU customs and product rules to goods
    # (Windsor Framework): it names both.
    "UK EU": ("northern ireland", "nordirland", "irlanda del norte", "irlande du nord", "北爱尔兰"),
}


@lru_cache(maxsize=1)
def _name_patterns() -> list[tuple[re.Pattern, str]]:
    from babel import Locale

    names: dict[str, str] = {}
    for lang in _LANGUAGES:
        territories = Locale.parse(lang).territories
        for code, jurisdiction in _TERRITORY.items():
            if code in territories:
                names[fold(territories[code])] = jurisdiction
    for jurisdiction, words in _WORDS.items():
        for word in words:
            names[fold(word)] = jurisdiction
    out = []
    for name, jurisdiction in names.items():
        if has_cjk(name):
            out.append((re.compile(re.escape(name)), jurisdiction))
        else:
            out.append((re.compile(r"(?<![a-z])" + re.escape(name) + r"(?![a-z])"), jurisdiction))
    return out


def named_jurisdictions(text: str) -> set[str]:
    """The jurisdictions (``EU``, ``US``, ``UK``, ``CN``) that ``text`` names."""
    found = {j for j, pattern in _ABBREVIATIONS.items() if re.search(pattern, text)}
    folded = fold(text)
    for pattern, names in _name_patterns():
        if pattern.search(folded):
            found.update(names.split())
    return found
