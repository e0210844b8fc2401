import pytest

from bot.nlu import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where is my shipment from Shanghai", "en"),
        ("wo ist meine Sendung aus Shanghai", "de"),
        ("我的货从上海发出了吗", "zh"),
        ("dónde está mi envío desde Shanghái", "es"),
        ("où est mon envoi depuis Shanghai", "fr"),
        ("I need the HS code for green tea", "en"),
        ("Ich brauche die Zolltarifnummer für grünen Tee", "de"),
        ("necesito el código arancelario del té verde", "es"),
        ("j'ai besoin du code douanier pour le thé vert", "fr"),
    ],
)
def test_sentences_are_detected_without_prior(text, expected):
    language, confidence = detect_language(text)
    assert language == expected
    assert 0.0 < confidence <= 1.0


@pytest.mark.parametrize("prior", ["en", "de", "zh", "es", "fr"])
@pytest.mark.parametrize(
    "text", ["ok", "FOB?", "HS 0902", "SHP-1234", "40ft?", "12 USD/kg", "?", "👍"]
)
def test_short_neutral_lines_keep_the_prior(text, prior):
    assert detect_language(text, prior=prior)[0] == prior


@pytest.mark.parametrize("prior", ["en", "de", "es", "fr"])
def test_chinese_text_overrides_any_prior(prior):
    assert detect_language("多少钱", prior=prior)[0] == "zh"


@pytest.mark.parametrize(
    ("text", "prior", "expected"),
    [
        ("Hallo", "en", "de"),
        ("merci", "en", "fr"),
        ("gracias", "de", "es"),
        ("thanks", "fr", "en"),
        ("where is my shipment", "de", "en"),
        ("wo ist meine Sendung", "en", "de"),
        ("je veux vendre du thé vert", "es", "fr"),
    ],
)
def test_clear_evidence_beats_the_prior(text, prior, expected):
    assert detect_language(text, prior=prior)[0] == expected


def test_unsupported_prior_is_ignored():
    assert detect_language("ok", prior="pt")[0] == "en"
    assert detect_language("ok")[0] == "en"


def test_channel_codes_are_accepted_as_prior():
    assert detect_language("ok", prior="de-AT")[0] == "de"
    assert detect_language("ok", prior="zh-hans")[0] == "zh"
    assert detect_language("ok", prior="pt-BR")[0] == "en"
