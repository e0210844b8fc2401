"""Pushes out-of-band messages of REST users to the configured callback URL (signed)."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx

from bot.channels.signing import sign
from bot.store.outbox import OutboxStore, PendingDelivery

log = logging.getLogger(__name__)


class RestCallbackPusher:
    """Delivers the outbox of the REST channel: POST ``{sender, conversation_id, message}``.

    Failed deliveries are retried with backoff by the outbox; a restart loses nothing
    because the queue lives in the database.
    """

    def __init__(self, outbox: OutboxStore, url: str, secret: str | None, *,
                 interval: float = 0.5, client: httpx.AsyncClient | None = None) -> None:
        self._outbox = outbox
        self._url = url
        self._secret = secret
        self._interval = interval
        self._client = client

    async def run(self) -> None:
        async with (self._client or httpx.AsyncClient(timeout=10)) as client:
            while True:
                try:
                    due = await asyncio.to_thread(self._outbox.claim_due, "rest")
                    for item in due:
                        await self._deliver(client, item)
                except asyncio.CancelledError:
                    raise
                except Exception:  # keep the pusher alive; the error is logged, the row retried
                    log.exception("rest callback loop failed")
                await asyncio.sleep(self._interval)

    async def _deliver(self, client: httpx.AsyncClient, item: PendingDelivery) -> None:
        body = json.dumps({"sender": item.sender, "conversation_id": item.conversation_id,
                           "message": {"id": item.message_id, "text": item.text, "from": item.author,
                                       "buttons": item.payload.get("buttons", [])}}).encode()
        headers = {"Content-Type": "application/json"}
        if self._secret:
            headers["X-Tradebot-Signature"] = sign(self._secret, body)
        try:
            response = await client.post(self._url, content=body, headers=headers)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("rest callback failed", extra={"outbox_id": item.outbox_id, "error": str(exc)})
            await asyncio.to_thread(self._outbox.failed, item.outbox_id, str(exc))
            return
        await asyncio.to_thread(self._outbox.delivered, item.outbox_id)
