"""Rendering the core's replies as WhatsApp Cloud API ``/messages`` request bodies.

Buttons become interactive reply buttons (at most 3, titles of at most 20 characters) or,
for more choices, list messages (at most 10 rows each, row titles of at most 24
characters). A reply's button payload travels as the button or row id and comes back as
the text of the merchant's answer, so meaning survives the rendering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.messages import Button, Reply

TEXT_MAX = 4096
BODY_MAX = 1024
MAX_BUTTONS = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
MAX_ROWS = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
LIST_BUTTON_MAX = 20
TEMPLATE_PARAM_MAX = 1024


@dataclass(frozen=True)
class Labels:
    """Localized texts the renderer needs.

    Attributes:
        options: the label of the button that opens a list (e.g. "Options").
        choose: body of an interactive message whose text was sent separately.
    """

    options: str
    choose: str


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, marking the cut with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int = TEXT_MAX) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters, at paragraph or line breaks
    when possible."""
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(". "), window.rfind(" "))
        cut = cut if cut > limit // 2 else limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def text_message(to: str, text: str) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
            "type": "text", "text": {"body": text, "preview_url": False}}


def template_message(to: str, name: str, language: str, text: str) -> dict[str, Any]:
    """A template message with one body parameter (``{{1}}``) carrying ``text``.

    Template parameters may not contain newlines, tabs or runs of spaces.
    """
    param = shorten(re.sub(r"\s+", " ", text), TEMPLATE_PARAM_MAX)
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
            "type": "template", "template": {
                "name": name, "language": {"code": language},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": param}]}]}}


def render_reply(reply: Reply, to: str, labels: Labels) -> list[dict[str, Any]]:
    """The request bodies for one reply, in sending order."""
    buttons = _unique(reply.buttons)
    if not buttons:
        return [text_message(to, chunk) for chunk in split_text(reply.text)]
    if any(len(b.payload) > ROW_ID_MAX or not b.payload.strip() for b in buttons):
        # ids cannot carry such payloads: show the choices as text the merchant can type
        options = "\n".join(f"• {b.title}" for b in buttons)
        return [text_message(to, c) for c in split_text(f"{reply.text}\n\n{options}".strip())]
    bodies: list[dict[str, Any]] = []
    body = reply.text.strip()
    if not body or len(body) > BODY_MAX:
        bodies.extend(text_message(to, chunk) for chunk in split_text(body))
        body = labels.choose
    if len(buttons) <= MAX_BUTTONS:
        bodies.append(_buttons_message(to, body, buttons))
        return bodies
    for start in range(0, len(buttons), MAX_ROWS):
        bodies.append(_list_message(to, body if start == 0 else labels.choose,
                                    buttons[start:start + MAX_ROWS], labels.options))
    return bodies


def _buttons_message(to: str, body: str, buttons: list[Button]) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
            "type": "interactive", "interactive": {
                "type": "button", "body": {"text": body},
                "action": {"buttons": [
                    {"type": "reply", "reply": {"id": b.payload, "title": shorten(b.title or b.payload, BUTTON_TITLE_MAX)}}
                    for b in buttons]}}}


def _list_message(to: str, body: str, buttons: list[Button], label: str) -> dict[str, Any]:
    rows = []
    for b in buttons:
        title = b.title or b.payload
        row = {"id": b.payload, "title": shorten(title, ROW_TITLE_MAX)}
        if row["title"] != " ".join(title.split()):
            row["description"] = shorten(title, ROW_DESCRIPTION_MAX)
        rows.append(row)
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
            "type": "interactive", "interactive": {
                "type": "list", "body": {"text": body},
                "action": {"button": shorten(label, LIST_BUTTON_MAX), "sections": [{"rows": rows}]}}}


def _unique(buttons: tuple[Button, ...]) -> list[Button]:
    """Buttons with distinct payloads (WhatsApp rejects duplicate ids), in order."""
    seen: set[str] = set()
    out = []
    for b in buttons:
        if b.payload not in seen:
            seen.add(b.payload)
            out.append(b)
    return out
