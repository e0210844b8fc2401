import pytest

from bot.nlu import normalize_locale


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "en"), ("en-US", "en"), ("en_GB", "en"), ("EN", "en"),
        ("de", "de"), ("de-AT", "de"), ("de-CH", "de"), ("gsw", "de"),
        ("zh", "zh"), ("zh-hans", "zh"), ("zh-CN", "zh"), ("zh_Hans_CN", "zh"), ("zh-SG", "zh"),
        ("es", "es"), ("es-MX", "es"), ("es-419", "es"),
        ("fr", "fr"), ("fr-CA", "fr"), ("fr_BE", "fr"),
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
    ],
)
def test_supported_codes_map_to_our_languages(code, expected):
    assert normalize_locale(code) == expected


@pytest.mark.parametrize(
    "code",
    [None, "", "  ", "pt-BR", "pt", "it", "ru", "ja", "zh-TW", "zh-hant", "zh-HK", "zh-Hant-TW",
     "xx-YY"],
)
def test_unsupported_codes_are_none(code):
    assert normalize_locale(code) is None
