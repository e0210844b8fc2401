"""Free-form requests → the core's intents and the flows' slots, by tool call, on doubt only.

The offline recognizer always runs first. The model is asked only when the offline
confidence is low, only in a state that allows routing (no flow collecting answers or
awaiting a confirmation, no staff handling the conversation), and only with a tool whose
intent enum is the set this state allows. Its answer is validated; a timeout, a provider
error, an intent outside the set, or a doubtful answer keeps the offline result.
"""

from __future__ import annotations

import contextvars
import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.intents import Intent
from bot.llm.guard import (DATA_RULES, GuardViolation, check_free_text, clean, fence, function_tool,
                           only_tool_call)
from bot.llm.runtime import LlmError, LlmRuntime
from bot.understanding import Recognition, Recognizer, parse_command

PURPOSE = "intent"
TOOL = "route_message"
ASK_BELOW = 0.6  # offline confidence under which the model is consulted
ACCEPT_FROM = 0.6  # the model's own confidence needed to override the offline result
CONFIDENCE_CAP = 0.75  # a model's routing never counts as certain as an exact rule (flows use 0.8)
MESSAGE_CHARS = 2000
INCOTERMS = ("EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP")
UNITS = ("kg", "t", "lb", "pcs", "carton", "pallet", "m3", "l", "20ft", "40ft", "40hc", "teu", "container")
_SHIPMENT_ID = re.compile(r"^SBX-[0-9A-F]{8}$")

CONVERSATION: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "tradebot_llm_conversation", default=None)
"""``{"state": ..., "status": ...}`` of the conversation whose turn is running (set by the service)."""

# The flows' own slot names (``bot.flows.listing_slots.Slot``; ``destination`` and
# ``shipment_id`` for shipping and tracking), so a flow can take them as they are.
SLOT_PROPERTIES: dict[str, Any] = {
    "title": {"type": "string", "description": "the product named, as the merchant wrote it"},
    "hs_code": {"type": "string", "description": "an HS code the merchant wrote (digits)"},
    "quantity": {"type": "number"}, "unit": {"type": "string", "enum": list(UNITS)},
    "price": {"type": "number", "description": "price per unit"},
    "currency": {"type": "string", "description": "ISO 4217 code"},
    "moq": {"type": "number", "description": "minimum order quantity"},
    "origin": {"type": "string", "description": "country of origin, ISO 3166-1 alpha-2"},
    "destination": {"type": "string", "description": "destination port, city or country as written"},
    "incoterm": {"type": "string", "enum": list(INCOTERMS)},
    "lead_time": {"type": "integer", "description": "lead time in days"},
    "shipment_id": {"type": "string", "description": "a shipment id such as SBX-1A2B3C4D"},
}


def allowed_intents(conversation: dict[str, Any] | None) -> frozenset[Intent]:
    """The intents the model may choose from in this conversation state (empty: don't ask it).

    Mid-flow the flow parses the merchant's own words (slot answers, "yes" to a summary),
    so the model is not consulted; with staff in charge the bot does not answer at all.
    """
    if conversation is None or conversation.get("status", "bot") != "bot":
        return frozenset()
    if (conversation.get("state") or {}).get("flow"):
        return frozenset()
    return frozenset(Intent)


def routing_tool(allowed: frozenset[Intent]) -> dict:
    """The one tool offered: an intent from ``allowed`` plus the slots the flows use."""
    return function_tool(
        TOOL, "Classify the merchant's message: what they want, and the details they stated.",
        {"intent": {"type": "string", "enum": sorted(i.value for i in allowed)},
         "confidence": {"type": "number", "description": "0..1"},
         "slots": {"type": "object", "properties": SLOT_PROPERTIES, "additionalProperties": False}},
        ["intent", "confidence"])


SYSTEM = (
    "You route messages for tradebot, an assistant for small exporters. Choose the intent that says what the "
    "merchant wants: greeting; knowledge (a trade, customs or regulation question); classify (an HS code for "
    "a product); find_buyers; create_listing (sell/list a product); shipping_quote; book_shipment; "
    "track_shipment; handoff (wants a person); out_of_scope. Copy into slots only details the merchant "
    f"actually wrote. Call {TOOL} exactly once. Choosing an intent only starts a dialogue in which the "
    "merchant reviews and confirms everything.\n\n" + DATA_RULES)


