"""The terminal channel: ``tradebot chat`` and ``tradebot ask``."""

from __future__ import annotations

import asyncio
import getpass
import json

from rich.console import Console
from rich.markup import escape

from bot.conversation import ConversationService
from bot.messages import InboundMessage, Turn

CHANNEL = "terminal"


def default_sender() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user database entry (containers)
        return "local"


def make_message(text: str, sender: str, lang: str | None) -> InboundMessage:
    metadata = {"language": lang} if lang else {}
    return InboundMessage(channel=CHANNEL, sender=sender, text=text, locale=lang, metadata=metadata)


def render(turn: Turn, console: Console) -> list[str]:
    """Print replies; buttons become numbered options. Returns the options' payloads."""
    options: list[str] = []
    for reply in turn.replies:
        console.print(f"[bold cyan]tradebot[/] {escape(reply.text)}")
        for button in reply.buttons:
            options.append(button.payload)
            console.print(f"   [bold]{len(options)}[/]. {escape(button.title)}")
    if turn.sources:
        cited = "; ".join(f"{s.title} [{s.id}]" for s in turn.sources)
        console.print(f"[dim]Sources: {escape(cited)}[/]")
    return options


async def ask_once(service: ConversationService, text: str, sender: str, lang: str | None) -> Turn:
    return await service.handle(make_message(text, sender, lang))


def chat_loop(service: ConversationService, sender: str, lang: str | None, console: Console) -> None:
    """Read lines until EOF or ``/quit``; a number picks one of the last offered options."""
    console.print("[dim]tradebot chat — type /help, /quit to leave[/]")
    options: list[str] = []
    loop = asyncio.new_event_loop()
    try:
        while True:
            try:
                line = console.input("[bold green]you[/] ").strip()
            except (EOFError, KeyboardInterrupt):
                console.print()
                break
            if not line:
                continue
            if line in {"/quit", "/exit"}:
                break
            if line.isdigit() and 1 <= int(line) <= len(options):
                line = options[int(line) - 1]
            turn = loop.run_until_complete(ask_once(service, line, sender, lang))
            options = render(turn, console)
    finally:
        loop.close()


def turn_json(turn: Turn) -> str:
    return json.dumps(turn.to_json(), ensure_ascii=False)
