"""Gettext catalogs of the user-facing texts: extract, update, compile, check.

The message ids are stable keys (``"handoff.requested"``); every language, English
included, translates them in ``bot/locales/<lang>/LC_MESSAGES/tradebot.po``. The compiled
``.mo`` files are committed and shipped in the package.

    python -m bot.i18n_catalogs extract   # keys used in the code -> bot/locales/tradebot.pot
    python -m bot.i18n_catalogs update    # merge new keys into every .po
    python -m bot.i18n_catalogs compile   # .po -> .mo (run after editing a .po)
    python -m bot.i18n_catalogs check     # what the tests assert: complete, consistent, compiled
"""

from __future__ import annotations

import io
import re
import string
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.settings import SUPPORTED_LANGUAGES

DOMAIN = "tradebot"
PACKAGE = Path(__file__).resolve().parent
LOCALES = PACKAGE / "locales"
TEMPLATE = LOCALES / f"{DOMAIN}.pot"
# Calls whose first argument is a message key: ctx.t("key"), translator.text("key", lang).
KEYWORDS = {"t": (1,), "text": (1,)}
# Keys built at run time (the code passes a variable), listed so extraction keeps them.
DYNAMIC_PREFIXES = ("intent.",)
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")


def po_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def read_catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as f:
        return read_po(f, locale=language, domain=DOMAIN)


def extracted_keys() -> set[str]:
    """Every literal key passed to ``t``/``text`` in the package, plus the dynamic families."""
    keys = {msg for _, _, msg, _, _ in extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")],
                                                        keywords=KEYWORDS)
            if isinstance(msg, str) and KEY_PATTERN.fullmatch(msg)}
    keys |= {k for k in _english_ids() if k.startswith(DYNAMIC_PREFIXES)}
    return keys


def _english_ids() -> set[str]:
    return {m.id for m in read_catalog("en") if m.id} if po_path("en").exists() else set()


def extract() -> Catalog:
    template = Catalog(domain=DOMAIN, project="tradebot")
    for key in sorted(extracted_keys()):
        template.add(key)
    with TEMPLATE.open("wb") as f:
        write_po(f, template, omit_header=False, sort_output=True)
    return template


def update() -> None:
    with TEMPLATE.open("rb") as f:
        template = read_po(f)
    for language in SUPPORTED_LANGUAGES:
        catalog = read_catalog(language) if po_path(language).exists() else Catalog(locale=language, domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        _write(language, catalog)


def compile_all() -> None:
    for language in SUPPORTED_LANGUAGES:
        catalog = read_catalog(language)
        mo_path(language).parent.mkdir(parents=True, exist_ok=True)
        with mo_path(language).open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)


def compiled_bytes(language: str) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, read_catalog(language), use_fuzzy=False)
    return buf.getvalue()


def placeholders(text: str) -> list[str]:
    return sorted(f for _, f, _, _ in string.Formatter().parse(text) if f)


def problems() -> list[str]:
    """Missing or empty translations, placeholder mismatches, stale .mo files."""
    found: list[str] = []
    english = {m.id: m.string for m in read_catalog("en") if m.id}
    for key in sorted(extracted_keys() - set(english)):
        found.append(f"en: {key} is used in the code but missing from the catalog")
    for language in SUPPORTED_LANGUAGES:
        catalog = {m.id: m.string for m in read_catalog(language) if m.id}
        for key, text in english.items():
            translated = catalog.get(key)
            if not translated:
                found.append(f"{language}: {key} has no translation")
            elif placeholders(translated) != placeholders(text):
                found.append(f"{language}: {key} placeholders {placeholders(translated)} != {placeholders(text)}")
        if not mo_path(language).exists() or mo_path(language).read_bytes() != compiled_bytes(language):
            found.append(f"{language}: {mo_path(language).name} is missing or stale; run compile")
    return found


def migrate_json() -> None:
    """One-off: the former JSON catalogs (``locales/<lang>.json`` + ``locales/*/<lang>.json``) -> .po."""
    import json

    for language in SUPPORTED_LANGUAGES:
        merged: dict[str, str] = {}
        for path in [LOCALES / f"{language}.json", *sorted(LOCALES.glob(f"*/{language}.json"))]:
            if path.exists():
                merged.update(json.loads(path.read_text("utf-8")))
        catalog = Catalog(locale=language, domain=DOMAIN, project="tradebot")
        for key, text in sorted(merged.items()):
            catalog.add(key, text)
        _write(language, catalog)


def _write(language: str, catalog: Catalog) -> None:
    catalog.fuzzy = False  # a fuzzy header would be dropped from the .mo, and its charset with it
    po_path(language).parent.mkdir(parents=True, exist_ok=True)
    with po_path(language).open("wb") as f:
        write_po(f, catalog, sort_output=True, width=0)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        print(f"{len(extract())} keys -> {TEMPLATE}")
    elif command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "migrate-json":
        migrate_json()
    elif command == "check":
        issues = problems()
        print("\n".join(issues) or "catalogs complete and compiled")
        return 1 if issues else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
