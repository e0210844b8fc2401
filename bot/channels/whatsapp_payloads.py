"""WhatsApp Cloud API webhook payloads: pydantic models and their translation for the core.

The envelope is validated strictly where we rely on it (types, lengths, identifiers);
fields we do not use are ignored because Meta adds new ones over time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SENDER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:+-]{0,63}$"
ID_PATTERN = r"^[^\x00-\x1f]{1,200}$"
# Reply types that carry text for the core; reactions and system notices are not answered.
IGNORED_TYPES = {"reaction", "system", "ephemeral", "request_welcome"}
# A hint only, used until the merchant's language is known: calling code → language.
_CALLING_CODE_LANGUAGE = {
    "49": "de", "43": "de", "423": "de", "33": "fr", "352": "fr", "221": "fr",
    "225": "fr", "237": "fr", "34": "es", "52": "es", "54": "es", "56": "es", "57": "es",
    "51": "es", "58": "es", "593": "es", "502": "es", "86": "zh", "852": "zh", "853": "zh",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class TextBody(_Model):
    body: str = Field(max_length=65_536)


class ButtonReply(_Model):
    id: str = Field(min_length=1, max_length=256)
    title: str = Field("", max_length=256)


class ListReply(_Model):
    id: str = Field(min_length=1, max_length=256)
    title: str = Field("", max_length=256)
    description: str | None = Field(None, max_length=1024)


class Interactive(_Model):
    type: str = Field(max_length=32)
    button_reply: ButtonReply | None = None
    list_reply: ListReply | None = None


class TemplateButton(_Model):
    payload: str | None = Field(None, max_length=1024)
    text: str = Field("", max_length=1024)


class Message(_Model):
    """One ``messages[]`` item."""

    sender: str = Field(alias="from", pattern=SENDER_PATTERN)
    id: str = Field(pattern=ID_PATTERN)
    timestamp: str | int
    type: str = Field(min_length=1, max_length=32)
    text: TextBody | None = None
    interactive: Interactive | None = None
    button: TemplateButton | None = None

    @model_validator(mode="after")
    def _content_matches_type(self) -> "Message":
        required = {"text": self.text, "interactive": self.interactive, "button": self.button}
        if self.type in required and required[self.type] is None:
            raise ValueError(f"a {self.type!r} message needs a {self.type!r} object")
        if str(self.timestamp).strip() and not str(self.timestamp).isdigit():
            raise ValueError("timestamp must be unix seconds")
        return self

    @property
    def sent_at(self) -> datetime:
        try:
            return datetime.fromtimestamp(min(int(self.timestamp), 32_503_680_000), timezone.utc)
        except (ValueError, OverflowError, OSError):
            return datetime.now(timezone.utc)


class Profile(_Model):
    name: str | None = Field(None, max_length=256)


class Contact(_Model):
    wa_id: str | None = Field(None, max_length=64)
    profile: Profile | None = None


class StatusError(_Model):
    code: int | None = None
    title: str | None = None


class Status(_Model):
    """One ``statuses[]`` item (sent, delivered, read, failed): accepted and logged only."""

    id: str = Field(max_length=256)
    status: str = Field(max_length=32)
    recipient_id: str | None = Field(None, max_length=64)
    errors: list[StatusError] = Field(default_factory=list, max_length=20)


class Metadata(_Model):
    phone_number_id: str = Field(min_length=1, max_length=64)
    display_phone_number: str | None = Field(None, max_length=64)


class Value(_Model):
    """The ``value`` of a change whose ``field`` is ``messages``."""

    messaging_product: Literal["whatsapp"] = "whatsapp"
    metadata: Metadata
    contacts: list[Contact] = Field(default_factory=list, max_length=1000)
    messages: list[Message] = Field(default_factory=list, max_length=1000)
    statuses: list[Status] = Field(default_factory=list, max_length=1000)


class Change(_Model):
    field: str = Field(max_length=64)
    value: dict[str, Any]


class Entry(_Model):
    id: str = Field(max_length=64)
    changes: list[Change] = Field(default_factory=list, max_length=1000)


class Envelope(_Model):
    """Body of ``POST /webhooks/whatsapp``."""

    object: Literal["whatsapp_business_account"]
    entry: list[Entry] = Field(max_length=1000)

    def message_values(self) -> list[Value]:
        """The validated ``messages`` changes (raises ``ValidationError`` on a bad one)."""
        return [Value.model_validate(c.value) for e in self.entry for c in e.changes if c.field == "messages"]


@dataclass(frozen=True)
class IncomingMessage:
    """A message for the inbox: who sent what, and how the core should see it.

    Attributes:
        kind: ``text`` (text or a reply's payload for the core), ``unsupported`` (answer
            politely) or ``ignored`` (reactions, system notices, blank text).
    """

    message_id: str
    sender: str
    sent_at: datetime
    kind: str
    text: str
    profile_name: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def to_inbox(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "profile_name": self.profile_name,
                "type": self.raw.get("type")}


@dataclass
class Batch:
    """What one webhook delivery contains for our phone number."""

    messages: list[IncomingMessage] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    foreign: int = 0


def extract(envelope: Envelope, phone_number_id: str | None) -> Batch:
    """Messages and statuses addressed to ``phone_number_id`` (others are counted, not kept)."""
    batch = Batch()
    for value in envelope.message_values():
        if phone_number_id and value.metadata.phone_number_id != phone_number_id:
            batch.foreign += len(value.messages) + len(value.statuses)
            continue
        names = {c.wa_id: c.profile.name for c in value.contacts if c.wa_id and c.profile}
        for message in value.messages:
            kind, text = interpret(message)
            batch.messages.append(IncomingMessage(
                message_id=message.id, sender=message.sender, sent_at=message.sent_at, kind=kind,
                text=text, profile_name=names.get(message.sender),
                raw=message.model_dump(by_alias=True, exclude_none=True)))
        batch.statuses.extend(value.statuses)
    return batch


def interpret(message: Message) -> tuple[str, str]:
    """``(kind, text)`` of a message: a reply button's or list row's id is its payload."""
    if message.type == "text" and message.text is not None:
        text = message.text.body
    elif message.type == "interactive" and message.interactive is not None:
        reply = message.interactive.button_reply or message.interactive.list_reply
        if reply is None:
            return "unsupported", ""
        text = reply.id
    elif message.type == "button" and message.button is not None:
        text = message.button.payload or message.button.text
    elif message.type in IGNORED_TYPES:
        return "ignored", ""
    else:
        return "unsupported", ""
    return ("text", text) if text.strip() else ("ignored", "")


def locale_hint(sender: str) -> str | None:
    """A language guess from the sender's calling code, used only until the language is known."""
    digits = sender.lstrip("+")
    if not digits.isdigit():
        return None
    for size in (3, 2):
        if digits[:size] in _CALLING_CODE_LANGUAGE:
            return _CALLING_CODE_LANGUAGE[digits[:size]]
    return None
