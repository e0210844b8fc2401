"""The intents of INTERFACES.md."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    """What a turn is about; a turn that continues a flow carries the flow's intent."""

    GREETING = "greeting"
    KNOWLEDGE = "knowledge"
    CLASSIFY = "classify"
    FIND_BUYERS = "find_buyers"
    CREATE_LISTING = "create_listing"
    SHIPPING_QUOTE = "shipping_quote"
    BOOK_SHIPMENT = "book_shipment"
    TRACK_SHIPMENT = "track_shipment"
    HANDOFF = "handoff"
    OUT_OF_SCOPE = "out_of_scope"
