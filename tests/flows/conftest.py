"""Merchant-flow fixtures: the product's NLU and knowledge service (loaded once per
session), a sandbox platform over real HTTP, and the bot's web app over real HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.bootstrap import bootstrap, default_recognizer
from bot.flows.commands import FlowCommands
from bot.web import create_app
from connectors.sandbox.app import create_platform_app
from connectors.sandbox.faults import FaultConfig


@pytest.fixture(scope="session")
def knowledge(shared_index_dir):
    """One knowledge service (index, HS classifier) for the session: read-only, thread-safe."""
    from bot.bootstrap import shared_embedder
    from knowledge.service import KnowledgeService

    service = KnowledgeService(shared_index_dir, embedder=shared_embedder())
    service.warm_up()
    return service


class Sandbox:
    """The sandbox platform on its own port, restartable on the same database."""

    def __init__(self, live_server, db_path: Path) -> None:
        self._live_server = live_server
        self.db_url = f"sqlite:///{db_path}"
        self.app = None
        self.server = None
        self.port = None

    def start(self) -> "Sandbox":
        self.app = create_platform_app(self.db_url)
        self.server = self._live_server(self.app, port=self.port).__enter__()
        self.port = self.server.port
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.__exit__(None, None, None)
            self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def faults(self, config: FaultConfig) -> None:
        self.app.state.platform.faults.configure(config)


@pytest.fixture
def sandbox(live_server, tmp_path):
    box = Sandbox(live_server, tmp_path / "platform.sqlite3").start()
    yield box
    box.stop()


class Bot:
    """The bot's web app over real HTTP, restartable on the same database."""

    def __init__(self, live_server, settings, knowledge) -> None:
        self._live_server, self._settings, self._knowledge = live_server, settings, knowledge
        self.container = None
        self.server = None

    def start(self) -> "Bot":
        recognizer = FlowCommands(default_recognizer(self._settings))  # the product's NLU + flow commands
        self.container = bootstrap(self._settings, recognizer=recognizer, knowledge=self._knowledge)
        self.server = self._live_server(create_app(self.container)).__enter__()
        return self

    def stop(self) -> None:
        self.server.__exit__(None, None, None)
        self.container.close()

    def say(self, sender: str, text: str, *, locale: str | None = None, message_id: str | None = None) -> dict:
        body = {"sender": sender, "message": text, "metadata": {"locale": locale} if locale else {}}
        if message_id:
            body["message_id"] = message_id
        r = httpx.post(f"{self.server.url}/webhooks/rest", json=body, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()

    def polled(self, sender: str) -> list[dict]:
        return httpx.get(f"{self.server.url}/webhooks/rest/{sender}/messages", timeout=10).json()["messages"]


@pytest.fixture
def bot_factory(live_server, settings_factory, knowledge, sandbox):
    started: list[Bot] = []

    def make(**overrides) -> Bot:
        settings = settings_factory(platform_url=sandbox.url, **overrides)
        bot = Bot(live_server, settings, knowledge).start()
        started.append(bot)
        return bot

    yield make
    for bot in started:
        if bot.server is not None:
            try:
                bot.stop()
            except Exception:
                pass


@pytest.fixture
def bot(bot_factory) -> Bot:
    return bot_factory()


def text_of(turn: dict) -> str:
    """All reply texts; Babel's no-break spaces read as plain spaces."""
    return "\n".join(r["text"] for r in turn["replies"]).replace("\xa0", " ").replace("\u202f", " ")


def payloads(turn: dict) -> list[str]:
    return [b["payload"] for r in turn["replies"] for b in r["buttons"]]


def platform_client(sandbox: Sandbox, token: str | None = None):
    from connectors.client import HttpPlatformClient

    return HttpPlatformClient(sandbox.url, token)


def merchant_token(bot, sender: str) -> str:
    """The platform API token of the merchant linked to ``sender``'s conversation."""
    import asyncio

    from bot.flows.merchants import MerchantDirectory

    snap = bot.container.store.find("rest", sender)
    link = asyncio.run(MerchantDirectory(bot.container.engine, bot.container.platform).get(snap.id))
    return link.api_token


def listings_of(sandbox, token: str) -> list:
    """The merchant's listings, read from the sandbox platform over HTTP."""
    import asyncio

    async def fetch():
        async with platform_client(sandbox, token) as client:
            return (await client.list_listings(limit=100)).items

    return asyncio.run(fetch())
