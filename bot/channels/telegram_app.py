"""Building the one PTB :class:`~telegram.ext.Application` the Telegram channel runs.

Two small extensions of PTB make polling lossless and concurrent without reordering:

* :class:`InboxBot` records every update ``getUpdates`` returns in the inbox before PTB's
  ``Updater`` confirms it with the next offset — so an update fetched but not yet
  processed when the process dies is still there after a restart.
* :class:`ChatOrderedUpdateProcessor` processes updates of different chats concurrently
  and those of one chat strictly in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.error import NetworkError
from telegram.ext import AIORateLimiter, Application, BaseUpdateProcessor, ExtBot
from telegram.request import HTTPXRequest

from bot.channels.telegram_store import TelegramStore
from bot.locks import KeyedLocks

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")


class InboxBot(ExtBot):
    """An :class:`~telegram.ext.ExtBot` whose ``get_updates`` stores what it fetched.

    Args:
        inbox: where fetched updates are recorded.
        **kwargs: passed to :class:`~telegram.ext.ExtBot`.
    """

    __slots__ = ("_inbox",)

    def __init__(self, *, inbox: TelegramStore, **kwargs: Any) -> None:
        self._inbox = inbox
        super().__init__(**kwargs)

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """``getUpdates``, then record the updates (raising ``NetworkError`` if that fails,
        so the ``Updater`` fetches them again instead of confirming them)."""
        updates = await super().get_updates(*args, **kwargs)
        if updates:
            try:
                fresh = await asyncio.to_thread(self._inbox.record, [u.to_dict() for u in updates])
            except Exception as exc:  # not recorded → not confirmed: the Updater retries the fetch
                raise NetworkError(f"could not record fetched updates: {exc}") from exc
            if len(fresh) < len(updates):
                log.info("telegram re-delivered known updates",
                         extra={"fetched": len(updates), "new": len(fresh)})
        return updates


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Up to ``max_concurrent_updates`` at once, but one chat's updates in arrival order."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks = KeyedLocks()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run ``coroutine`` once the chat's earlier updates are done."""
        key: object = None
        if isinstance(update, Update):
            chat = update.effective_chat
            user = update.effective_user
            key = chat.id if chat else user.id if user else update.update_id
        async with self._locks.hold(("telegram", key)):
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def build_application(*, token: str, api_url: str, inbox: TelegramStore, polling: bool,
                      concurrency: int = 16, rate_limit: bool = True) -> Application:
    """The channel's PTB application (no network I/O until it is initialized).

    Args:
        token: the bot token.
        api_url: the Bot API base URL in PTB's ``base_url`` form (token and method appended).
        inbox: the update inbox.
        polling: build an ``Updater`` for ``getUpdates``; webhook mode feeds the queue itself.
        concurrency: updates processed at once (different chats only).
        rate_limit: throttle outbound calls within Telegram's limits (``AIORateLimiter``).
    """
    bot = InboxBot(
        inbox=inbox, token=token, base_url=api_url,
        request=HTTPXRequest(connection_pool_size=concurrency + 8, connect_timeout=10, read_timeout=15,
                             write_timeout=15, pool_timeout=10),
        get_updates_request=HTTPXRequest(connection_pool_size=2, connect_timeout=10, read_timeout=10),
        rate_limiter=AIORateLimiter(max_retries=3) if rate_limit else None,
    )
    builder = Application.builder().bot(bot).concurrent_updates(ChatOrderedUpdateProcessor(concurrency))
    if not polling:
        builder = builder.updater(None)
    return builder.build()
