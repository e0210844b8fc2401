"""Telegram test fixtures: the fake Bot API on loopback, golden update payloads, a tradebot
app wired to the fake (in process, over real HTTP)."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.telegram.fake_bot_api import TOKEN, FakeBotApi, create_fake_app

PAYLOADS = Path(__file__).with_name("payloads")
WEBHOOK_SECRET = "tg-webhook-secret-8b1d4e"


def load(name: str) -> dict[str, Any]:
    """A golden Update payload from ``payloads/<name>.json``."""
    return json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))


def text_update(chat_id: int, text: str, *, language_code: str | None = "en", first_name: str = "Amara",
                update_id: int | None = None) -> dict[str, Any]:
    """The ``text`` golden payload for another chat and text."""
    data = copy.deepcopy(load("text"))
    data.pop("update_id")
    if update_id is not None:
        data["update_id"] = update_id
    message = data["message"]
    message["from"].update(id=chat_id, first_name=first_name)
    if language_code is None:
        message["from"].pop("language_code")
    else:
        message["from"]["language_code"] = language_code
    message["chat"].update(id=chat_id, first_name=first_name)
    message["text"] = text
    message["date"] = int(time.time())
    message["message_id"] = int(time.time_ns() % 1_000_000_000)
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    else:
        message.pop("entities")
    return data


def button_press(sent: dict[str, Any], title: str, *, query_id: str = "q-1", language_code: str = "en") -> dict:
    """A callback query for the button titled ``title`` under a message the bot sent
    (``sent`` is the recorded ``sendMessage`` parameters)."""
    data = copy.deepcopy(load("callback_query"))
    data.pop("update_id")
    buttons = [b for row in sent["reply_markup"]["inline_keyboard"] for b in row]
    button = next(b for b in buttons if b["text"] == title)
    query = data["callback_query"]
    chat_id = int(sent["chat_id"])
    query["id"] = query_id
    query["from"].update(id=chat_id, language_code=language_code)
    query["message"].update(chat={"id": chat_id, "type": "private", "first_name": "Amara"},
                            text=sent["text"], reply_markup=sent["reply_markup"])
    query["data"] = button["callback_data"]
    return data


def buttons_of(params: dict[str, Any]) -> list[dict[str, Any]]:
    markup = params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


@pytest.fixture
def fake_api(live_server) -> Iterator[FakeBotApi]:
    """The fake Bot API server; ``fake_api.url`` is its PTB ``base_url`` (``…/bot``)."""
    api = FakeBotApi()
    with live_server(create_fake_app(api)) as server:
        api.url = f"{server.url}/bot"  # type: ignore[attr-defined]
        try:
            yield api
        finally:
            api.closing = True
            for method in list(api._stalls):
                api.unstall(method)


@dataclass
class TelegramApp:
    """tradebot served in process with the Telegram channel pointed at the fake."""

    url: str
    container: Any
    app: Any

    @property
    def channel(self):  # noqa: ANN201
        return next(c for c in self.app.state.channels if c.name == "telegram")

    def wait_ready(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not self.channel.ready.is_set():
            if time.monotonic() > deadline:
                raise AssertionError("the Telegram channel did not come up")
            time.sleep(0.02)


@pytest.fixture
def telegram_app(fake_api, settings_factory, live_server, tmp_path):
    """Start tradebot in process (polling by default; ``webhook=True`` for webhook mode)."""
    from bot.bootstrap import bootstrap
    from bot.understanding import CommandRecognizer
    from bot.web import create_app

    running = []

    def start(*, webhook: bool = False, **overrides: Any) -> TelegramApp:
        # no knowledge index: these tests are about the channel, and warming the index is slow
        extra: dict[str, Any] = {"telegram_token": TOKEN, "telegram_api_url": fake_api.url,
                                 "index_dir": tmp_path / "no-index", **overrides}
        if webhook:
            extra.update(telegram_webhook_url="https://bot.example.com/webhooks/telegram",
                         telegram_secret=WEBHOOK_SECRET)
        # slash commands and greetings are all these tests say: no NLU model needed
        container = bootstrap(settings_factory(**extra), recognizer=CommandRecognizer())
        app = create_app(container, bind_host="127.0.0.1")
        server = live_server(app).__enter__()
        running.append((server, container))
        handle = TelegramApp(server.url, container, app)
        handle.wait_ready()
        return handle

    yield start
    for server, container in reversed(running):
        server.__exit__(None, None, None)
        container.close()
