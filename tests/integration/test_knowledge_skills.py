"""Trade questions and HS codes through the REST channel, with the real index and NLU."""

import httpx
import pytest

from bot.bootstrap import bootstrap
from bot.web import create_app


@pytest.fixture(scope="module")
def server(tmp_path_factory, shared_index_dir):
    from bot.settings import Settings
    from tests.conftest import LiveServer

    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("kn") / "var", index_dir=shared_index_dir)
    container = bootstrap(settings)
    with LiveServer(create_app(container)) as srv:
        yield srv
    container.close()


def ask(server, sender, text, locale=None):
    body = {"sender": sender, "message": text, "metadata": {"locale": locale} if locale else {}}
    r = httpx.post(f"{server.url}/webhooks/rest", json=body, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("sender, question, language, expected_source, fact", [
    ("k-en", "What does FOB mean?", "en", "incoterms-fob", "FOB"),
    ("k-de", "Was ist ein Akkreditiv und welche Regeln gelten dafür?", "de", "payment-letter-of-credit", "UCP 600"),
    ("k-zh", "什么是信用证？", "zh", "payment-letter-of-credit", "UCP 600"),
    ("k-es", "¿Qué es el umbral de 150 euros del IOSS?", "es", None, "150"),
])
def test_questions_are_answered_with_sources_in_the_asked_language(server, sender, question, language,
                                                                   expected_source, fact):
    turn = ask(server, sender, question)
    assert turn["intent"] == "knowledge" and turn["language"] == language
    assert turn["sources"], turn
    if expected_source:
        assert expected_source in [s["id"] for s in turn["sources"]]
    assert fact in turn["replies"][0]["text"]


def test_legal_advice_on_sanctions_goes_to_a_person(server):
    turn = ask(server, "k-sens", "Is it legal for me to sell drones to a buyer in Iran despite the sanctions?")
    assert turn["handoff"] is True and turn["intent"] == "handoff"


@pytest.mark.parametrize("sender, text, heading", [
    ("c-en", "What is the HS code for green tea?", "0902"),
    ("c-de", "HS-Code für gefrorene Garnelen", "0306"),
    ("c-zh", "棉质T恤的HS编码是多少", "6109"),
])
def test_classification_in_chat(server, sender, text, heading):
    turn = ask(server, sender, text)
    assert turn["intent"] == "classify"
    assert heading in turn["replies"][0]["text"].replace(".", "")
