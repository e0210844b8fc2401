"""The Telegram channel: one PTB application, fed by polling or by ``POST /webhooks/telegram``.

Wiring (``TelegramChannel.start``, run by the web app's lifespan): build the application,
then in the background — so the HTTP server does not wait on Telegram — initialize it
(``getMe``, retried until Telegram answers), publish the localized command menu, call
``setWebhook`` (webhook mode; PTB does not when it has no updater), re-queue updates a
previous process recorded but did not finish, start processing, and start polling
(polling mode). Out-of-band messages (staff replies) go out through an
:class:`~bot.channels.outbox_pusher.OutboxPusher` for channel ``telegram``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from telegram import Update
from telegram.error import BadRequest, InvalidToken, TelegramError
from telegram.ext import Application

from bot.bootstrap import Container
from bot.channels.http_body import BodyTooLarge, read_capped
from bot.channels.outbox_pusher import OutboxPusher
from bot.channels.telegram_app import ALLOWED_UPDATES, build_application
from bot.channels.telegram_commands import publish_menu
from bot.channels.telegram_handlers import TelegramHandlers
from bot.channels.telegram_inbound import CHANNEL
from bot.channels.telegram_render import long_payloads, render
from bot.channels.telegram_store import TelegramStore
from bot.messages import Reply
from bot.settings import SettingsError
from bot.store.outbox import PendingDelivery

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_PATH = "/webhooks/telegram"


class TelegramChannel:
    """Serves Telegram users (a :class:`~bot.channels.base.WebChannel`).

    Args:
        container: the wired application (core service, database, outbox, metrics).
        poll_timeout: long-polling timeout of ``getUpdates`` in seconds (default: the class
            attribute of the same name).
        lease: seconds a claimed update may stay unfinished before another attempt
            (default: ``lease_seconds``).
        sweep_interval: how often to look for unfinished updates, in seconds.
    """

    name = CHANNEL

    poll_timeout = 25
    lease_seconds = 120.0
    sweep_interval = 15.0

    def __init__(self, container: Container, *, poll_timeout: int | None = None, lease: float | None = None,
                 sweep_interval: float | None = None) -> None:
        settings = container.settings
        if settings.telegram_token is None:
            raise SettingsError("TRADEBOT_TELEGRAM_TOKEN is not set")
        self._token = settings.telegram_token.get_secret_value().strip()
        bot_id = self._token.split(":", 1)[0]
        if not bot_id.isdigit():
            raise SettingsError("TRADEBOT_TELEGRAM_TOKEN does not look like a bot token (<id>:<secret>)")
        self._webhook_url = settings.telegram_webhook_url
        self._secret = settings.telegram_secret.get_secret_value() if settings.telegram_secret else None
        if self._webhook_url and not self._secret:
            raise SettingsError("TRADEBOT_TELEGRAM_WEBHOOK_URL needs TRADEBOT_TELEGRAM_SECRET: "
                                "without it anyone could post updates to /webhooks/telegram")
        if self._secret is not None and not _SECRET_RE.fullmatch(self._secret):
            raise SettingsError("TRADEBOT_TELEGRAM_SECRET may only use A-Z, a-z, 0-9, _ and - "
                                "(1-256 characters), as Telegram's setWebhook requires")
        self._api_url = settings.telegram_api_url
        self._container = container
        self._lease = timedelta(seconds=lease if lease is not None else self.lease_seconds)
        self._inbox = TelegramStore(container.engine, lease=self._lease)
        self._poll_timeout = poll_timeout if poll_timeout is not None else self.poll_timeout
        self._sweep_interval = sweep_interval if sweep_interval is not None else self.sweep_interval
        self._max_body = settings.max_body_bytes
        self._app: Application | None = None
        self._tasks: list[asyncio.Task] = []
        self.ready = asyncio.Event()

    @property
    def polling(self) -> bool:
        """Whether updates come from ``getUpdates`` (no webhook URL configured)."""
        return not self._webhook_url

    @property
    def application(self) -> Application | None:
        """The PTB application, once :meth:`start` built it."""
        return self._app

    # -- lifecycle ---------------------------------------------------------------------
    async def start(self) -> None:
        """Build the application and bring it up in the background."""
        await asyncio.to_thread(self._inbox.create_tables)
        c = self._container
        self._app = build_application(token=self._token, api_url=self._api_url, inbox=self._inbox,
                                      polling=self.polling)
        TelegramHandlers(c.service, self._inbox, c.translator, default_language=c.settings.default_locale,
                         metrics=c.metrics).register(self._app)
        self._tasks.append(asyncio.create_task(self._bring_up(), name="telegram-bring-up"))

    async def stop(self) -> None:
        """Stop fetching, finish the updates already queued, then shut down."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task  # the tasks log their own failures and never raise
        self._tasks.clear()
        app = self._app
        if app is None:
            return
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        with contextlib.suppress(TelegramError, RuntimeError):
            await app.shutdown()

    async def _bring_up(self) -> None:
        try:
            await self._bring_up_steps()
        except Exception:  # the HTTP service keeps running; recorded updates wait in the inbox
            log.exception("telegram channel failed to start")

    async def _bring_up_steps(self) -> None:
        app = self._app
        assert app is not None
        delay = 1.0
        while True:
            try:
                await app.initialize()
                break
            except InvalidToken:
                log.error("Telegram refused the bot token; the Telegram channel stays off")
                return
            except TelegramError as exc:
                log.warning("Telegram not reachable; retrying", extra={"error": str(exc), "retry_in": delay})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
        await publish_menu(app.bot, self._container.translator, self._container.settings.default_locale)
        if not self.polling:
            await self._set_webhook()
        await app.start()
        await self._requeue(startup=True)
        if app.updater is not None:
            await app.updater.start_polling(timeout=self._poll_timeout, allowed_updates=list(ALLOWED_UPDATES),
                                            drop_pending_updates=False, bootstrap_retries=-1)
        pusher = OutboxPusher(self._container.outbox, CHANNEL, self._deliver)
        self._tasks.append(asyncio.create_task(pusher.run(), name="telegram-outbox-pusher"))
        self._tasks.append(asyncio.create_task(self._sweep(), name="telegram-inbox-sweep"))
        log.info("telegram channel running", extra={"mode": "polling" if self.polling else "webhook",
                                                    "bot": app.bot.username})
        self.ready.set()

    async def _set_webhook(self) -> None:
        delay = 1.0
        while True:
            try:
                await self._app.bot.set_webhook(self._webhook_url, secret_token=self._secret,
                                                allowed_updates=list(ALLOWED_UPDATES),
                                                drop_pending_updates=False)
                return
            except BadRequest as exc:  # e.g. not an HTTPS URL: retrying cannot help
                log.error("Telegram refused the webhook URL; no updates will arrive",
                          extra={"error": str(exc), "url": self._webhook_url})
                return
            except TelegramError as exc:
                log.warning("setWebhook failed; retrying", extra={"error": str(exc), "retry_in": delay})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)

    async def _requeue(self, *, startup: bool = False) -> int:
        """Queue updates recorded but never finished (by a dead process, or after a failure).

        At a polling start nothing else can be working on them (Telegram serves one poller),
        so all are taken at once; otherwise only those older than the lease.
        """
        take_over = startup and self.polling
        payloads = await asyncio.to_thread(self._inbox.due, grace=timedelta(0) if take_over else self._lease,
                                           take_over=take_over)
        for payload in payloads:
            await self._app.update_queue.put(Update.de_json(payload, self._app.bot))
        if payloads:
            log.info("re-queued unfinished telegram updates", extra={"count": len(payloads)})
        return len(payloads)

    async def _sweep(self) -> None:
        rounds = 0
        while True:
            await asyncio.sleep(self._sweep_interval)
            try:
                await self._requeue()
                rounds += 1
                if rounds % 240 == 0:
                    await asyncio.to_thread(self._inbox.prune)
            except Exception:  # the next round tries again; the rows stay in the database
                log.exception("telegram inbox sweep failed")

    async def _deliver(self, item: PendingDelivery) -> None:
        """Send one out-of-band message (e.g. a staff reply); raising makes the outbox retry."""
        reply = Reply.from_json({"text": item.text, **item.payload}) if item.payload else Reply(item.text)
        for message in render([reply], await self._keys(reply)):
            await self._app.bot.send_message(int(item.sender), message.text, reply_markup=message.markup)

    async def _keys(self, reply: Reply) -> dict[str, str]:
        payloads = long_payloads([reply])
        return await asyncio.to_thread(self._inbox.callback_keys, payloads) if payloads else {}

    # -- webhook -----------------------------------------------------------------------
    def router(self) -> APIRouter | None:
        """``POST /webhooks/telegram`` in webhook mode; nothing when polling."""
        if self.polling:
            return None
        router = APIRouter(tags=["telegram channel"])
        router.add_api_route(WEBHOOK_PATH, self.receive, methods=["POST"],
                             summary="Telegram webhook (checks X-Telegram-Bot-Api-Secret-Token)")
        return router

    async def receive(self, request: Request) -> JSONResponse:
        """Record the update, queue it, answer 200; Telegram re-sends on anything else."""
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), (self._secret or "").encode()) or not given:
            return self._reject(403, "bad_secret", f"missing or wrong {SECRET_HEADER}")
        try:
            raw = await read_capped(request, self._max_body)
        except BodyTooLarge:
            return self._reject(413, "body_too_large", f"request body exceeds {self._max_body} bytes")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return self._reject(400, "malformed_json", "request body is not valid JSON")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return self._reject(400, "invalid_update", "not a Telegram update")
        if any(not isinstance(v, dict) for k, v in data.items() if k != "update_id"):
            return self._reject(400, "invalid_update", "update fields must be objects")
        if self._app is None:
            return JSONResponse({"error": "starting", "message": "try again"}, status_code=503)
        try:  # parse before storing: a malformed update is refused, not half-recorded
            update = Update.de_json(data, self._app.bot)
            fresh = await asyncio.to_thread(self._inbox.record, [data])
        except (TypeError, ValueError, KeyError, AttributeError):
            return self._reject(400, "invalid_update", "not a valid Telegram update")
        if fresh:
            await self._app.update_queue.put(update)
        else:
            self._container.metrics.duplicates.labels(CHANNEL).inc()
        return JSONResponse({"ok": True})

    def _reject(self, status: int, code: str, message: str) -> JSONResponse:
        self._container.metrics.rejected.labels(CHANNEL, code).inc()
        log.warning("telegram webhook refused", extra={"status": status, "reason": code})
        return JSONResponse({"error": code, "message": message}, status_code=status)
