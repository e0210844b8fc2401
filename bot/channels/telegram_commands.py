"""The bot's command menu (``setMyCommands`` per language) and command-text normalization."""

from __future__ import annotations

import logging
import re

from telegram import Bot, BotCommand
from telegram.error import TelegramError

from bot.i18n import Translator
from bot.settings import SUPPORTED_LANGUAGES

log = logging.getLogger(__name__)
COMMANDS = ("start", "help", "lang", "human", "cancel", "status")
_ADDRESSED = re.compile(r"^/([A-Za-z0-9_]{1,32})@([A-Za-z0-9_]{3,64})(?=\s|$)")


def menu(translator: Translator, language: str) -> list[BotCommand]:
    """The command menu with descriptions in ``language``."""
    return [BotCommand(name, translator.text(f"telegram.command.{name}", language)) for name in COMMANDS]


async def publish_menu(bot: Bot, translator: Translator, default_language: str) -> bool:
    """Set the menu for every supported language, and the default one for all others.

    Returns ``False`` (after logging) when Telegram refused; the bot works without a menu.
    """
    try:
        for language in SUPPORTED_LANGUAGES:
            await bot.set_my_commands(menu(translator, language), language_code=language)
        await bot.set_my_commands(menu(translator, default_language))
    except TelegramError as exc:
        log.warning("could not publish the command menu", extra={"error": str(exc)})
        return False
    return True


def normalize_command(text: str, bot_username: str | None) -> str | None:
    """Strip ``@botname`` from a command meant for us.

    Returns the text to hand to the core, or ``None`` when the command names another bot
    (in a group, ``/start@otherbot`` is not for us).
    """
    match = _ADDRESSED.match(text)
    if not match:
        return text
    if bot_username and match.group(2).lower() != bot_username.lower():
        return None
    return f"/{match.group(1)}{text[match.end():]}"


def addresses_bot(text: str | None, bot_username: str | None) -> bool:
    """In a group: does this message speak to us (``/cmd@us``, a bare command, or ``@us``)?"""
    if not text:
        return False
    if text.startswith("/"):
        return normalize_command(text, bot_username) is not None
    return bool(bot_username) and f"@{bot_username}".lower() in text.lower()
