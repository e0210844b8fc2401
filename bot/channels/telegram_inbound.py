"""Telegram updates → the core's :class:`~bot.messages.InboundMessage` (pure functions)."""

from __future__ import annotations

from typing import Any

from telegram import Update, User

from bot.channels.telegram_commands import normalize_command
from bot.messages import InboundMessage

CHANNEL = "telegram"


def message_key(update: Update) -> str:
    """The core's dedupe key for an update."""
    return f"tg:{update.update_id}"


def chat_id_of(update: Update) -> int | None:
    """The chat to answer in (for a button press: the chat of the message it sits under)."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    query = update.callback_query
    if query is not None and query.from_user is not None:
        return query.from_user.id  # a private chat's id is the user's id
    return None


def _metadata(user: User | None) -> dict[str, Any]:
    if user is None:
        return {}
    meta: dict[str, Any] = {"first_name": user.first_name, "telegram_user_id": user.id}
    if user.username:
        meta["username"] = user.username
    return meta


def from_text(update: Update, bot_username: str | None) -> InboundMessage | None:
    """A private text message (or command); ``None`` if it is not for us."""
    message = update.effective_message
    chat_id = chat_id_of(update)
    if message is None or message.text is None or chat_id is None:
        return None
    text = normalize_command(message.text, bot_username)
    if text is None or not text.strip():
        return None
    user = update.effective_user
    return InboundMessage(channel=CHANNEL, sender=str(chat_id), text=text, message_id=message_key(update),
                          locale=user.language_code if user else None, metadata=_metadata(user))


def from_callback(update: Update, payload: str) -> InboundMessage | None:
    """A button press: its payload becomes the message text."""
    query = update.callback_query
    chat_id = chat_id_of(update)
    if query is None or chat_id is None:
        return None
    user = query.from_user
    return InboundMessage(channel=CHANNEL, sender=str(chat_id), text=payload, message_id=message_key(update),
                          locale=user.language_code if user else None,
                          metadata={**_metadata(user), "button": True})
