"""Flow pieces without the network: slot parsing, yes/no, catalogs, embargo data, the
action store's idempotency and the migration."""

import json
import string
from importlib import resources

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.flows.actions import ActionStore
from bot.flows.embargo import embargo_list
from bot.flows.listing_slots import Slot, parse_any
from bot.flows.texts import is_no, is_yes
from bot.nlu import extract_entities
from bot.store.db import MIGRATIONS, make_engine, migrate
from bot.store.tables import ConversationRow

LANGUAGES = ("en", "de", "zh", "es", "fr")


@pytest.mark.parametrize("text,language,expected", [
    ("I want to list green tea, 20 t at 4.20 USD/kg FOB, MOQ 2 t, lead time 14 days, origin China", "en",
     {"title": "Green tea", "quantity": "20000", "unit": "kg", "price": "4.2", "currency": "USD", "moq": "2000",
      "incoterm": "FOB", "lead_time": 14, "origin": "CN"}),
    ("Ich möchte Cashewkerne verkaufen, 5000 kg zu 6,50 EUR/kg CIF, Mindestbestellmenge 500 kg, Lieferzeit 3 Wochen",
     "de", {"title": "Cashewkerne", "quantity": "5000", "price": "6.5", "currency": "EUR", "moq": "500",
            "incoterm": "CIF", "lead_time": 21}),
    ("我想发布绿茶，20吨，每公斤4.2美元，FOB，起订量2吨，交货期14天", "zh",
     {"title": "绿茶", "quantity": "20000", "unit": "kg", "price": "4.2", "currency": "USD", "moq": "2000",
      "lead_time": 14}),
])
def test_a_whole_listing_in_one_message(text, language, expected):
    slots = {str(k): v for k, v in parse_any(text, extract_entities(text, language), first_message=True).items()}
    assert {k: slots.get(k) for k in expected} == expected


def test_generic_requests_name_no_title():
    for text in ("I want to create a listing", "Ich möchte ein Angebot erstellen", "我想发布产品"):
        assert Slot.TITLE not in parse_any(text, extract_entities(text, "en"), first_message=True)


def test_yes_and_no_in_every_language_and_the_confirm_button():
    assert all(is_yes(w) for w in ("yes", "Ja!", "是的", "sí", "oui", "Confirm."))
    assert is_yes("confirm:abc", "abc") and not is_yes("confirm:old", "abc")
    assert all(is_no(w) for w in ("no", "nein", "不", "non"))
    assert not is_yes("yes please change the price to 5")


def test_flow_texts_exist_in_every_language():
    from bot.i18n import Translator

    t = Translator()
    keys = ["flows.listing.ask.title", "flows.quote.ask.origin", "flows.mode.air"]
    for lang in LANGUAGES:
        assert all(t.text(k, lang) for k in keys), lang  # catalog completeness: tests/unit/test_catalogs.py


def test_embargo_list_is_dated_sourced_and_covers_the_comprehensive_regimes():
    embargo = embargo_list()
    assert embargo.as_of == "2026-11-26" and len(embargo.sources) >= 3
    assert all(s["url"].startswith("https://") for s in embargo.sources)
    assert {c for c, r in embargo.destinations.items() if r.level == "comprehensive"} == {"KP", "IR", "CU"}
    assert embargo.restriction("ru").level == "restricted" and embargo.restriction("BY") is not None
    assert embargo.restriction("DE") is None


def test_migration_keeps_one_head_and_creates_the_flow_tables(tmp_path):
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_heads() == ["0003_flows"]
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    migrate(engine)
    assert {"merchant_links", "pending_actions"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_action_store_keeps_one_row_per_key_and_one_executor(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    migrate(engine)
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        s.add(ConversationRow(id="c1", channel="rest", sender="s", status="bot", state={}, version=0, next_seq=1))
        s.commit()
    store = ActionStore(engine)
    args = dict(key="k1", conversation_id="c1", merchant_id="m1", kind="create_listing", payload={"a": 1},
                language="en")
    first, leased = store.record(**args)
    again, leased_again = store.record(**args)
    assert leased and not leased_again and again.id == first.id  # the second waits for the first executor
    store.fail(first.id, "platform down", final=False)
    assert [a.id for a in store.due(everything=True)] == [first.id] and store.due() == []
    assert store.lease(first.id) and not store.lease(first.id)
    done = store.finish(first.id, {"listing_id": "lst_1"}, notified=False)
    assert done.status == "done" and store.record(**args)[0].result == {"listing_id": "lst_1"}
    assert [a.id for a in store.unnotified()] == [first.id]
    engine.dispose()


async def test_hs_suggestions_degrade_to_asking_when_the_classifier_is_unavailable(caplog):
    from bot.flows.hs import HsSuggester

    class NotBuilt:
        def classify(self, text, top=5, language=None):
            raise RuntimeError("knowledge index not built")

    assert (await HsSuggester(NotBuilt()).suggest("green tea", "en")).best is None
    assert "HS classifier unavailable" in caplog.text


def test_flow_commands_route_status_and_link_and_leave_core_commands_alone():
    from bot.flows.commands import FlowCommands
    from bot.intents import Intent
    from bot.understanding import CommandRecognizer

    recognizer = FlowCommands(CommandRecognizer())
    status = recognizer.recognize("/status", language_prior="en")
    link = recognizer.recognize("/link sbx_abc", language_prior="en")
    assert (status.intent, status.command) == (Intent.TRACK_SHIPMENT, "status")
    assert (link.intent, link.command, link.argument) == (Intent.TRACK_SHIPMENT, "link", "sbx_abc")
    assert recognizer.recognize("/human", language_prior="en").intent is Intent.HANDOFF
