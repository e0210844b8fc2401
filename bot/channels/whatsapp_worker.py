"""Processing stored WhatsApp messages: the inbox worker and the window-aware sender.

The webhook only verifies and stores; this worker turns each stored message into a turn of
the core and sends the replies through the Graph API. It starts with whatever earlier
processes left unprocessed, so an acknowledged message survives a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.channels.whatsapp_client import GraphApiClient, OutsideServiceWindow, WhatsAppRejected
from bot.channels.whatsapp_payloads import locale_hint
from bot.channels.whatsapp_render import Labels, render_reply, template_message
from bot.conversation import ConversationService
from bot.i18n import Translator
from bot.messages import Button, InboundMessage, Reply
from bot.store.inbox import InboxItem, InboxStore
from bot.store.outbox import PendingDelivery
from bot.store.tables import utcnow

log = logging.getLogger(__name__)
CHANNEL = "whatsapp"
SERVICE_WINDOW = timedelta(hours=24)


class WhatsAppSender:
    """Renders replies for WhatsApp and sends them, minding the 24-hour service window.

    Args:
        api: the Graph API client.
        translator: for the renderer's labels.
        inbox: knows when each merchant last wrote (the window opens with every message).
        template: an approved template with one body parameter, used for out-of-band
            messages outside the window; ``None``: such messages wait and are logged.
        clock: current UTC time (tests move it).
    """

    def __init__(self, api: GraphApiClient, translator: Translator, inbox: InboxStore, *,
                 template: str | None = None, clock: Callable[[], datetime] = utcnow) -> None:
        self.api = api
        self._translator = translator
        self._inbox = inbox
        self._template = template
        self._clock = clock

    def bodies(self, replies: tuple[Reply, ...] | list[Reply], to: str, language: str) -> list[dict]:
        """The ``/messages`` request bodies for ``replies``, with labels in ``language``."""
        labels = Labels(options=self._translator.text("whatsapp.options", language),
                        choose=self._translator.text("whatsapp.choose", language))
        return [body for reply in replies for body in render_reply(reply, to, labels)]

    def in_window(self, last_inbound: datetime | None) -> bool:
        """Whether free-form messages may still be sent after an inbound message at ``last_inbound``."""
        return last_inbound is not None and self._clock() - last_inbound < SERVICE_WINDOW

    async def deliver_out_of_band(self, item: PendingDelivery, language: str) -> None:
        """Send a staff reply or notification (the outbox retries when this raises)."""
        last = await asyncio.to_thread(self._inbox.last_received_at, CHANNEL, item.sender)
        if self.in_window(last):
            reply = Reply(item.text, tuple(Button(**b) for b in item.payload.get("buttons", [])))
            for body in self.bodies([reply], item.sender, language):
                await self.api.send(body)
            return
        if self._template:
            await self.api.send(template_message(item.sender, self._template, language, item.text))
            return
        log.warning("whatsapp message held: the 24-hour service window is closed and no template "
                    "is configured; it is sent if the merchant writes again",
                    extra={"conversation_id": item.conversation_id, "outbox_id": item.outbox_id})
        raise OutsideServiceWindow("24-hour service window closed; no template configured")


class InboxWorker:
    """Claims stored WhatsApp messages and runs them through the core, one sender at a time.

    Args:
        inbox: the durable inbox.
        service: the conversation core.
        sender: renders and sends replies.
        translator: the polite answer to message types we cannot read.
        default_language: for that answer when the merchant's language is unknown.
        max_chars: longer texts are cut before they reach the core.
        interval: seconds between polls when idle (rows of other workers, due retries).
        lease_seconds: how long a claim lasts before another worker may take the row over.
    """

    def __init__(self, inbox: InboxStore, service: ConversationService, sender: WhatsAppSender,
                 translator: Translator, *, default_language: str = "en", max_chars: int = 4000,
                 interval: float = 1.0, lease_seconds: float = 120) -> None:
        self._inbox = inbox
        self._service = service
        self._sender = sender
        self._translator = translator
        self._default_language = default_language
        self._max_chars = max_chars
        self._interval = interval
        self._lease = lease_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New rows were stored: process them now instead of at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Process rows until cancelled: at once when woken, else every ``interval`` seconds."""
        while True:
            try:
                handled = await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep the worker alive; the rows stay in the inbox
                log.exception("whatsapp inbox loop failed")
                handled = 0
            if not handled:
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._interval)

    async def drain(self) -> int:
        """Process what is due now; returns how many rows were claimed."""
        items = await asyncio.to_thread(self._inbox.claim_due, CHANNEL, lease_seconds=self._lease)
        by_sender: dict[str, list[InboxItem]] = defaultdict(list)
        for item in items:
            by_sender[item.sender].append(item)
        await asyncio.gather(*(self._process_in_order(group) for group in by_sender.values()))
        return len(items)

    async def _process_in_order(self, items: list[InboxItem]) -> None:
        for index, item in enumerate(items):
            try:
                await self._process(item)
            except asyncio.CancelledError:
                for left in items[index:]:  # hand unfinished rows back for the next start
                    await asyncio.shield(asyncio.to_thread(self._inbox.release, left.id))
                raise
            except WhatsAppRejected as exc:
                log.error("whatsapp reply rejected", extra={"message_id": item.message_id, "error": str(exc)})
                await asyncio.to_thread(self._inbox.retry, item.id, str(exc), permanent=True)
            except Exception as exc:  # network, server errors, database hiccups: retry later
                status = await asyncio.to_thread(self._inbox.retry, item.id, f"{type(exc).__name__}: {exc}")
                log.warning("whatsapp message will be retried" if status == "pending" else
                            "whatsapp message failed for good",
                            extra={"message_id": item.message_id, "error": str(exc)[:200]})

    async def _process(self, item: InboxItem) -> None:
        data = item.payload
        kind = data.get("kind")
        if kind == "text":
            msg = InboundMessage(channel=CHANNEL, sender=item.sender, text=str(data.get("text", ""))[: self._max_chars],
                                 message_id=item.message_id, locale=locale_hint(item.sender),
                                 metadata=_metadata(data))
            turn = await self._service.handle(msg)
            replies, language = turn.replies, turn.language
        elif kind == "unsupported":
            language = await self._language_of(item.sender)
            replies = (Reply(self._translator.text("whatsapp.unsupported", language)),)
        else:
            await asyncio.to_thread(self._inbox.done, item.id)
            return
        if not self._sender.in_window(item.received_at):
            log.warning("whatsapp reply not sent: the message is older than the 24-hour service window",
                        extra={"message_id": item.message_id})
            await asyncio.to_thread(self._inbox.done, item.id)
            return
        bodies = self._sender.bodies(replies, item.sender, language)
        for index in range(item.sent, len(bodies)):
            await self._sender.api.send(bodies[index])
            await asyncio.to_thread(self._inbox.progress, item.id, index + 1)
        await asyncio.to_thread(self._inbox.done, item.id)

    async def _language_of(self, sender: str) -> str:
        snap = await asyncio.to_thread(self._service.store.find, CHANNEL, sender)
        known = (snap.language or snap.state.get("language")) if snap else None
        return known or locale_hint(sender) or self._default_language


def _metadata(data: dict) -> dict:
    name = str(data.get("profile_name") or "").strip()
    return {"first_name": name.split()[0][:64]} if name else {}
