"""WhatsApp test fixtures: the fake Graph API on loopback, a configured tradebot server,
and signed recorded-shape webhook payloads."""

from __future__ import annotations

import copy
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import Container, bootstrap
from bot.channels.signing import sign
from bot.understanding import CommandRecognizer
from bot.web import create_app
from tests.whatsapp.fake_graph_api import VERSION, FakeGraphApi

APP_SECRET = "wa-app-secret-5d1f"
VERIFY_TOKEN = "wa-verify-7c2e"
ACCESS_TOKEN = "EAAG-test-access-token"
PHONE_NUMBER_ID = "106540352242922"
GERMAN_USER = "4915112345678"
PAYLOADS = Path(__file__).with_name("payloads")


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))


def payload(name: str = "text", *, sender: str = GERMAN_USER, text: str | None = None,
            reply_id: str | None = None, wamid: str | None = None, timestamp: int | None = None) -> dict:
    """A recorded-shape payload with a fresh message id, a current timestamp and the given content."""
    data = copy.deepcopy(load(name))
    value = data["entry"][0]["changes"][0]["value"]
    for contact in value.get("contacts", []):
        contact["wa_id"] = sender
    for message in value.get("messages", []):
        message["from"] = sender
        message["id"] = wamid or f"wamid.{uuid.uuid4().hex}"
        message["timestamp"] = str(timestamp if timestamp is not None else int(time.time()))
        if text is not None:
            message["text"]["body"] = text
        if reply_id is not None:
            inter = message["interactive"]
            inter[inter["type"]]["id"] = reply_id
    return data


def signed(data: dict | bytes, secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return raw, {"Content-Type": "application/json", "X-Hub-Signature-256": sign(secret, raw)}


@dataclass
class WaServer:
    url: str
    container: Container
    server: Any

    @property
    def channel(self):  # noqa: ANN201
        return next(c for c in self.server_app.state.channels if c.name == "whatsapp")

    @property
    def server_app(self):  # noqa: ANN201
        return self.server.server.config.app

    def stop(self) -> None:
        if self.server is not None:
            self.server.__exit__(None, None, None)
            self.server = None
        self.container.close()


@pytest.fixture
def graph(live_server):
    fake = FakeGraphApi(PHONE_NUMBER_ID, ACCESS_TOKEN)
    with live_server(fake.app) as server:
        fake.url = server.url
        yield fake


@pytest.fixture
def wa_settings(settings_factory, graph):
    def make(**overrides: object):
        values = {"whatsapp_app_secret": APP_SECRET, "whatsapp_verify_token": VERIFY_TOKEN,
                  "whatsapp_access_token": ACCESS_TOKEN, "whatsapp_phone_number_id": PHONE_NUMBER_ID,
                  "whatsapp_api_url": f"{graph.url}/{VERSION}", **overrides}
        return settings_factory(**values)

    return make


@pytest.fixture
def wa_server(wa_settings, live_server):
    """Start tradebot with WhatsApp configured: ``make(**settings) -> WaServer``."""
    made: list[WaServer] = []

    def make(*, prepare=None, recognizer: Any = "commands", **overrides: object) -> WaServer:
        # slash commands and greetings are enough here; ``recognizer=None`` uses the NLU engine
        recognizer = CommandRecognizer() if recognizer == "commands" else recognizer
        container = bootstrap(wa_settings(**overrides), recognizer=recognizer)
        if prepare is not None:
            prepare(container)
        server = live_server(create_app(container, bind_host="127.0.0.1")).__enter__()
        made.append(WaServer(server.url, container, server))
        return made[-1]

    yield make
    for srv in made:
        srv.stop()
