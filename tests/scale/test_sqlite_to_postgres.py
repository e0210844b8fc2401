"""deploy/sqlite_to_postgres.py: a single-machine database moves to PostgreSQL intact."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from bot.messages import InboundMessage, Reply, Turn
from bot.store.conversations import ConversationStore, TurnRecord
from bot.store.db import make_engine, migrate
from tests.conftest import postgres_database

pytestmark = pytest.mark.postgres
SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "sqlite_to_postgres.py"


def _script():
    spec = importlib.util.spec_from_file_location("sqlite_to_postgres", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _say(store: ConversationStore, sender: str, text: str, mid: str) -> Turn:
    msg = InboundMessage(channel="rest", sender=sender, text=text, message_id=mid)
    snap, done = store.open_turn(msg)
    assert done is None
    turn = Turn(conversation_id=snap.id, intent="greeting", language="en", replies=(Reply(f"re: {text}"),))
    record = TurnRecord(turn=turn, state={"language": "en", "n": snap.version + 1}, language="en",
                        status="bot", inbound_text=text, replies=turn.replies)
    return store.commit_turn(snap, msg, record)


def test_copy_keeps_conversations_dedupe_and_id_sequences(tmp_path):
    sqlite_url = f"sqlite:///{tmp_path / 'tradebot.sqlite3'}"
    engine = make_engine(sqlite_url)
    migrate(engine)
    store = ConversationStore(engine)
    first = _say(store, "m-1", "hello", "a1")
    _say(store, "m-1", "FOB?", "a2")
    _say(store, "m-2", "hallo", "b1")
    staff_id = store.append_out_of_band(first.conversation_id, Reply("a staff reply"), author="staff",
                                        push_channel="rest")
    engine.dispose()

    with postgres_database() as pg_url:
        counts = _script().copy(sqlite_url, pg_url)
        assert counts["conversations"] == 2 and counts["messages"] == 7 and counts["outbox"] == 1
        pg = make_engine(pg_url)
        moved = ConversationStore(pg)
        snap = moved.find("rest", "m-1")
        assert snap.id == first.conversation_id and snap.state["n"] == 2 and snap.next_seq == 6
        assert [e.text for e in moved.transcript(snap.id)] == ["hello", "re: hello", "FOB?", "re: FOB?",
                                                               "a staff reply"]
        # a re-delivered message is still answered from the store, not processed again
        again_snap, done = moved.open_turn(InboundMessage(channel="rest", sender="m-1", text="hello",
                                                          message_id="a1"))
        assert done == first
        # new rows get ids after the copied ones (sequences moved)
        new_id = moved.append_out_of_band(snap.id, Reply("after the move"), author="staff", push_channel=None)
        assert new_id > staff_id
        _say(moved, "m-2", "weiter", "b2")
        assert [e.seq for e in moved.transcript(moved.find("rest", "m-2").id)] == [1, 2, 3, 4]
        pg.dispose()
