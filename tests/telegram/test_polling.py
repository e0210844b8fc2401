"""Polling mode in process: tradebot's real web app and Telegram channel against the fake Bot API."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.channels.telegram_store import TelegramStore
from bot.messages import Button, Reply
from bot.settings import SUPPORTED_LANGUAGES
from tests.telegram.conftest import button_press, buttons_of, load, text_update
from tests.telegram.fake_bot_api import FakeBotApi


def test_start_publishes_menu_deletes_webhook_and_onboards(fake_api, telegram_app):
    telegram_app()
    assert fake_api.calls_of("getMe") and fake_api.calls_of("deleteWebhook")
    menus = {c.params.get("language_code") for c in fake_api.calls_of("setMyCommands")}
    assert menus == {*SUPPORTED_LANGUAGES, None}
    assert [c["command"] for c in fake_api.commands["de"]] == ["start", "help", "lang", "human", "cancel", "status"]
    assert fake_api.commands["de"][2]["description"] == "Antwortsprache ändern"

    fake_api.enqueue(load("text"))  # /start from Amara, language_code en
    sent = fake_api.wait_for("sendMessage", chat_id=424242)[0].params
    assert sent["text"].startswith("Hello Amara!")
    assert [b["callback_data"] for b in buttons_of(sent)] == ["/help", "/lang"]
    assert "parse_mode" not in sent  # plain text: nothing to escape
    assert fake_api.calls_of("sendChatAction", chat_id=424242, action="typing")


def test_language_buttons_are_answered_and_processed(fake_api, telegram_app):
    telegram_app()
    fake_api.enqueue(text_update(5001, "/start", language_code="en"))
    welcome = fake_api.wait_for("sendMessage", chat_id=5001)[0].params

    fake_api.enqueue(button_press(welcome, "Language", query_id="press-1"))
    fake_api.wait_for("answerCallbackQuery", callback_query_id="press-1")
    ask = fake_api.wait_for("sendMessage", 2, chat_id=5001)[1].params
    assert ask["text"] == "Which language would you like me to use?"
    assert [b["text"] for b in buttons_of(ask)] == ["English", "Deutsch", "中文", "Español", "Français"]
    edited = fake_api.wait_for("editMessageText", chat_id=5001)[0].params
    assert edited["text"].endswith("» Language") and "reply_markup" not in edited

    fake_api.enqueue(button_press(ask, "Deutsch", query_id="press-2"))
    fake_api.wait_for("answerCallbackQuery", callback_query_id="press-2")
    done = fake_api.wait_for("sendMessage", 3, chat_id=5001)[2].params
    assert done["text"] == "Ab jetzt antworte ich auf Deutsch."


def test_other_content_gets_a_polite_reply_or_is_ignored(fake_api, telegram_app):
    handle = telegram_app()
    # in update_id order (500000003…500000007), as Telegram numbers them: an update enqueued
    # after a higher id could be confirmed away by the poller's offset before it is fetched
    for name in ("edited_message", "photo", "group", "sticker", "voice"):
        fake_api.enqueue(load(name))
    fake_api.enqueue(text_update(424242, "hello"))  # processed after all of them (same chat)
    replies = fake_api.wait_for("sendMessage", 5, chat_id=424242)
    texts = [c.params["text"] for c in replies]
    assert texts[0].startswith("Sie haben eine Nachricht bearbeitet")  # edited, language_code de
    assert texts[1].startswith("Désolé, je ne sais lire que les messages texte")  # photo, language_code fr
    assert texts[2].startswith("Sorry, I can only read text messages")  # sticker
    assert texts[3].startswith("Lo siento, por ahora solo puedo leer")  # voice
    assert texts[4].startswith("Hello Amara")
    group = fake_api.wait_for("sendMessage", chat_id=-1001987654321)[0].params
    assert "https://t.me/tradebot_test_bot" in group["text"] and group["text"].startswith("我只在私聊中工作")
    store = TelegramStore(handle.container.engine)
    _wait(lambda: all(store.status_of(500000000 + i) == "done" for i in range(3, 8)))
    fake_api.enqueue({**load("group"), "update_id": 500000100,
                      "message": {**load("group")["message"], "text": "anyone shipping to Rotterdam?"}})
    _wait(lambda: store.status_of(500000100) == "done")
    assert len(fake_api.calls_of("sendMessage", chat_id=-1001987654321)) == 1  # chatter is ignored


def test_fake_api_refuses_update_ids_telegram_would_never_send():
    # An update enqueued below an already enqueued id can be dropped by the fake as
    # "confirmed" before the bot ever fetches it; that made the test above flaky.
    api = FakeBotApi()
    api.enqueue(load("photo"))  # 500000004
    with pytest.raises(ValueError, match="only increase"):
        api.enqueue(load("edited_message"))  # 500000003
    assert api.enqueue(text_update(424242, "hello"))["update_id"] == 500000005


def test_long_answers_are_split_and_long_payloads_stored(fake_api, telegram_app):
    handle = telegram_app()
    fake_api.enqueue(text_update(6001, "/start"))
    fake_api.wait_for("sendMessage", chat_id=6001)
    conversation = handle.container.store.find("telegram", "6001")
    payload = "/book quote=Q-2026-11-26-0042 incoterm=FOB origin=CNSHA destination=DEHAM containers=2"
    reply = Reply("Update on your booking. " * 300, (Button("Book it", payload),))
    asyncio.run(_push(handle.container, conversation.id, reply))
    parts = fake_api.wait_for("sendMessage", 3, chat_id=6001)[1:]
    assert len(parts) == 2 and all(len(p.params["text"]) <= 4096 for p in parts)
    key = buttons_of(parts[1].params)[0]["callback_data"]
    assert key.startswith("k:") and len(key.encode()) <= 64

    fake_api.enqueue(button_press(parts[1].params, "Book it", query_id="press-long"))
    fake_api.wait_for("answerCallbackQuery", callback_query_id="press-long")
    unknown = fake_api.wait_for("sendMessage", 4, chat_id=6001)[3].params
    assert unknown["text"] == "I don't know the command /book. Try /help to see what I can do."


def test_staff_messages_reach_telegram_users(fake_api, telegram_app):
    handle = telegram_app()
    fake_api.enqueue(text_update(7001, "hello"))
    fake_api.wait_for("sendMessage", chat_id=7001)
    conversation = handle.container.store.find("telegram", "7001")
    asyncio.run(handle.container.service.push(conversation.id, "Hi, this is Mia from support.",
                                              push_channel="telegram"))
    staff = fake_api.wait_for("sendMessage", 2, chat_id=7001)[1].params
    assert staff["text"] == "Hi, this is Mia from support."


async def _push(container, conversation_id: str, reply: Reply) -> None:  # noqa: ANN001
    await asyncio.to_thread(container.store.append_out_of_band, conversation_id, reply,
                            author="staff", push_channel="telegram")


def _wait(condition, timeout: float = 10.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_unreachable_telegram_does_not_stop_the_http_service(settings_factory, live_server, tmp_path):
    import httpx

    from bot.bootstrap import bootstrap
    from bot.understanding import CommandRecognizer
    from bot.web import create_app
    from tests.conftest import free_port
    from tests.telegram.fake_bot_api import TOKEN

    settings = settings_factory(telegram_token=TOKEN, telegram_api_url=f"http://127.0.0.1:{free_port()}/bot",
                                index_dir=tmp_path / "no-index")
    container = bootstrap(settings, recognizer=CommandRecognizer())
    app = create_app(container, bind_host="127.0.0.1")
    try:
        with live_server(app) as server:
            time.sleep(1.5)  # a couple of failed getMe attempts
            assert httpx.get(f"{server.url}/healthz").status_code == 200
            channel = next(c for c in app.state.channels if c.name == "telegram")
            assert not channel.ready.is_set()
    finally:
        container.close()
