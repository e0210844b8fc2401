"""Channel-neutral message types: what a channel hands to the core and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class InboundMessage:
    """One message from a merchant, already translated from the channel's payload.

    Attributes:
        channel: channel name, e.g. ``rest``, ``telegram``, ``whatsapp``, ``terminal``.
        sender: the sender's id on that channel; with ``channel`` it names the conversation.
        text: the text (or a button payload) the merchant sent.
        message_id: the channel's id for this delivery; a repeated id is not processed twice.
        locale: the channel's language hint (e.g. Telegram's ``language_code``).
        metadata: channel-specific extras the core may keep but never interprets.
    """

    channel: str
    sender: str
    text: str
    message_id: str | None = None
    locale: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Button:
    """A choice offered to the merchant; channels without buttons render numbered options."""

    title: str
    payload: str

    def to_json(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class Reply:
    """One outbound message."""

    text: str
    buttons: tuple[Button, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": [b.to_json() for b in self.buttons]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Reply":
        return cls(text=data["text"], buttons=tuple(Button(**b) for b in data.get("buttons", [])))


@dataclass(frozen=True)
class Source:
    """A cited knowledge source."""

    id: str
    title: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title}


@dataclass(frozen=True)
class Turn:
    """The outcome of one inbound message: the turn JSON of INTERFACES.md."""

    conversation_id: str
    intent: str
    language: str
    replies: tuple[Reply, ...]
    sources: tuple[Source, ...] = ()
    handoff: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "intent": self.intent,
            "language": self.language,
            "replies": [r.to_json() for r in self.replies],
            "sources": [s.to_json() for s in self.sources],
            "handoff": self.handoff,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Turn":
        return cls(
            conversation_id=data["conversation_id"],
            intent=data["intent"],
            language=data["language"],
            replies=tuple(Reply.from_json(r) for r in data["replies"]),
            sources=tuple(Source(**s) for s in data.get("sources", [])),
            handoff=bool(data.get("handoff", False)),
        )
