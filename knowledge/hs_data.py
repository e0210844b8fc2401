"""HS 2022 nomenclature, EU CN 2026 wording and our alias list, as classifier documents.

Everything is read from ``knowledge/data`` (shipped with the package); nothing is fetched.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
HS_CSV = DATA_DIR / "hs" / "harmonized-system.csv"
CN_CODES = DATA_DIR / "eu-cn" / "cnCodes_2026.json"
ALIAS_DIR = DATA_DIR / "hs-aliases"
LANGUAGES = ("en", "de", "zh", "es", "fr")

# Kinds of classifier documents (also stored as Chroma metadata "kind").
HEADING, SUBHEADING, CN, ALIAS = "heading", "subheading", "cn", "alias"


@dataclass(frozen=True)
class HsDoc:
    """One searchable text that points at an HS heading (and maybe a subheading)."""

    id: str
    text: str
    code: str  # 4 or 6 digits
    heading: str  # 4 digits
    level: int  # 4, 6 or 8 (8 = CN wording)
    kind: str
    language: str = "en"

    def metadata(self) -> dict:
        """Chroma metadata for this document."""
        return {
            "code": self.code,
            "heading": self.heading,
            "chapter": self.heading[:2],
            "level": self.level,
            "kind": self.kind,
            "language": self.language,
        }


@dataclass(frozen=True)
class Nomenclature:
    """HS 2022 descriptions by code (4 and 6 digits) and the subheadings of each heading."""

    descriptions: dict[str, str]
    subheadings: dict[str, tuple[str, ...]]

    def description(self, code: str) -> str:
        """The description of a heading or subheading ('' when unknown)."""
        return self.descriptions.get(code, "")

    def is_heading(self, code: str) -> bool:
        """True for a real 4-digit HS 2022 heading."""
        return len(code) == 4 and code in self.descriptions


@lru_cache(maxsize=2)
def load_nomenclature(path: Path = HS_CSV) -> Nomenclature:
    """Read the HS csv, dropping UN Comtrade's aggregate rows (section ``TOTAL``)."""
    descriptions: dict[str, str] = {}
    subs: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["section"] == "TOTAL" or row["level"] not in ("4", "6"):
                continue
            code = row["hscode"]
            descriptions[code] = row["description"].strip()
            if len(code) == 6:
                subs.setdefault(code[:4], []).append(code)
    return Nomenclature(descriptions, {h: tuple(sorted(c)) for h, c in subs.items()})


def parse_alias_line(line: str) -> tuple[str, dict[str, list[str]]] | None:
    """Parse ``code | en: a; b | de: c`` into ``(code, {"en": [...], ...})``."""
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    code, *fields = [f.strip() for f in line.split(" | ")]
    terms: dict[str, list[str]] = {}
    for field in fields:
        lang, sep, rest = field.partition(":")
        lang = lang.strip()
        if not sep or lang not in LANGUAGES:
            raise ValueError(f"bad alias field {field!r} in line {line!r}")
        terms[lang] = [t.strip() for t in rest.split(";") if t.strip()]
    if not (code.isdigit() and len(code) in (4, 6)):
        raise ValueError(f"bad HS code {code!r} in alias line {line!r}")
    return code, terms


@lru_cache(maxsize=2)
def load_aliases(folder: Path = ALIAS_DIR) -> tuple[tuple[str, str, str], ...]:
    """All ``(code, language, term)`` triples of the curated alias list."""
    out: list[tuple[str, str, str]] = []
    for path in sorted(folder.glob("aliases_*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parsed = parse_alias_line(line)
            if parsed is None:
                continue
            code, terms = parsed
            for lang, words in terms.items():
                out.extend((code, lang, w) for w in words)
    return tuple(out)


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def _cn_docs(nom: Nomenclature, path: Path) -> list[HsDoc]:
    docs, seen = [], set()
    for rec in json.loads(path.read_text(encoding="utf-8")):
        name = " ".join(str(rec.get("name") or "").split())
        code6 = rec["code"][:6]
        if not name or name.lower().startswith("other") or code6 not in nom.descriptions:
            continue
        text = name if len(name) >= 40 else f"{nom.description(code6)}: {name}"
        key = (code6, text.lower())
        if key in seen:
            continue
        seen.add(key)
        docs.append(HsDoc(f"c:{rec['code']}", text, code6, code6[:4], 8, CN))
    return docs


def build_documents(
    *, include_cn: bool = True, chapters: frozenset[str] | None = None, hs_path: Path = HS_CSV, cn_path: Path = CN_CODES, alias_dir: Path = ALIAS_DIR
) -> list[HsDoc]:
    """Every classifier document: HS headings and subheadings, CN wording, aliases.

    Args:
        include_cn: add the EU CN 2026 8-digit descriptions as extra wording.
        chapters: keep only these 2-digit chapters (small indexes for tests).
        hs_path: the HS 2022 csv.
        cn_path: the CN 2026 codes JSON.
        alias_dir: the folder of ``aliases_*.txt`` files.

    Returns:
        Documents with stable ids (``h:0901``, ``s:090111``, ``c:09011100``, ``a:...``).
    """
    nom = load_nomenclature(hs_path)
    docs: list[HsDoc] = []
    for code, desc in nom.descriptions.items():
        if len(code) == 4:
            docs.append(HsDoc(f"h:{code}", desc, code, code, 4, HEADING))
        else:
            head = nom.description(code[:4])
            text = desc if len(desc) >= 30 else f"{head}: {desc}"
            docs.append(HsDoc(f"s:{code}", text, code, code[:4], 6, SUBHEADING))
    if include_cn and cn_path.exists():
        docs.extend(_cn_docs(nom, cn_path))
    for code, lang, term in load_aliases(alias_dir):
        heading = code[:4]
        if heading not in nom.descriptions or (len(code) == 6 and code not in nom.descriptions):
            raise ValueError(f"alias {term!r} points at unknown HS code {code}")
        docs.append(HsDoc(f"a:{code}:{lang}:{_short_hash(term)}", term, code, heading, len(code), ALIAS, lang))
    unique = {d.id: d for d in docs if chapters is None or d.heading[:2] in chapters}
    return list(unique.values())
