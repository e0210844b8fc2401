"""Delivers one channel's outbox (out-of-band messages) with retries; shared by all channels."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.store.outbox import OutboxStore, PendingDelivery

log = logging.getLogger(__name__)
Sender = Callable[[PendingDelivery], Awaitable[None]]


class OutboxPusher:
    """Claims due deliveries of ``channel`` and hands each to ``send``.

    ``send`` raises on failure; the outbox then retries with backoff. The queue lives in
    the database, so a restart loses nothing and several workers never send one row twice.
    """

    def __init__(self, outbox: OutboxStore, channel: str, send: Sender, *, interval: float = 0.5) -> None:
        self._outbox = outbox
        self._channel = channel
        self._send = send
        self._interval = interval

    async def run(self) -> None:
        while True:
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep delivering; the error is logged, rows are retried
                log.exception("outbox loop failed", extra={"channel": self._channel})
            await asyncio.sleep(self._interval)

    async def drain(self) -> int:
        """Deliver what is due now; returns how many deliveries were attempted."""
        due = await asyncio.to_thread(self._outbox.claim_due, self._channel)
        for item in due:
            try:
                await self._send(item)
            except Exception as exc:  # any failure: record it and retry later
                log.warning("outbox delivery failed",
                            extra={"channel": self._channel, "outbox_id": item.outbox_id, "error": str(exc)})
                await asyncio.to_thread(self._outbox.failed, item.outbox_id, str(exc))
            else:
                await asyncio.to_thread(self._outbox.delivered, item.outbox_id)
        return len(due)
