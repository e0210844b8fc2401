"""What the web app needs from a channel: routes, and background work while it runs."""

from __future__ import annotations

from typing import Protocol

from fastapi import APIRouter


class WebChannel(Protocol):
    """A channel served by the HTTP app (REST, Telegram webhook, WhatsApp, staff console)."""

    name: str

    def router(self) -> APIRouter | None:
        """Routes to mount, or ``None``."""

    async def start(self) -> None:
        """Start background work (polling, outbox delivery); return quickly."""

    async def stop(self) -> None:
        """Stop background work."""
