"""The WhatsApp Cloud API channel: ``GET/POST /webhooks/whatsapp``.

``GET`` answers Meta's verification challenge. ``POST`` checks ``X-Hub-Signature-256``
on the raw body before parsing anything, stores the messages in the durable inbox and
acknowledges at once; :class:`~bot.channels.whatsapp_worker.InboxWorker` does the rest.
Out-of-band messages (staff replies) leave through the outbox for channel ``whatsapp``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
from datetime import timedelta
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import ValidationError

from bot.bootstrap import Container
from bot.channels.http_body import BodyTooLarge, read_capped
from bot.channels.outbox_pusher import OutboxPusher
from bot.channels.rate_limit import RateLimiter
from bot.channels.signing import verify
from bot.channels.whatsapp_client import GraphApiClient
from bot.channels.whatsapp_payloads import Envelope, extract
from bot.channels.whatsapp_worker import CHANNEL, InboxWorker, WhatsAppSender
from bot.store.inbox import InboxStore, NewInboxItem
from bot.store.outbox import PendingDelivery

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Hub-Signature-256"
CHALLENGE_RE = re.compile(r"^[A-Za-z0-9_.~-]{1,256}$")
INBOX_RETENTION = timedelta(days=14)  # Meta re-delivers for up to seven days


class WhatsAppChannel:
    """Builds the WhatsApp routes and runs the inbox worker and outbox pusher.

    Args:
        container: the wired application (core, stores, metrics, translator, settings).
        rate_limiter: per-sender limits; a message over the limit is acknowledged and dropped.
        template: approved template for out-of-band messages outside the 24-hour window.
        http_client: replaces the Graph API HTTP client (tests).
        worker_interval: inbox poll interval when idle, in seconds.
        lease_seconds: how long a worker's claim on a message lasts.
    """

    name = CHANNEL

    def __init__(self, container: Container, *, rate_limiter: RateLimiter | None = None,
                 template: str | None = None, http_client: httpx.AsyncClient | None = None,
                 worker_interval: float = 1.0, lease_seconds: float = 120) -> None:
        s = container.settings
        if not (s.whatsapp_app_secret and s.whatsapp_access_token and s.whatsapp_phone_number_id):
            raise ValueError("WhatsApp needs TRADEBOT_WHATSAPP_APP_SECRET, _ACCESS_TOKEN and _PHONE_NUMBER_ID")
        self._container = container
        self._service = container.service
        self._metrics = container.metrics
        self._secret = s.whatsapp_app_secret.get_secret_value()
        self._verify_token = s.whatsapp_verify_token.get_secret_value() if s.whatsapp_verify_token else None
        self._phone_number_id = s.whatsapp_phone_number_id
        self._access_token = s.whatsapp_access_token.get_secret_value()
        self._api_url = s.whatsapp_api_url
        self._max_body = s.max_body_bytes
        self._limiter = rate_limiter
        self._template = template
        self._given_client = http_client
        self._client: httpx.AsyncClient | None = None
        self._interval = worker_interval
        self._lease = lease_seconds
        self.inbox = InboxStore(container.engine)
        self.worker: InboxWorker | None = None
        self._tasks: list[asyncio.Task] = []

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the inbox worker (it first picks up what earlier runs left) and the pusher."""
        c = self._container
        self._client = self._given_client or httpx.AsyncClient(timeout=httpx.Timeout(15, connect=5))
        api = GraphApiClient(self._client, self._api_url, self._phone_number_id, self._access_token)
        sender = WhatsAppSender(api, c.translator, self.inbox, template=self._template)
        self.worker = InboxWorker(self.inbox, self._service, sender, c.translator,
                                  default_language=c.settings.default_locale,
                                  max_chars=c.settings.max_message_chars,
                                  interval=self._interval, lease_seconds=self._lease)
        pruned = await asyncio.to_thread(self.inbox.prune, CHANNEL, older_than=INBOX_RETENTION)
        if pruned:
            log.info("whatsapp inbox pruned", extra={"rows": pruned})

        async def deliver(item: PendingDelivery) -> None:
            snap = await asyncio.to_thread(self._service.store.get, item.conversation_id)
            language = (snap.language if snap else None) or c.settings.default_locale
            await sender.deliver_out_of_band(item, language)

        self._tasks = [asyncio.create_task(self.worker.run(), name="whatsapp-inbox"),
                       asyncio.create_task(OutboxPusher(c.outbox, CHANNEL, deliver).run(),
                                           name="whatsapp-outbox")]

    async def stop(self) -> None:
        """Stop the worker (rows in flight go back to the inbox) and the pusher."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._client is not None and self._given_client is None:
            await self._client.aclose()

    # -- routes ----------------------------------------------------------------------------
    def router(self) -> APIRouter:
        router = APIRouter(tags=["whatsapp channel"])
        router.add_api_route("/webhooks/whatsapp", self.verify_subscription, methods=["GET"],
                             summary="Meta's webhook verification challenge", response_model=None)
        router.add_api_route("/webhooks/whatsapp", self.receive, methods=["POST"], response_model=None,
                             summary="Signed WhatsApp Cloud API notifications (messages, statuses)",
                             openapi_extra={"requestBody": {"required": True, "content": {
                                 "application/json": {"schema": Envelope.model_json_schema()}}}})
        return router

    async def verify_subscription(self, request: Request) -> Response:
        """Echo ``hub.challenge`` as plain text when ``hub.verify_token`` is ours, else 403."""
        params = request.query_params
        mode, token = params.get("hub.mode"), params.get("hub.verify_token") or ""
        challenge = params.get("hub.challenge") or ""
        expected = self._verify_token
        if (expected is None or mode != "subscribe"
                or not hmac.compare_digest(token.encode(), expected.encode())):
            return self._reject(403, "verification_failed", "hub.mode or hub.verify_token is wrong")
        if not CHALLENGE_RE.fullmatch(challenge):
            return self._reject(400, "invalid_challenge", "hub.challenge is missing or malformed")
        log.info("whatsapp webhook verified")
        return PlainTextResponse(challenge)

    async def receive(self, request: Request) -> JSONResponse:
        """Verify, validate, store, acknowledge: the reply is sent later by the inbox worker."""
        try:
            raw = await read_capped(request, self._max_body)
        except BodyTooLarge:
            return self._reject(413, "body_too_large", f"request body exceeds {self._max_body} bytes")
        header = request.headers.get(SIGNATURE_HEADER)
        if not verify(self._secret, raw, header):
            return self._reject(401, "unsigned" if not header else "bad_signature",
                                f"missing or invalid {SIGNATURE_HEADER} header")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return self._reject(400, "malformed_json", "request body is not valid JSON")
        try:
            batch = extract(Envelope.model_validate(data), self._phone_number_id)
        except ValidationError as exc:
            problems = [{"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
                        for e in exc.errors(include_url=False, include_input=False, include_context=False)]
            return self._reject(422, "invalid_request", "body is not a WhatsApp Cloud API notification",
                                problems=problems[:20])
        items = []
        for m in batch.messages:
            if self._limiter is not None and not self._limiter.allow(CHANNEL, m.sender):
                # WhatsApp must still get its 2xx, or it re-delivers: drop, and say so in the log
                self._metrics.rejected.labels(CHANNEL, "rate_limited").inc()
                log.warning("whatsapp message dropped: sender over the rate limit",
                            extra={"message_id": m.message_id})
                continue
            items.append(NewInboxItem(m.message_id, m.sender, m.to_inbox(), m.sent_at))
        stored = await asyncio.to_thread(self.inbox.add, CHANNEL, items) if items else []
        if stored and self.worker is not None:
            self.worker.wake()
        for status in batch.statuses:
            if status.status == "failed":
                log.warning("whatsapp message delivery failed", extra={
                    "wamid": status.id, "codes": [e.code for e in status.errors]})
        if batch.foreign:
            log.info("whatsapp notifications for another phone number ignored", extra={"count": batch.foreign})
        return JSONResponse({"status": "accepted", "stored": len(stored),
                             "duplicates": len(items) - len(stored)})

    def _reject(self, status: int, code: str, message: str, **extra: Any) -> JSONResponse:
        self._metrics.rejected.labels(CHANNEL, code).inc()
        log.warning("whatsapp request refused", extra={"status": status, "reason": code})
        return JSONResponse({"error": code, "message": message, **extra}, status_code=status)


def build_whatsapp_channel(container: Container, rate_limiter: RateLimiter | None = None) -> WhatsAppChannel | None:
    """The WhatsApp channel when it is configured, else ``None`` (with a warning if half-configured)."""
    s = container.settings
    needed = {"TRADEBOT_WHATSAPP_APP_SECRET": s.whatsapp_app_secret,
              "TRADEBOT_WHATSAPP_ACCESS_TOKEN": s.whatsapp_access_token,
              "TRADEBOT_WHATSAPP_PHONE_NUMBER_ID": s.whatsapp_phone_number_id}
    missing = [name for name, value in needed.items() if not value]
    if len(missing) == len(needed):
        return None
    if missing:
        log.warning("WhatsApp channel disabled: set " + ", ".join(missing))
        return None
    if not s.whatsapp_verify_token:
        log.warning("TRADEBOT_WHATSAPP_VERIFY_TOKEN is not set: Meta cannot verify the webhook")
    # a template setting (e.g. TRADEBOT_WHATSAPP_TEMPLATE) is picked up once the settings have one
    return WhatsAppChannel(container, rate_limiter=rate_limiter, template=getattr(s, "whatsapp_template", None))
