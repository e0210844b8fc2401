from decimal import Decimal

import pytest

from bot.channels.signing import sign, verify
from bot.i18n import Translator, normalize_language
from bot.settings import SUPPORTED_LANGUAGES


def test_signature_roundtrip_and_forgery():
    body = b'{"sender":"a","message":"hi"}'
    header = sign("k", body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify("k", body, header)
    assert not verify("other", body, header)
    assert not verify("k", body + b" ", header)
    assert not verify("k", body, None) and not verify("k", body, header[7:])


@pytest.mark.parametrize("code, expected", [
    ("de-AT", "de"), ("zh-hans", "zh"), ("zh_CN", "zh"), ("ES", "es"), ("fr-CA", "fr"),
    ("pt-BR", None), ("", None), (None, None), ("en", "en"),
])
def test_locale_normalisation(code, expected):
    assert normalize_language(code) == expected


def test_gettext_catalogs_are_complete_consistent_and_compiled():
    from bot.i18n_catalogs import problems

    assert problems() == []


def test_catalog_check_catches_a_missing_translation_and_a_placeholder_mismatch(tmp_path, monkeypatch):
    import shutil

    import bot.i18n_catalogs as cat
    from babel.messages.pofile import read_po, write_po

    shutil.copytree(cat.LOCALES, tmp_path / "locales")
    monkeypatch.setattr(cat, "LOCALES", tmp_path / "locales")
    po = cat.po_path("de")
    with po.open("rb") as f:
        catalog = read_po(f, locale="de")
    catalog["lang.set"].string = "Ab jetzt auf Deutsch."  # placeholder {lang_name} dropped
    catalog.delete("handoff.back")
    with po.open("wb") as f:
        write_po(f, catalog)
    found = "\n".join(cat.problems())
    assert "de: lang.set placeholders" in found and "de: handoff.back has no translation" in found
    assert "stale" in found  # the .mo no longer matches the edited .po


def test_translator_and_babel_formatting():
    t = Translator()
    assert t.text("lang.set", "de", lang_name="Deutsch") == "Ab jetzt antworte ich auf Deutsch."
    assert t.language_name("de", "fr") == "allemand"
    assert t.native_language_name("zh") == "中文"
    assert t.number(Decimal("1234.5"), "de") == "1.234,5"
    assert t.money(Decimal("1234.5"), "EUR", "fr").replace("\u202f", " ").replace("\xa0", " ") == "1 234,50 €"
    assert t.money(Decimal("12"), "USD", "en") == "$12.00"
