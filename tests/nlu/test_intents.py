"""Intent recognition: commands, rules, out-of-scope, the uncertainty signal."""

import concurrent.futures

import pytest

from bot.nlu import INTENTS, NluEngine, Understanding


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("/start", "greeting"),
        ("/help", "greeting"),
        ("/start@tradebot_bot", "greeting"),
        ("/human", "handoff"),
        ("/track SHP-1234", "track_shipment"),
        ("/quote 2x40ft Shanghai Hamburg", "shipping_quote"),
        ("/book", "book_shipment"),
        ("/classify green tea", "classify"),
        ("/buyers", "find_buyers"),
        ("/sell", "create_listing"),
    ],
)
def test_commands_are_certain(engine, text, intent):
    understanding = engine.understand(text, language_prior="en")
    assert understanding.intent == intent
    assert understanding.confidence == 1.0
    assert understanding.source == "command"


def test_command_arguments_are_parsed_for_entities(engine):
    understanding = engine.understand("/track SHP-1234", language_prior="de")
    assert understanding.entities.shipment_ids == ["SHP-1234"]
    assert understanding.language == "de"


def test_unknown_command_goes_to_the_classifier(engine):
    assert engine.understand("/frobnicate").source != "command"


@pytest.mark.parametrize(
    ("text", "prior"),
    [
        ("what's the weather", "en"),
        ("tell me a joke", "en"),
        ("wie spät ist es", "de"),
        ("wie wird das Wetter am Wochenende", "de"),
        ("讲个笑话", "zh"),
        ("今天天气怎么样", "zh"),
        ("cuéntame un chiste", "es"),
        ("¿qué hora es?", "es"),
        ("raconte-moi une blague", "fr"),
        ("quel temps fait-il à Paris", "fr"),
    ],
)
def test_chit_chat_is_out_of_scope(engine, text, prior):
    assert engine.understand(text, language_prior=prior).intent == "out_of_scope"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hi!", "greeting"),
        ("What does CIF mean?", "knowledge"),
        ("HS code for frozen shrimp", "classify"),
        ("find importers for my coffee in Germany", "find_buyers"),
        ("I want to sell 5 tons of rice on the platform", "create_listing"),
        ("how much is a 40ft from Ningbo to Hamburg", "shipping_quote"),
        ("book the container please", "book_shipment"),
        ("where is my shipment SHP-1234", "track_shipment"),
        ("I want to talk to a human", "handoff"),
        ("转人工", "handoff"),
        ("Ich möchte mit einem Menschen sprechen", "handoff"),
    ],
)
def test_one_clear_example_per_intent(engine, text, intent):
    assert engine.understand(text).intent == intent


@pytest.mark.parametrize("text", ["SHP-7731", "shp-7731?", " SHP-0099 "])
def test_a_bare_shipment_id_asks_for_tracking(engine, text):
    understanding = engine.understand(text, language_prior="fr")
    assert understanding.intent == "track_shipment"
    assert understanding.language == "fr"


def test_understanding_shape(engine):
    understanding = engine.understand("price for 2 pallets to Lyon next Monday?")
    assert isinstance(understanding, Understanding)
    assert understanding.intent in INTENTS
    assert 0.0 <= understanding.confidence <= 1.0
    assert len(understanding.alternatives) == 3
    assert understanding.alternatives[0] == (understanding.intent, understanding.confidence)
    scores = [score for _, score in understanding.alternatives]
    assert scores == sorted(scores, reverse=True)
    assert all(intent in INTENTS for intent, _ in understanding.alternatives)


@pytest.mark.parametrize("text", ["Hamburg", "tea", "Kaffee", "container"])
def test_a_lone_noun_is_flagged_uncertain(engine, text):
    # "Hamburg" may start a quote, a tracking question or a listing: ask, don't guess.
    understanding = engine.understand(text)
    assert understanding.is_uncertain
    assert len(understanding.alternatives) == 3


@pytest.mark.parametrize(
    ("text", "intent"), [("hi", "greeting"), ("thanks", "greeting"), ("你好", "greeting")]
)
def test_a_clear_single_word_stays_confident(engine, text, intent):
    understanding = engine.understand(text)
    assert (understanding.intent, understanding.is_uncertain) == (intent, False)


def test_no_text_is_low_confidence(engine):
    understanding = engine.understand("👍👍")
    assert understanding.is_uncertain


def test_engine_is_thread_safe(engine):
    texts = ["where is SHP-1", "HS code for tea", "hallo", "订舱", "devis pour Lyon"] * 8
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        parallel = [u.intent for u in pool.map(engine.understand, texts)]
    serial = [engine.understand(text).intent for text in texts]
    assert parallel == serial


def test_lazy_loading_and_injected_embedder():
    """The engine builds nothing until used and accepts any embedder."""
    import numpy as np

    from bot.nlu.intents.training import Example

    calls = []

    def embedder(texts):
        calls.append(len(texts))
        vectors = np.array([[("hi" in t) * 1.0, ("book" in t) * 1.0, 0.1] for t in texts])
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)

    examples = [Example(t, "greeting", "en") for t in ("hi", "hi there")] + [
        Example(t, "book_shipment", "en") for t in ("book it", "book now")
    ]
    engine = NluEngine(embedder=embedder, examples=examples)
    assert calls == []
    assert engine.understand("hi you").intent == "greeting"
    assert engine.understand("please book").intent == "book_shipment"


def test_entities_and_dates_come_with_the_intent(engine, today):
    understanding = engine.understand(
        "quote 2x40HC FOB Ningbo to Hamburg next Monday", language_prior="en", today=today)
    assert understanding.intent == "shipping_quote"
    assert understanding.entities.locations == ["CNNGB", "DEHAM"]
    assert understanding.entities.dates == [today.replace(day=30)]


def test_training_embeddings_are_cached(tmp_path):
    import numpy as np

    from bot.nlu.intents.training import Example

    calls = []

    class Named:
        name = "fake-v1"

        def __call__(self, texts):
            calls.append(len(texts))
            rows = [[1.0, 0.1] if "hi" in t else [0.1, 1.0] for t in texts]
            return np.array(rows, dtype=np.float32) / np.linalg.norm(rows, axis=1, keepdims=True)

    examples = [Example("hi", "greeting", "en"), Example("book it", "book_shipment", "en")]
    for _ in range(2):
        NluEngine(embedder=Named(), examples=examples, cache_dir=tmp_path).warm()
    assert calls == [2]  # the second engine read the examples' vectors from the cache
    assert len(list(tmp_path.glob("nlu-examples-*.npy"))) == 1