class LlmRecognizer:
    """Wraps the offline recognizer; asks the model only on doubt, keeps the offline result on any doubt.

    Args:
        offline: the offline recognizer (NLU engine, with the flow commands).
        runtime: the LLM runtime.
    """

    def __init__(self, offline: Recognizer, runtime: LlmRuntime) -> None:
        self._offline = offline
        self._runtime = runtime

    def warm(self) -> None:
        warm = getattr(self._offline, "warm", None)
        if warm is not None:
            warm()

    def recognize(self, text: str, *, language_prior: str | None) -> Recognition:
        """The offline recognition, replaced by the model's only when that is allowed and valid."""
        offline = self._offline.recognize(text, language_prior=language_prior)
        if offline.command or parse_command(text) or offline.confidence >= ASK_BELOW or not text.strip():
            return offline
        allowed = allowed_intents(CONVERSATION.get())
        if not allowed:
            return offline
        try:
            return self._ask(text, offline, allowed)
        except LlmError as exc:
            self._runtime.fallback(PURPOSE, exc.reason)
        except GuardViolation as exc:
            self._runtime.fallback(PURPOSE, exc.reason)
        return offline

    def _ask(self, text: str, offline: Recognition, allowed: frozenset[Intent]) -> Recognition:
        from langchain_core.messages import HumanMessage, SystemMessage

        messages = [SystemMessage(SYSTEM), HumanMessage("The merchant's message:\n" + fence("message", text,
                                                                                             limit=MESSAGE_CHARS))]
        reply = self._runtime.call(PURPOSE, messages, tools=[routing_tool(allowed)], tool_choice=TOOL)
        args = only_tool_call(reply, TOOL)
        try:
            intent = Intent(str(args.get("intent", "")))
        except ValueError as exc:
            raise GuardViolation("unknown_intent", str(args.get("intent"))[:40]) from exc
        if intent not in allowed:
            raise GuardViolation("intent_not_allowed", intent.value)
        confidence = _number(args.get("confidence"))
        if confidence is None or not 0 <= confidence <= 1:
            raise GuardViolation("bad_confidence")
        if confidence < ACCEPT_FROM or intent is Intent.OUT_OF_SCOPE:
            raise GuardViolation("doubtful")
        slots = validate_slots(args.get("slots"), text)
        score = min(float(confidence), CONFIDENCE_CAP)
        alternatives = ((intent, score), *((i, s) for i, s in offline.alternatives if i is not intent))
        details = {**offline.details, "uncertain": False, "source": "llm", "llm_slots": slots,
                   "offline_intent": offline.intent.value, "offline_confidence": offline.confidence}
        return replace(offline, intent=intent, confidence=score, alternatives=alternatives[:3], details=details)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _digits_in(value: Decimal, text: str) -> bool:
    plain = format(value.normalize(), "f")
    flat = re.sub(r"(?<=\d)[ ,'](?=\d{3})", "", text).replace(",", ".")
    return plain in flat or plain.rstrip("0").rstrip(".") in flat


def validate_slots(raw: Any, text: str) -> dict[str, Any]:
    """Keep only well-formed slots whose codes and numbers the merchant actually wrote."""
    if not isinstance(raw, dict):
        return {}
    import pycountry

    upper = text.upper()
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in SLOT_PROPERTIES or value in (None, ""):
            continue
        if key in ("quantity", "price", "moq", "lead_time"):
            number = _number(value)
            if number is not None and number > 0 and _digits_in(number, text):
                out[key] = int(number) if key == "lead_time" else format(number.normalize(), "f")
        elif key == "hs_code":
            digits = re.sub(r"\D", "", str(value))
            if 4 <= len(digits) <= 10 and len(digits) % 2 == 0 and digits in re.sub(r"[.\s]", "", text):
                out[key] = digits
        elif key == "origin":
            code = str(value).upper()
            if len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None:
                out[key] = code
        elif key == "destination" and isinstance(value, str):
            place = clean(value, 81)
            if place and len(place) <= 80 and place.casefold() in text.casefold():
                out[key] = place
        elif key == "currency":
            code = str(value).upper()
            if len(code) == 3 and pycountry.currencies.get(alpha_3=code) is not None:
                out[key] = code
        elif key == "incoterm":
            code = str(value).upper()
            if code in INCOTERMS and code in upper:
                out[key] = code
        elif key == "unit" and value in UNITS:
            out[key] = value
        elif key == "shipment_id":
            code = str(value).upper()
            if _SHIPMENT_ID.match(code) and code in upper:
                out[key] = code
        elif key == "title" and isinstance(value, str):
            try:  # no link, address or markup the merchant did not write
                out[key] = check_free_text(value, limit=120, allowed_source=text)
            except GuardViolation:
                continue
    return out
