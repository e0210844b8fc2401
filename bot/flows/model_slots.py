"""Slots a language model read out of the merchant's message (LLM mode only).

In ``TRADEBOT_LLM`` mode the recognizer may route a free-form message and propose the
slots it states (``Recognition.details["llm_slots"]``). They were validated there: every
number and code appears in the merchant's own words. Here the flows take them as a
second source, under what the offline parsers read: the offline value wins on conflict,
and the merchant reviews everything in the flow's summary before anything happens.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.flows.shipping_parts import KG_PER_UNIT, PACKAGE_UNITS
from bot.skills.base import TurnContext



def proposed(ctx: TurnContext) -> dict[str, Any]:
    """The model's validated slots for this turn; empty unless the model routed it."""
    details = ctx.recognition.details or {}
    if details.get("source") != "llm":
        return {}
    slots = details.get("llm_slots")
    return dict(slots) if isinstance(slots, dict) else {}


def for_listing(slots: dict[str, Any], offline: dict[str, Any]) -> dict[str, Any]:
    """``offline`` completed with the model's listing fields it lacks.

    Price and currency go together, and so do quantity and unit: a pair is taken only
    when the offline parser found neither half, so one unit applies to all.
    """
    merged = dict(offline)
    if "price" in slots and "price" not in merged and "currency" not in merged:
        merged["price"] = slots["price"]
        merged["currency"] = slots.get("currency", "USD")
    if "quantity" in slots and "quantity" not in merged and "unit" not in merged and "unit" in slots:
        merged["quantity"], merged["unit"] = slots["quantity"], slots["unit"]
    for key in ("title", "hs_code", "origin", "incoterm", "lead_time"):
        if key in slots and key not in merged:
            merged[key] = slots[key]
    if "moq" in slots and "moq" not in merged:  # read in the model's unit; kept in the listing's
        moq = _in_unit(Decimal(str(slots["moq"])), slots.get("unit"), merged.get("unit") or slots.get("unit"))
        if moq is not None:
            merged["moq"] = format(moq.normalize(), "f")
    if merged.get("currency") == "USD" and "price" in merged:
        merged.setdefault("price_usd", merged["price"])
    return merged


def _in_unit(value: Decimal, have: str | None, want: str | None) -> Decimal | None:
    if have == want:
        return value
    if have in KG_PER_UNIT and want in KG_PER_UNIT:
        return value * KG_PER_UNIT[have] / KG_PER_UNIT[want]
    return None


def cargo_from(slots: dict[str, Any]) -> dict[str, Any]:
    """Weight, volume or packages from the model's quantity and unit."""
    unit, quantity = slots.get("unit"), slots.get("quantity")
    if quantity is None or unit is None:
        return {}
    value = Decimal(str(quantity))
    if unit in KG_PER_UNIT:
        return {"weight_kg": float(value * KG_PER_UNIT[unit])}
    if unit == "m3":
        return {"volume_m3": float(value)}
    if unit in PACKAGE_UNITS:
        return {"packages": max(1, int(value))}
    return {}


def product_named(slots: dict[str, Any], text: str) -> str | None:
    """The product the model read, when the merchant wrote exactly those words."""
    title = str(slots.get("title") or "").strip()
    return title if len(title) >= 2 and title.casefold() in text.casefold() else None
