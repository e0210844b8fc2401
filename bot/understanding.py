"""What the core needs to know about a message before choosing a skill.

The :class:`Recognizer` protocol is implemented by the NLU engine (``bot.nlu``); the
:class:`CommandRecognizer` here handles slash commands and is the fallback when no NLU
engine is wired in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.intents import Intent

COMMAND_RE = re.compile(r"^/([A-Za-z_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.S)
# Commands the core itself understands, and the intent each turn reports.
COMMANDS: dict[str, Intent] = {
    "start": Intent.GREETING,
    "help": Intent.GREETING,
    "lang": Intent.GREETING,
    "cancel": Intent.GREETING,
    "human": Intent.HANDOFF,
    "bot": Intent.GREETING,
    "intent": Intent.GREETING,
}


@dataclass(frozen=True)
class Recognition:
    """Intent, entities and language of one message."""

    intent: Intent
    confidence: float
    language: str | None = None
    language_confidence: float = 0.0
    alternatives: tuple[tuple[Intent, float], ...] = ()
    entities: Any = None
    command: str | None = None
    argument: str = ""
    details: dict[str, Any] = field(default_factory=dict)


class Recognizer(Protocol):
    def recognize(self, text: str, *, language_prior: str | None) -> Recognition: ...


def parse_command(text: str) -> tuple[str, str] | None:
    """``/lang de`` → ``("lang", "de")``; ``None`` when the text is not a command."""
    match = COMMAND_RE.match(text.strip())
    if not match:
        return None
    return match.group(1).lower(), (match.group(2) or "").strip()


_GREETINGS = re.compile(
    r"^\s*(hi|hello|hey|good (morning|afternoon|evening)|hallo|guten (tag|morgen|abend)|servus|moin|"
    r"hola|buen[oa]s (d[ií]as|tardes|noches)|bonjour|bonsoir|salut|coucou|你好|您好|嗨|早上好|"
    r"help|hilfe|ayuda|aide|帮助)\b[\s!.?,。！？]*$|^\s*(你好|您好|嗨|帮助)[\s!.?,。！？]*$",
    re.I,
)


_HUMAN = re.compile(
    r"\b(human|real person|a person|agent|someone real|operator|mensch|mitarbeiter|menschen|"
    r"persona real|una persona|agente|humano|humain|une personne|conseiller|op[ée]rateur)\b|人工|真人|客服",
    re.I,
)


def asks_for_human(text: str) -> bool:
    """Unmistakable requests for a person, in our five languages."""
    return bool(_HUMAN.search(text))


class CommandRecognizer:
    """Slash commands and plain greetings; anything else is out of scope at low confidence."""

    def recognize(self, text: str, *, language_prior: str | None) -> Recognition:
        parsed = parse_command(text)
        if parsed:
            name, arg = parsed
            intent = COMMANDS.get(name, Intent.OUT_OF_SCOPE)
            return Recognition(intent=intent, confidence=1.0, language=None, command=name, argument=arg)
        if asks_for_human(text):
            return Recognition(intent=Intent.HANDOFF, confidence=0.9)
        if _GREETINGS.match(text):
            return Recognition(intent=Intent.GREETING, confidence=0.95)
        return Recognition(intent=Intent.OUT_OF_SCOPE, confidence=0.3)
