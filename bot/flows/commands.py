"""Slash commands of the merchant flows, routed to their skills' intents.

The core's recognizer only knows its own commands (``/start``, ``/help``, ``/human`` ...);
this wrapper adds ``/status``, ``/link <token>``, ``/track``, ``/quote``, ``/book``,
``/sell`` and ``/buyers`` in front of any recognizer.
"""

from __future__ import annotations

from dataclasses import replace

from bot.intents import Intent
from bot.understanding import COMMANDS, Recognition, Recognizer, parse_command

FLOW_COMMANDS: dict[str, Intent] = {
    "status": Intent.TRACK_SHIPMENT,  # the tracking skill shows pending actions and open shipments
    "link": Intent.TRACK_SHIPMENT,  # ... and links the conversation to a platform merchant
    "track": Intent.TRACK_SHIPMENT,
    "quote": Intent.SHIPPING_QUOTE,
    "book": Intent.BOOK_SHIPMENT,
    "sell": Intent.CREATE_LISTING,
    "listing": Intent.CREATE_LISTING,
    "buyers": Intent.FIND_BUYERS,
}


class FlowCommands:
    """A :class:`~bot.understanding.Recognizer` that knows the flow commands, then delegates."""

    def __init__(self, inner: Recognizer) -> None:
        self._inner = inner

    def warm(self) -> None:
        warm = getattr(self._inner, "warm", None)
        if warm is not None:
            warm()

    def recognize(self, text: str, *, language_prior: str | None) -> Recognition:
        recognition = self._inner.recognize(text, language_prior=language_prior)
        parsed = parse_command(text)
        if parsed and parsed[0] in FLOW_COMMANDS and parsed[0] not in COMMANDS:
            return replace(recognition, intent=FLOW_COMMANDS[parsed[0]], confidence=1.0, command=parsed[0],
                           argument=parsed[1])
        return recognition
