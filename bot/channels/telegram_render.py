"""The core's replies as Telegram messages: plain text split under the length limit,
buttons as inline keyboards with callback data that fits Telegram's 64 bytes.

Messages are sent without a parse mode, so no text ever needs escaping and a stray ``*``
or ``<`` in an answer cannot make Telegram reject it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.telegram_store import CALLBACK_KEY_PREFIX
from bot.messages import Button, Reply, Source

MAX_MESSAGE = 4096  # Telegram's limit, counted in UTF-16 code units
MAX_CALLBACK_DATA = 64  # bytes
EMPTY_TEXT = "…"
# Preferred places to cut a long text, best first.
_BOUNDARIES = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?;:])\s+|(?<=[。！？；])"),
               re.compile(r"\s+"))


@dataclass(frozen=True)
class OutgoingMessage:
    """One ``sendMessage`` call."""

    text: str
    markup: InlineKeyboardMarkup | None = None


def utf16_len(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def _prefix_within(text: str, limit: int) -> int:
    """The number of characters of ``text`` that fit in ``limit`` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` UTF-16 units.

    Cuts at a paragraph break if one lies in the last 70% of the window, else at a line
    break, a sentence end, a space, and only as a last resort mid-word.
    """
    chunks: list[str] = []
    rest = text.strip()
    while utf16_len(rest) > limit:
        window = max(1, _prefix_within(rest, limit))
        cut, resume = window, window
        for pattern in _BOUNDARIES:
            found = [m for m in pattern.finditer(rest, 0, window + 1) if m.start() >= window * 0.3]
            if found:
                cut, resume = found[-1].start(), found[-1].end()
                break
        chunk = rest[:cut].rstrip()
        if chunk:
            chunks.append(chunk)
        rest = rest[max(resume, 1):].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def long_payloads(replies: Iterable[Reply]) -> list[str]:
    """Button payloads that cannot travel as ``callback_data`` themselves."""
    return sorted({b.payload for r in replies for b in r.buttons if not fits_callback(b.payload)})


def fits_callback(payload: str) -> bool:
    """Whether ``payload`` can be the callback data itself (short, and not mistaken for a key)."""
    return (len(payload.encode("utf-8")) <= MAX_CALLBACK_DATA
            and not payload.startswith(CALLBACK_KEY_PREFIX) and bool(payload))


def keyboard(buttons: Sequence[Button], keys: Mapping[str, str]) -> InlineKeyboardMarkup:
    """An inline keyboard: short titles share a row, long ones get a row each."""
    widest = max(len(b.title) for b in buttons)
    per_row = 3 if widest <= 12 else 2 if widest <= 20 else 1
    cells = [InlineKeyboardButton(b.title, callback_data=b.payload if fits_callback(b.payload) else keys[b.payload])
             for b in buttons]
    return InlineKeyboardMarkup([cells[i:i + per_row] for i in range(0, len(cells), per_row)])


def with_sources(replies: Sequence[Reply], sources: Sequence[Source], label: str) -> list[Reply]:
    """Append the cited sources to the last reply unless the replies already name them."""
    replies = list(replies)
    if not sources or not replies:
        return replies
    text = "\n".join(r.text for r in replies)
    if any(s.title and s.title in text for s in sources):
        return replies
    titles = "\n".join(f"• {s.title or s.id}" for s in sources)
    last = replies[-1]
    replies[-1] = Reply(f"{last.text}\n\n{label}\n{titles}", last.buttons)
    return replies


def render(replies: Sequence[Reply], keys: Mapping[str, str] | None = None) -> list[OutgoingMessage]:
    """Telegram messages for ``replies``; a reply's buttons go with its last chunk.

    Args:
        replies: the core's replies, in order.
        keys: stored keys for the payloads listed by :func:`long_payloads`.
    """
    keys = keys or {}
    out: list[OutgoingMessage] = []
    for reply in replies:
        chunks = split_text(reply.text) or ([EMPTY_TEXT] if reply.buttons else [])
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            markup = keyboard(reply.buttons, keys) if last and reply.buttons else None
            out.append(OutgoingMessage(chunk, markup))
    return out


def chosen_suffix(markup: InlineKeyboardMarkup | None, data: str | None) -> str | None:
    """The title of the pressed button in ``markup`` (to note the choice under the message)."""
    if markup is None or data is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None
