"""The LLM recognizer: asked only on doubt, only in states that allow routing, validated."""

from __future__ import annotations

import asyncio

import pytest

from bot.intents import Intent
from bot.llm.recognizer import CONVERSATION, TOOL, LlmRecognizer, allowed_intents, validate_slots
from bot.understanding import Recognition
from tests.llm.conftest import metric
from tests.llm.fake_openai import Step, call

IDLE = {"state": {}, "status": "bot"}


class Offline:
    """A stand-in offline recognizer with a fixed answer."""

    def __init__(self, intent: Intent = Intent.OUT_OF_SCOPE, confidence: float = 0.3, command: str | None = None):
        self.result = Recognition(intent=intent, confidence=confidence, language="en", command=command,
                                  alternatives=((intent, confidence), (Intent.KNOWLEDGE, 0.2)),
                                  details={"uncertain": confidence < 0.55, "source": "model"})

    def recognize(self, text: str, *, language_prior: str | None) -> Recognition:
        return self.result


def recognize(recognizer, text: str, conversation=IDLE) -> Recognition:
    """As the core calls it: from a worker thread, with the turn's context copied in."""
    async def run() -> Recognition:
        CONVERSATION.set(conversation)
        return await asyncio.to_thread(recognizer.recognize, text, language_prior="en")

    return asyncio.run(run())


def test_routes_a_free_form_request_with_validated_slots(runtime_factory, fake_llm):
    runtime, metrics = runtime_factory()
    fake_llm.on(TOOL, call(TOOL, intent="create_listing", confidence=0.93, slots={
        "title": "Green tea", "quantity": 20, "unit": "t", "price": 4.2, "currency": "usd", "moq": 2,
        "incoterm": "FOB", "origin": "CN", "hs_code": "090210", "lead_time": 14, "destination": "Hamburg"}))
    text = "got 20 t green tea, 4.20 USD/kg FOB Shanghai, min 2 t, ships in 14 days, can u put it up?"
    result = recognize(LlmRecognizer(Offline(), runtime), text)
    assert result.intent is Intent.CREATE_LISTING and result.confidence == 0.75
    assert result.details["source"] == "llm" and result.details["uncertain"] is False
    assert result.details["llm_slots"] == {"title": "Green tea", "quantity": "20", "unit": "t", "price": "4.2",
                                           "currency": "USD", "moq": "2", "incoterm": "FOB", "origin": "CN",
                                           "lead_time": 14}  # the HS code and Hamburg were not in it
    (request,) = fake_llm.requests
    assert request.get("stream") in (None, False)
    assert [t["function"]["name"] for t in request["tools"]] == [TOOL]
    enum = request["tools"][0]["function"]["parameters"]["properties"]["intent"]["enum"]
    assert sorted(enum) == sorted(i.value for i in Intent)
    assert metric(metrics, "tradebot_llm_calls_total", {"purpose": "intent", "outcome": "ok"}) == 1


@pytest.mark.parametrize("offline, conversation", [
    (Offline(Intent.KNOWLEDGE, 0.9), IDLE),  # confident offline: no model
    (Offline(Intent.GREETING, 1.0, command="start"), IDLE),  # commands are exact
    (Offline(), {"state": {"flow": {"skill": "create_listing", "step": "confirm"}}, "status": "bot"}),
    (Offline(), {"state": {"flow": {"skill": "shipping", "step": "weight"}}, "status": "bot"}),
    (Offline(), {"state": {}, "status": "waiting"}),  # staff own the conversation
    (Offline(), None),  # unknown state: never
])
def test_the_model_is_not_asked(runtime_factory, fake_llm, offline, conversation):
    runtime, _ = runtime_factory()
    fake_llm.default = call(TOOL, intent="book_shipment", confidence=1.0)
    assert recognize(LlmRecognizer(offline, runtime), "yes book it now", conversation) is offline.result
    assert fake_llm.requests == []


@pytest.mark.parametrize("step, reason", [
    (call(TOOL, intent="delete_account", confidence=0.99), "unknown_intent"),
    (call(TOOL, intent="knowledge", confidence=0.4), "doubtful"),
    (call(TOOL, intent="out_of_scope", confidence=0.9), "doubtful"),
    (call(TOOL, intent="knowledge", confidence=7), "bad_confidence"),
    (call("book_shipment", quote_id="q-1"), "tool_not_allowed"),
    (Step(tool=TOOL, args={"intent": "knowledge", "confidence": 0.9}, extra_calls=[("confirm", {})]),
     "tool_not_allowed"),
    (Step(text="I booked it for you."), "no_tool_call"),
    (Step(status=500), "unavailable"),
    (Step(tool=TOOL, args={"intent": "knowledge", "confidence": 0.9}, delay=2), "timeout"),
])
def test_doubt_keeps_the_offline_result(runtime_factory, fake_llm, step, reason):
    runtime, metrics = runtime_factory(llm_timeout_s=0.5)
    fake_llm.on(TOOL, step)
    offline = Offline()
    assert recognize(LlmRecognizer(offline, runtime), "hmm what about the thing") is offline.result
    assert metric(metrics, "tradebot_llm_fallbacks_total", {"purpose": "intent", "reason": reason}) == 1


def test_allowed_intents_per_state():
    assert allowed_intents(IDLE) == frozenset(Intent)
    assert allowed_intents({"state": {"flow": {"skill": "find_buyers"}}, "status": "bot"}) == frozenset()
    assert allowed_intents({"state": {}, "status": "claimed"}) == frozenset()


def test_slots_need_the_merchants_own_words():
    text = "sell 500 kg cocoa HS 1801.00 CIF, tracking SBX-1A2B3C4D"
    assert validate_slots({"quantity": 500, "hs_code": "180100", "incoterm": "CIF", "shipment_id": "sbx-1a2b3c4d",
                           "price": 999, "origin": "XX", "destination": "Rotterdam", "unknown": 1}, text) == {
        "quantity": "500", "hs_code": "180100", "incoterm": "CIF", "shipment_id": "SBX-1A2B3C4D"}
    assert validate_slots("not a dict", text) == {}
    assert validate_slots({"title": "<img src=https://evil.example/x>"}, "sell tea") == {}
    assert validate_slots({"title": "Tea, see www.evil.example"}, "sell tea") == {}
