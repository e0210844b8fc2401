"""Pushes out-of-band messages of REST users to the configured callback URL (signed)."""

from __future__ import annotations

import json

import httpx

from bot.channels.signing import sign
from bot.store.outbox import PendingDelivery


class RestCallbackSender:
    """POSTs ``{sender, conversation_id, message}`` to the callback URL; raises on failure."""

    def __init__(self, client: httpx.AsyncClient, url: str, secret: str | None) -> None:
        self._client = client
        self._url = url
        self._secret = secret

    async def __call__(self, item: PendingDelivery) -> None:
        body = json.dumps({"sender": item.sender, "conversation_id": item.conversation_id,
                           "message": {"id": item.message_id, "text": item.text, "from": item.author,
                                       "buttons": item.payload.get("buttons", [])}}).encode()
        headers = {"Content-Type": "application/json"}
        if self._secret:
            headers["X-Tradebot-Signature"] = sign(self._secret, body)
        response = await self._client.post(self._url, content=body, headers=headers)
        response.raise_for_status()
