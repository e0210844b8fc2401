"""The generic REST channel: ``POST /webhooks/rest`` and polling for out-of-band messages."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import httpx

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.channels.http_body import BodyTooLarge, read_capped
from bot.channels.outbox_pusher import OutboxPusher
from bot.channels.rate_limit import RateLimiter
from bot.channels.rest_push import RestCallbackSender
from bot.channels.signing import verify
from bot.conversation import ConversationService
from bot.messages import InboundMessage
from bot.metrics import Metrics
from bot.store.outbox import OutboxStore

log = logging.getLogger(__name__)
CHANNEL = "rest"
SIGNATURE_HEADER = "X-Tradebot-Signature"


class RestMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")
    locale: str | None = Field(None, max_length=35)


class RestInbound(BaseModel):
    """Body of ``POST /webhooks/rest``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)
    sender: str = Field(..., min_length=1, max_length=200, pattern=r"^[^\x00-\x1f/]+$")
    message: str = Field(..., min_length=1)
    message_id: str | None = Field(None, min_length=1, max_length=200)
    metadata: RestMetadata = Field(default_factory=RestMetadata)


def error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status)


class RestChannel:
    """Builds the REST channel's routes.

    Args:
        service: the conversation core.
        secret: HMAC secret; ``None`` accepts unsigned requests (loopback binds only).
        enabled: ``False`` when the server binds a public address without a secret.
        max_body_bytes: largest accepted request body.
        max_message_chars: longest accepted message text.
        rate_limiter: per-sender limits; over the limit a request gets 429 and ``Retry-After``.
    """

    name = CHANNEL

    def __init__(self, service: ConversationService, metrics: Metrics, *, secret: str | None,
                 enabled: bool, max_body_bytes: int, max_message_chars: int,
                 outbox: OutboxStore | None = None, callback_url: str | None = None,
                 rate_limiter: RateLimiter | None = None) -> None:
        self._limiter = rate_limiter
        self._outbox = outbox
        self._callback_url = callback_url
        self._client: httpx.AsyncClient | None = None
        self._task: asyncio.Task | None = None
        self._service = service
        self._metrics = metrics
        self._secret = secret
        self._enabled = enabled
        self._max_body = max_body_bytes
        self._max_chars = max_message_chars

    async def start(self) -> None:
        """Push out-of-band messages to the callback URL, when one is configured."""
        if self._callback_url and self._outbox is not None:
            self._client = httpx.AsyncClient(timeout=10)
            sender = RestCallbackSender(self._client, self._callback_url, self._secret)
            self._task = asyncio.create_task(OutboxPusher(self._outbox, CHANNEL, sender).run(),
                                             name="rest-callback-pusher")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client:
            await self._client.aclose()

    def router(self) -> APIRouter:
        router = APIRouter(tags=["rest channel"])
        router.add_api_route("/webhooks/rest", self.receive, methods=["POST"],
                             summary="Send one merchant message; returns the turn JSON",
                             openapi_extra={"requestBody": {"required": True, "content": {
                                 "application/json": {"schema": RestInbound.model_json_schema()}}}})
        router.add_api_route("/webhooks/rest/{sender}/messages", self.poll, methods=["GET"],
                             summary="Messages that reached a REST user outside a request")
        return router

    async def receive(self, request: Request) -> JSONResponse:
        refused = self._refuse_if_disabled()
        if refused:
            return refused
        try:
            raw = await read_capped(request, self._max_body)
        except BodyTooLarge:
            return self._reject(413, "body_too_large", f"request body exceeds {self._max_body} bytes")
        if self._secret is not None and not verify(self._secret, raw, request.headers.get(SIGNATURE_HEADER)):
            reason = "unsigned" if not request.headers.get(SIGNATURE_HEADER) else "bad_signature"
            return self._reject(401, reason, f"missing or invalid {SIGNATURE_HEADER} header")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return self._reject(400, "malformed_json", "request body is not valid JSON")
        try:
            body = RestInbound.model_validate(data)
        except ValidationError as exc:
            problems = [{"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
                        for e in exc.errors(include_url=False, include_input=False)]
            return self._reject(422, "invalid_request", "request body does not match the schema",
                                problems=problems)
        if len(body.message) > self._max_chars:
            return self._reject(413, "message_too_long", f"message exceeds {self._max_chars} characters")
        if not body.message.strip():
            return self._reject(422, "invalid_request", "message is empty")
        limited = self._limiter.check(CHANNEL, body.sender) if self._limiter is not None else None
        if limited is not None and not limited.allowed:
            response = self._reject(429, "rate_limited", "too many messages from this sender; retry later",
                                    retry_after=limited.retry_after)
            response.headers["Retry-After"] = str(limited.retry_after)
            return response
        metadata = body.metadata.model_dump(exclude_none=True)
        msg = InboundMessage(channel=CHANNEL, sender=body.sender, text=body.message,
                             message_id=body.message_id, locale=body.metadata.locale,
                             metadata={k: v for k, v in metadata.items() if k != "locale"})
        turn = await self._service.handle(msg)
        return JSONResponse(turn.to_json())

    async def poll(self, sender: str, request: Request, after: int = 0) -> JSONResponse:
        refused = self._refuse_if_disabled()
        if refused:
            return refused
        if self._secret is not None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            if not verify(self._secret, target.encode(), request.headers.get(SIGNATURE_HEADER)):
                return self._reject(401, "bad_signature",
                                    f"sign the path and query with {SIGNATURE_HEADER} for GET requests")
        store = self._service.store
        snap = await asyncio.to_thread(store.find, CHANNEL, sender)
        if snap is None:
            return JSONResponse({"messages": []})
        entries = await asyncio.to_thread(store.transcript, snap.id, after_id=max(after, 0),
                                          out_of_band_only=True)
        return JSONResponse({"messages": [
            {"id": e.id, "text": e.text, "from": e.author, "buttons": e.payload.get("buttons", []),
             "created_at": e.created_at.isoformat()} for e in entries]})

    def _refuse_if_disabled(self) -> JSONResponse | None:
        if self._enabled:
            return None
        return self._reject(403, "channel_disabled",
                            "the REST channel needs TRADEBOT_WEBHOOK_SECRET when the server is not on loopback")

    def _reject(self, status: int, code: str, message: str, **extra: Any) -> JSONResponse:
        self._metrics.rejected.labels(CHANNEL, code).inc()
        log.warning("rest request refused", extra={"status": status, "reason": code})
        return error(status, code, message, **extra)
