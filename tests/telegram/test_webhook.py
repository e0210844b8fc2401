"""Webhook mode in process over real HTTP: secret check, setWebhook at start, exactly once."""

from __future__ import annotations

import time

import httpx
import pytest

from bot.channels.telegram_store import TelegramStore
from bot.settings import SettingsError
from tests.telegram.conftest import WEBHOOK_SECRET, load, text_update


def _post(url: str, update: dict, secret: str | None = WEBHOOK_SECRET) -> httpx.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return httpx.post(f"{url}/webhooks/telegram", json=update, headers=headers, timeout=10)


def test_start_sets_the_webhook_with_its_secret_and_does_not_poll(fake_api, telegram_app):
    telegram_app(webhook=True)
    hook = fake_api.wait_for("setWebhook")[0].params
    assert hook["url"] == "https://bot.example.com/webhooks/telegram"
    assert hook["secret_token"] == WEBHOOK_SECRET
    assert set(hook["allowed_updates"]) == {"message", "edited_message", "callback_query"}
    assert not hook.get("drop_pending_updates")
    assert fake_api.calls_of("setMyCommands")
    time.sleep(0.3)
    assert not fake_api.calls_of("getUpdates") and not fake_api.calls_of("deleteWebhook")


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", WEBHOOK_SECRET + "x"])
def test_missing_or_wrong_secret_is_refused_and_nothing_processed(fake_api, telegram_app, secret):
    handle = telegram_app(webhook=True)
    update = text_update(8101, "hello", update_id=610001)
    response = _post(handle.url, update, secret)
    assert response.status_code == 403
    assert response.json()["error"] == "bad_secret"
    time.sleep(0.5)
    assert not fake_api.calls_of("sendMessage") and not fake_api.calls_of("sendChatAction")
    assert TelegramStore(handle.container.engine).status_of(610001) is None
    assert handle.container.store.find("telegram", "8101") is None


def test_the_same_update_delivered_twice_gets_one_reply(fake_api, telegram_app):
    handle = telegram_app(webhook=True)
    update = text_update(8201, "/start", update_id=620001)
    assert _post(handle.url, update).status_code == 200
    assert _post(handle.url, update).status_code == 200  # Telegram re-delivers
    fake_api.wait_for("sendMessage", chat_id=8201)
    time.sleep(0.5)
    assert _post(handle.url, update).status_code == 200  # and again, after it was answered
    time.sleep(0.5)
    assert len(fake_api.calls_of("sendMessage", chat_id=8201)) == 1
    assert TelegramStore(handle.container.engine).status_of(620001) == "done"


def test_webhook_updates_flow_through_the_same_handlers(fake_api, telegram_app):
    handle = telegram_app(webhook=True)
    assert _post(handle.url, load("photo")).status_code == 200
    reply = fake_api.wait_for("sendMessage", chat_id=424242)[0].params
    assert reply["text"].startswith("Désolé")


def test_malformed_bodies_are_refused(fake_api, telegram_app):
    handle = telegram_app(webhook=True)
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET, "Content-Type": "application/json"}
    url = f"{handle.url}/webhooks/telegram"
    assert httpx.post(url, content=b"{not json", headers=headers).status_code == 400
    assert httpx.post(url, json={"message": {}}, headers=headers).status_code == 400
    assert httpx.post(url, content=b"x" * 200_000, headers=headers).status_code == 413


@pytest.mark.parametrize("secret", [None, "has spaces and ü"])
def test_webhook_mode_requires_a_usable_secret(settings_factory, secret):
    from bot.bootstrap import bootstrap
    from bot.web import create_app
    from tests.telegram.fake_bot_api import TOKEN

    container = bootstrap(settings_factory(telegram_token=TOKEN, telegram_secret=secret,
                                           telegram_webhook_url="https://bot.example.com/webhooks/telegram"))
    try:
        with pytest.raises(SettingsError, match="TRADEBOT_TELEGRAM_SECRET"):
            create_app(container)
    finally:
        container.close()
