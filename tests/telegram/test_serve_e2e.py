"""`tradebot serve` as an operator runs it, polling the fake Bot API: a conversation, and a
kill -9 in the middle of one that loses no update and repeats none.

One server process serves both tests (the second kills and restarts it): starting
`tradebot serve` loads the NLU models, which dominates this module's run time.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import LiveServer, free_port
from tests.e2e.test_serve_restart import start_server
from tests.telegram.conftest import button_press, buttons_of, text_update
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi, create_fake_app

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("shared_index_dir")]


@dataclass
class Served:
    """The `tradebot serve` process under test, its data dir and port."""

    data_dir: Path
    port: int
    proc: subprocess.Popen | None = None


@pytest.fixture(scope="module")
def fake_api() -> Iterator[FakeBotApi]:
    api = FakeBotApi()
    with LiveServer(create_fake_app(api)) as server:
        api.url = f"{server.url}/bot"  # type: ignore[attr-defined]
        try:
            yield api
        finally:
            api.closing = True
            for method in list(api._stalls):
                api.unstall(method)


@pytest.fixture(scope="module")
def served(fake_api, tmp_path_factory) -> Iterator[Served]:
    target = Served(tmp_path_factory.mktemp("serve") / "var", free_port())
    target.proc = serve(target, fake_api)
    yield target
    if target.proc is not None and target.proc.poll() is None:
        stop(target.proc)


def serve(target: Served, fake_api: FakeBotApi) -> subprocess.Popen:
    env = {"TRADEBOT_TELEGRAM_TOKEN": TOKEN, "TRADEBOT_TELEGRAM_API_URL": fake_api.url,
           "TRADEBOT_TELEGRAM_WEBHOOK_URL": "", "TRADEBOT_LOG_LEVEL": "INFO"}
    polls = len(fake_api.calls_of("getUpdates"))
    proc = start_server(target.data_dir, target.port, env)
    fake_api.wait_for("getUpdates", polls + 1, timeout=30)  # the bot is polling
    return proc


def stop(proc: subprocess.Popen) -> str:
    """SIGTERM, as an init system stops it; returns the server's output."""
    proc.terminate()
    try:
        output, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = output.decode(errors="replace")
    # uvicorn re-raises the signal after a clean shutdown
    assert proc.returncode in (0, -signal.SIGTERM) and "Application shutdown complete" in text, text[-3000:]
    return text


def test_polling_conversation_with_buttons(served, fake_api):
    fake_api.enqueue(text_update(9101, "/start", language_code="de", first_name="Jonas"))
    welcome = fake_api.wait_for("sendMessage", chat_id=9101, timeout=60)[0].params
    assert welcome["text"].startswith("Hallo Jonas!")
    assert [b["text"] for b in buttons_of(welcome)] == ["Was kannst du?", "Sprache"]

    fake_api.enqueue(button_press(welcome, "Sprache", query_id="e2e-press-1", language_code="de"))
    fake_api.wait_for("answerCallbackQuery", callback_query_id="e2e-press-1")
    ask = fake_api.wait_for("sendMessage", 2, chat_id=9101, timeout=90)[1].params
    assert ask["text"] == "In welcher Sprache soll ich antworten?"

    fake_api.enqueue(button_press(ask, "Español", query_id="e2e-press-2", language_code="de"))
    fake_api.wait_for("answerCallbackQuery", callback_query_id="e2e-press-2")
    assert fake_api.wait_for("sendMessage", 3, chat_id=9101)[2].params["text"] == \
        "A partir de ahora responderé en español."
    assert {c.params.get("language_code") for c in fake_api.calls_of("setMyCommands")} >= {"de", "zh"}


def test_kill_during_a_conversation_loses_no_update_and_repeats_none(served, fake_api):
    proc = served.proc
    # Freeze the bot inside an update (before its answer), after it was fetched.
    release = fake_api.stall("sendChatAction", lambda p: int(p["chat_id"]) == 9202)
    try:
        fake_api.enqueue(text_update(9201, "/start"))
        welcome = fake_api.wait_for("sendMessage", chat_id=9201)[0].params
        in_flight = fake_api.enqueue(text_update(9202, "hello"))
        fake_api.wait_for("sendChatAction", chat_id=9202)
        deadline = time.monotonic() + 15
        while fake_api.confirmed_offset <= in_flight["update_id"]:  # Telegram will not resend it
            assert time.monotonic() < deadline, "the update was never confirmed"
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        release.set()
    assert not fake_api.calls_of("sendMessage", chat_id=9202)

    # While the server is down the conversation goes on.
    fake_api.enqueue(button_press(welcome, "Language", query_id="press-while-down"))
    fake_api.enqueue(text_update(9203, "hello"))

    served.proc = proc = serve(served, fake_api)
    try:
        fake_api.wait_for("sendMessage", chat_id=9202, timeout=90)
        fake_api.wait_for("sendMessage", chat_id=9203)
        ask = fake_api.wait_for("sendMessage", 2, chat_id=9201)[1].params
        assert ask["text"] == "Which language would you like me to use?"
        # Telegram offers everything again (a lost confirmation): nothing is answered twice.
        fake_api.redeliver_all()
        fake_api.wait_for("getUpdates", len(fake_api.calls_of("getUpdates")) + 2)
        time.sleep(1.0)
    finally:
        stop(proc)
    counts = {chat: len(fake_api.calls_of("sendMessage", chat_id=chat)) for chat in (9101, 9201, 9202, 9203)}
    assert counts == {9101: 3, 9201: 2, 9202: 1, 9203: 1}
    assert len(fake_api.calls_of("answerCallbackQuery", callback_query_id="press-while-down")) == 1
