"""The update inbox: claims, retries after failures, take-over after a crash (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlalchemy import update

from bot.channels.telegram_store import TelegramStore
from bot.store.db import make_engine, migrate
from bot.store.tables import InboxRow, utcnow
from tests.telegram.conftest import load, text_update


def _store(url: str) -> TelegramStore:
    engine = make_engine(url)
    migrate(engine)
    store = TelegramStore(engine, lease=timedelta(seconds=60))
    store.create_tables()
    store.create_tables()  # idempotent
    return store


def test_record_claim_finish(database_url):
    store = _store(database_url)
    first, photo = load("text"), load("photo")
    assert store.record([first, photo]) == [500000001, 500000004]
    assert store.record([first]) == []  # a re-delivery is not new
    claim = store.claim(500000001)
    assert claim is not None and claim.sent == 0 and claim.attempts == 1
    assert store.claim(500000001) is None  # held
    store.progress(500000001, 1)
    store.finish(500000001)
    assert store.claim(500000001) is None and store.status_of(500000001) == "done"
    assert [p["update_id"] for p in store.due(grace=timedelta(0))] == [500000004]


def test_a_dead_holder_is_taken_over_and_resumes_after_sent_messages(database_url):
    store = _store(database_url)
    store.record([load("text")])
    store.claim(500000001)
    store.progress(500000001, 2)
    assert store.due(grace=timedelta(0)) == []  # the lease still holds
    assert [p["update_id"] for p in store.due(grace=timedelta(0), take_over=True)] == [500000001]
    assert store.claim(500000001).sent == 2  # do not send the first two messages again


def test_released_updates_back_off_and_poison_updates_give_up(database_url):
    store = _store(database_url)
    store.record([load("voice")])
    for _ in range(5):
        assert store.claim(500000007) is not None
        store.release(500000007, "NetworkError('down')")
        assert store.due(grace=timedelta(0)) == []  # backing off
        with store._engine.begin() as conn:  # skip the backoff
            conn.execute(update(InboxRow).values(next_attempt_at=utcnow()))
    assert store.claim(500000007) is None and store.status_of(500000007) == "failed"


def test_callback_keys_are_stable_and_resolvable(database_url):
    store = _store(database_url)
    long = "/listing confirm id=LST-2026-000123 price=USD 4,250.00/t incoterm=CIF Hamburg qty=18t"
    keys = store.callback_keys([long])
    assert store.callback_keys([long]) == keys
    assert store.callback_payload(keys[long]) == long and store.callback_payload("k:unknown") is None


def test_a_failed_send_is_retried_and_answered_once(fake_api, telegram_app, monkeypatch):
    from bot.channels.telegram_channel import TelegramChannel

    monkeypatch.setattr(TelegramChannel, "sweep_interval", 0.2)
    monkeypatch.setattr(TelegramChannel, "lease_seconds", 0.0)
    handle = telegram_app()
    fake_api.fail("sendMessage", 502, "Bad Gateway", when=lambda p: int(p["chat_id"]) == 4301)
    update = fake_api.enqueue(text_update(4301, "/start"))
    replies = fake_api.wait_for("sendMessage", 2, chat_id=4301)  # the failed one, then the retry
    time.sleep(0.5)
    assert len(fake_api.calls_of("sendMessage", chat_id=4301)) == 2
    assert replies[1].params["text"].startswith("Hello Amara")
    store = TelegramStore(handle.container.engine)
    assert store.status_of(update["update_id"]) == "done"
    turns = handle.container.store.transcript(handle.container.store.find("telegram", "4301").id)
    assert [t.direction for t in turns] == ["in", "out"]  # the core ran the turn once


def test_a_user_who_blocked_the_bot_is_not_retried(fake_api, telegram_app):
    handle = telegram_app()
    fake_api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", times=5)
    update = fake_api.enqueue(text_update(4401, "/start"))
    fake_api.wait_for("sendMessage", chat_id=4401)
    store = TelegramStore(handle.container.engine)
    deadline = time.monotonic() + 10
    while store.status_of(update["update_id"]) != "done":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    assert len(fake_api.calls_of("sendMessage", chat_id=4401)) == 1


async def test_one_chat_in_order_other_chats_concurrently():
    from telegram import Update

    from bot.channels.telegram_app import ChatOrderedUpdateProcessor

    processor = ChatOrderedUpdateProcessor(8)
    events: list[tuple[str, str]] = []

    async def work(name: str, delay: float) -> None:
        events.append(("start", name))
        await asyncio.sleep(delay)
        events.append(("end", name))

    a1, a2, b1 = (Update.de_json(text_update(chat, "hi", update_id=n), None)
                  for chat, n in ((1, 1), (1, 2), (2, 3)))
    await asyncio.gather(processor.process_update(a1, work("a1", 0.05)),
                         processor.process_update(a2, work("a2", 0)),
                         processor.process_update(b1, work("b1", 0)))
    assert events.index(("end", "a1")) < events.index(("start", "a2"))
    assert events.index(("start", "b1")) < events.index(("end", "a1"))
