"""The conversation store on SQLite and PostgreSQL."""

import threading

import pytest

from bot.messages import InboundMessage, Reply, Turn
from bot.store.conversations import ConversationStore, StaleConversation, TurnRecord
from bot.store.db import make_engine, migrate


@pytest.fixture
def store(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)  # idempotent
    yield ConversationStore(engine)
    engine.dispose()


def _record(snap, text, reply="ok"):
    turn = Turn(conversation_id=snap.id, intent="greeting", language="en", replies=(Reply(reply),))
    return TurnRecord(turn=turn, state={"n": snap.state.get("n", 0) + 1}, language="en",
                      status=snap.status, inbound_text=text, replies=[Reply(reply)])


def test_turn_roundtrip_and_transcript_order(store):
    for i in range(3):
        msg = InboundMessage("rest", "alice", f"m{i}")
        snap, done = store.open_turn(msg)
        assert done is None
        store.commit_turn(snap, msg, _record(snap, msg.text, reply=f"r{i}"))
    snap = store.find("rest", "alice")
    assert snap.state == {"n": 3} and snap.version == 3
    texts = [(e.seq, e.direction, e.text) for e in store.transcript(snap.id)]
    assert texts == [(1, "in", "m0"), (2, "out", "r0"), (3, "in", "m1"), (4, "out", "r1"),
                     (5, "in", "m2"), (6, "out", "r2")]


def test_stale_snapshot_is_refused(store):
    msg = InboundMessage("rest", "bob", "x")
    snap, _ = store.open_turn(msg)
    store.commit_turn(snap, msg, _record(snap, "x"))
    with pytest.raises(StaleConversation):
        store.commit_turn(snap, msg, _record(snap, "x"))
    assert len(store.transcript(snap.id)) == 2


def test_processed_message_id_returns_first_turn(store):
    msg = InboundMessage("rest", "carol", "hello", message_id="abc")
    snap, _ = store.open_turn(msg)
    first = store.commit_turn(snap, msg, _record(snap, "hello", reply="first"))
    snap2, done = store.open_turn(msg)
    assert done == first
    assert [e.text for e in store.transcript(snap2.id)] == ["hello", "first"]


def test_concurrent_get_or_create_makes_one_conversation(store):
    ids, errors = [], []

    def worker():
        try:
            snap, _ = store.open_turn(InboundMessage("rest", "dave", "hi"))
            ids.append(snap.id)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(ids)) == 1
    assert store.count_conversations() == 1


def test_out_of_band_messages(store):
    msg = InboundMessage("rest", "erin", "hi")
    snap, _ = store.open_turn(msg)
    store.commit_turn(snap, msg, _record(snap, "hi"))
    mid = store.append_out_of_band(snap.id, Reply("from staff"), author="staff", push_channel=None)
    entries = store.transcript(snap.id, out_of_band_only=True)
    assert [(e.id, e.author, e.text, e.seq) for e in entries] == [(mid, "staff", "from staff", 3)]
    assert store.transcript(snap.id, after_id=mid, out_of_band_only=True) == []


def test_outbox_delivery_whose_worker_died_is_claimed_again(database_url):
    from datetime import timedelta

    from sqlalchemy import update

    from bot.store.outbox import OutboxStore
    from bot.store.tables import OutboxRow, utcnow

    engine = make_engine(database_url)
    migrate(engine)
    store, outbox = ConversationStore(engine), OutboxStore(engine)
    msg = InboundMessage("rest", "olga", "hi")
    snap, _ = store.open_turn(msg)
    store.commit_turn(snap, msg, _record(snap, "hi"))
    store.append_out_of_band(snap.id, Reply("from staff"), author="staff", push_channel="rest")
    first = outbox.claim_due("rest")
    assert len(first) == 1 and outbox.claim_due("rest") == []  # leased: nobody else takes it
    with engine.begin() as conn:  # the claiming worker died; its lease runs out
        conn.execute(update(OutboxRow).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    again = outbox.claim_due("rest")
    assert [d.outbox_id for d in again] == [first[0].outbox_id]
    outbox.delivered(again[0].outbox_id)
    assert outbox.claim_due("rest") == []
    engine.dispose()
