"""The assistant's features through Telegram (fake Bot API), with the real NLU, index and sandbox."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.telegram.conftest import TOKEN, TelegramApp, button_press, buttons_of, text_update


@pytest.fixture
def full_app(fake_api, settings_factory, live_server):
    from bot.bootstrap import bootstrap
    from bot.web import create_app

    container = bootstrap(settings_factory(telegram_token=TOKEN, telegram_api_url=fake_api.url))
    app = create_app(container, bind_host="127.0.0.1")
    with live_server(app) as server:
        handle = TelegramApp(server.url, container, app)
        handle.wait_ready(timeout=120)
        yield handle
    container.close()


class Chat:
    def __init__(self, fake_api, chat_id: int) -> None:
        self.api, self.chat_id, self.seen = fake_api, chat_id, 0

    def send(self, text: str) -> list[dict[str, Any]]:
        self.api.enqueue(text_update(self.chat_id, text))
        return self._new()

    def press(self, sent: dict[str, Any], title: str, query_id: str) -> list[dict[str, Any]]:
        self.api.enqueue(button_press(sent, title, query_id=query_id))
        self.api.wait_for("answerCallbackQuery", callback_query_id=query_id)
        return self._new()

    def _new(self) -> list[dict[str, Any]]:
        self.api.wait_for("sendMessage", self.seen + 1, chat_id=self.chat_id, timeout=60)
        count, stable_since = -1, time.monotonic()
        while time.monotonic() - stable_since < 1.0:  # one turn may send several messages
            now = len(self.api.calls_of("sendMessage", chat_id=self.chat_id))
            if now != count:
                count, stable_since = now, time.monotonic()
            time.sleep(0.05)
        calls = self.api.calls_of("sendMessage", chat_id=self.chat_id)
        new, self.seen = calls[self.seen:], len(calls)
        return [c.params for c in new]


def test_knowledge_listing_confirmation_and_handoff_over_telegram(fake_api, full_app):
    chat = Chat(fake_api, 7001)
    answer = chat.send("What does FOB mean?")
    text = "\n".join(m["text"] for m in answer)
    assert "FOB" in text and "incoterms-fob" in text  # the answer cites its source

    steps = ["I want to list green tea, 20 t at 4.20 USD/kg FOB, MOQ 2 t, lead time 14 days",
             "Lotus Tea Ltd, China", "yes", "-"]
    for step in steps:
        sent = chat.send(step)
    summary = next(m for m in sent if any(b["callback_data"].startswith("confirm") or "confirm" in b["text"].lower()
                                          for b in buttons_of(m)))
    confirm = next(b for b in buttons_of(summary) if b["callback_data"].startswith("confirm")
                   or "confirm" in b["text"].lower())
    done = chat.press(summary, confirm["text"], "confirm-press")
    done_text = "\n".join(m["text"] for m in done)
    assert "is live" in done_text and re.search(r"lst_[0-9a-f]+", done_text), done_text

    handoff = chat.send("/human")
    assert any("colleague" in m["text"] for m in handoff)
    assert [b["callback_data"] for m in handoff for b in buttons_of(m)] == ["/bot"]
    queue = full_app.container.handoffs.queue("waiting")
    assert [q.channel for q in queue] == ["telegram"]
