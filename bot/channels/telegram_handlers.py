"""The PTB handlers: Telegram updates in, the core's turns out — one set for polling and webhook.

Group -1 claims the update in the inbox (a duplicate stops here), group 0 translates and
answers, group 1 marks the update done; the error handler decides between retrying later
and giving up. Core logic never lives here: every text goes to ``ConversationService``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence

from telegram import Bot, Message, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application, ApplicationHandlerStop, CallbackQueryHandler, ContextTypes, MessageHandler, TypeHandler,
    filters,
)

from bot.channels.telegram_commands import addresses_bot
from bot.channels.telegram_inbound import CHANNEL, from_callback, from_text
from bot.channels.telegram_render import (
    MAX_MESSAGE, OutgoingMessage, chosen_suffix, long_payloads, render, utf16_len, with_sources,
)
from bot.channels.telegram_store import CALLBACK_KEY_PREFIX, Claim, TelegramStore
from bot.conversation import ConversationService
from bot.i18n import Translator, normalize_language
from bot.messages import InboundMessage
from bot.metrics import Metrics

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
TYPING_REFRESH = 4.0  # Telegram shows "typing…" for about 5 s


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" in ``chat_id`` until the block ends (a lost indicator is harmless)."""
    async def refresh() -> None:
        while True:
            await asyncio.sleep(TYPING_REFRESH)
            with contextlib.suppress(TelegramError):
                await bot.send_chat_action(chat_id, ChatAction.TYPING)

    with contextlib.suppress(TelegramError):
        await bot.send_chat_action(chat_id, ChatAction.TYPING)
    task = asyncio.create_task(refresh(), name=f"telegram-typing-{chat_id}")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class TelegramHandlers:
    """Registers the handlers on a PTB :class:`~telegram.ext.Application`.

    Args:
        service: the conversation core.
        inbox: the durable update inbox and button-key store.
        translator: texts the channel itself says (unsupported content, expired buttons).
        default_language: language of those texts when nothing is known about the user.
        metrics: counters to update.
    """

    def __init__(self, service: ConversationService, inbox: TelegramStore, translator: Translator, *,
                 default_language: str = "en", metrics: Metrics | None = None) -> None:
        self._service = service
        self._inbox = inbox
        self._translator = translator
        self._default_language = default_language
        self._metrics = metrics
        self._claims: dict[int, Claim] = {}

    def register(self, app: Application) -> None:
        """Add the handlers (groups -1, 0, 1) and the error handler to ``app``."""
        private, message = filters.ChatType.PRIVATE, filters.UpdateType.MESSAGE
        app.add_handler(TypeHandler(Update, self.claim), group=-1)
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, self.on_edited))
        app.add_handler(MessageHandler(message & ~private, self.on_group))
        app.add_handler(MessageHandler(message & filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(message & ~filters.StatusUpdate.ALL, self.on_unsupported))
        app.add_handler(TypeHandler(Update, self.finish), group=1)
        app.add_error_handler(self.on_error)

    # -- exactly once --------------------------------------------------------------------
    async def claim(self, update: Update, _context: Context) -> None:
        """Take the update from the inbox; stop here if it is done or being processed."""
        claim = await asyncio.to_thread(self._inbox.claim, update.update_id)
        if claim is None and await asyncio.to_thread(self._inbox.status_of, update.update_id) is None:
            # not recorded yet (e.g. handed to process_update directly): record, then claim
            await asyncio.to_thread(self._inbox.record, [update.to_dict()])
            claim = await asyncio.to_thread(self._inbox.claim, update.update_id)
        if claim is None:
            if self._metrics:
                self._metrics.duplicates.labels(CHANNEL).inc()
            log.info("telegram update already handled", extra={"update_id": update.update_id})
            raise ApplicationHandlerStop
        self._claims[update.update_id] = claim

    async def finish(self, update: Update, _context: Context) -> None:
        """Mark the update done once every handler ran without error."""
        self._claims.pop(update.update_id, None)
        await asyncio.to_thread(self._inbox.finish, update.update_id)

    async def on_error(self, update: object, context: Context) -> None:
        """Transient failures are retried later; refusals by Telegram are not."""
        error = context.error
        if not isinstance(update, Update):
            log.error("telegram error outside an update", exc_info=error)
            return
        update_id = update.update_id
        self._claims.pop(update_id, None)
        if isinstance(error, Forbidden):  # the user blocked the bot: nobody to answer
            log.info("telegram refused delivery", extra={"update_id": update_id, "error": str(error)})
            await asyncio.to_thread(self._inbox.finish, update_id, error=str(error))
        elif isinstance(error, BadRequest):
            log.error("telegram rejected a reply", extra={"update_id": update_id}, exc_info=error)
            await asyncio.to_thread(self._inbox.finish, update_id, status="failed", error=str(error))
        else:
            log.warning("telegram update failed; will retry", extra={"update_id": update_id}, exc_info=error)
            await asyncio.to_thread(self._inbox.release, update_id, repr(error))
        raise ApplicationHandlerStop

    # -- handlers ------------------------------------------------------------------------
    async def on_text(self, update: Update, context: Context) -> None:
        """A private text or command: to the core, and its replies back."""
        msg = from_text(update, context.bot.username)
        if msg is not None:
            await self._converse(update, context.bot, msg)

    async def on_button(self, update: Update, context: Context) -> None:
        """A button press: answer the query, note the choice, send the payload to the core."""
        query = update.callback_query
        data = query.data or ""
        payload: str | None = data
        if data.startswith(CALLBACK_KEY_PREFIX):
            payload = await asyncio.to_thread(self._inbox.callback_payload, data)
        if not payload:  # an unknown key, or a button we never made
            language = await self._language(update)
            await self._answer(query, self._translator.text("telegram.button_expired", language))
            return
        await self._answer(query)
        await self._note_choice(update, context.bot)
        msg = from_callback(update, payload)
        if msg is not None:
            await self._converse(update, context.bot, msg)

    async def on_edited(self, update: Update, context: Context) -> None:
        """An edited private message: say that only new messages are read."""
        await self._say(update, context.bot, "telegram.edited")

    async def on_unsupported(self, update: Update, context: Context) -> None:
        """Photos, stickers, voice and other non-text content: a polite reply."""
        await self._say(update, context.bot, "telegram.unsupported")

    async def on_group(self, update: Update, context: Context) -> None:
        """Groups: point people to a private chat when they address us; ignore the rest."""
        message = update.effective_message
        if addresses_bot(message.text or message.caption, context.bot.username):
            await self._say(update, context.bot, "telegram.group_only",
                            link=f"https://t.me/{context.bot.username}")

    # -- helpers -------------------------------------------------------------------------
    async def _converse(self, update: Update, bot: Bot, msg: InboundMessage) -> None:
        chat_id = int(msg.sender)
        async with typing(bot, chat_id):
            turn = await self._service.handle(msg)
            label = self._translator.text("telegram.sources", turn.language)
            replies = with_sources(turn.replies, turn.sources, label)
            payloads = long_payloads(replies)
            keys = await asyncio.to_thread(self._inbox.callback_keys, payloads) if payloads else {}
        await self._send(update, bot, chat_id, render(replies, keys))

    async def _say(self, update: Update, bot: Bot, key: str, **values: object) -> None:
        language = await self._language(update)
        text = self._translator.text(key, language, **values)
        await self._send(update, bot, update.effective_chat.id, [OutgoingMessage(text)])

    async def _send(self, update: Update, bot: Bot, chat_id: int, messages: Sequence[OutgoingMessage]) -> None:
        """Send in order, skipping what an interrupted earlier attempt already delivered."""
        claim = self._claims.get(update.update_id)
        already = claim.sent if claim else 0
        for index, message in enumerate(messages):
            if index < already:
                continue
            await bot.send_message(chat_id, message.text, reply_markup=message.markup)
            if index < len(messages) - 1:  # the last one is covered by marking the update done
                await asyncio.to_thread(self._inbox.progress, update.update_id, index + 1)

    async def _language(self, update: Update) -> str:
        user = update.effective_user
        chat = update.effective_chat
        if chat is not None:
            snap = await asyncio.to_thread(self._service.store.find, CHANNEL, str(chat.id))
            if snap is not None and snap.language:
                return snap.language
        return normalize_language(user.language_code if user else None) or self._default_language

    @staticmethod
    async def _answer(query, text: str | None = None) -> None:  # noqa: ANN001
        try:
            await query.answer(text)
        except TelegramError as exc:  # e.g. too old after a restart: the press is still handled
            log.info("could not answer callback query", extra={"error": str(exc)})

    @staticmethod
    async def _note_choice(update: Update, bot: Bot) -> None:
        """Remove the keyboard from the message and note the choice under it."""
        query = update.callback_query
        message = query.message
        if not isinstance(message, Message) or message.text is None:
            return
        title = chosen_suffix(message.reply_markup, query.data)
        try:
            if title and utf16_len(message.text) + utf16_len(title) + 3 <= MAX_MESSAGE:
                await bot.edit_message_text(f"{message.text}\n\n» {title}", chat_id=message.chat_id,
                                            message_id=message.message_id, reply_markup=None)
            else:
                await bot.edit_message_reply_markup(chat_id=message.chat_id, message_id=message.message_id,
                                                    reply_markup=None)
        except TelegramError as exc:  # too old, or already edited by an earlier attempt
            log.info("could not edit the pressed message", extra={"error": str(exc)})
