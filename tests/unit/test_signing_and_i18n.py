import json
from decimal import Decimal
from importlib import resources

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


def test_every_catalog_has_the_same_keys_and_placeholders():
    def load(lang):
        return json.loads(resources.files("bot").joinpath("locales", f"{lang}.json").read_text("utf-8"))

    english = load("en")
    for lang in SUPPORTED_LANGUAGES:
        catalog = load(lang)
        assert catalog.keys() == english.keys(), lang
        for key, text in catalog.items():
            assert sorted(_fields(text)) == sorted(_fields(english[key])), (lang, key)


def _fields(template):
    import string
    return [f for _, f, _, _ in string.Formatter().parse(template) if f]


def test_translator_and_babel_formatting():
    t = Translator()
    assert t.text("lang.set", "de", lang_name="Deutsch") == "Ab jetzt antworte ich auf Deutsch."
    assert t.language_name("de", "fr") == "allemand"
    assert t.native_language_name("zh") == "中文"
    assert t.number(Decimal("1234.5"), "de") == "1.234,5"
    assert t.money(Decimal("1234.5"), "EUR", "fr").replace("\u202f", " ").replace("\xa0", " ") == "1 234,50 €"
    assert t.money(Decimal("12"), "USD", "en") == "$12.00"
