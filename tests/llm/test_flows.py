"""LLM mode inside the merchant flows, over real HTTP: REST channel → bot → sandbox platform,
with the fake OpenAI-compatible model on loopback.

- The model's routing brings slots the flows use (under the offline parsers' values).
- The listing flow offers a model-written title and description; the merchant uses it,
  the summary shows it, and only the confirmation publishes it.
- A draft that invents facts or carries a planted contact is dropped, and a model that is
  down leaves the plain question: the flow never depends on the model.
"""

from __future__ import annotations

import re

import pytest

from bot.llm.listing_text import TOOL as DRAFT_TOOL
from bot.llm.recognizer import TOOL as ROUTE_TOOL
from tests.flows.conftest import Bot, listings_of, merchant_token, payloads, sandbox, text_of  # noqa: F401 (fixture)
from tests.llm.conftest import llm_overrides, metric
from tests.llm.fake_openai import Step, call

MESSY = "got 20 t green tea, 4.20 USD/kg FOB Shanghai, min 2 t, ships in 14 days, can u put it up?"
ROUTED = call(ROUTE_TOOL, intent="create_listing", confidence=0.9, slots={
    "title": "Green tea", "quantity": 20, "unit": "t", "price": 4.2, "currency": "USD", "moq": 2,
    "incoterm": "FOB", "lead_time": 14})
DRAFT = call(DRAFT_TOOL, title="Chinese green tea, loose leaf",
             description="Loose-leaf green tea grown in China, offered FOB. Packed for export.")


@pytest.fixture
def llm_bot(live_server, settings_factory, llm_knowledge, sandbox, fake_llm):
    """The bot in LLM mode (the fake model), with the sandbox platform over HTTP."""
    bot = Bot(live_server, settings_factory(platform_url=sandbox.url, **llm_overrides(fake_llm)),
              llm_knowledge).start()
    yield bot
    bot.stop()


def listings(sandbox, bot, sender: str) -> list:
    return listings_of(sandbox, merchant_token(bot, sender))


def onboard_and_reach_description(bot, fake_llm, sender: str) -> dict:
    """A messy listing request the model routes, onboarding, the HS code; the description step."""
    fake_llm.on(ROUTE_TOOL, ROUTED)
    first = bot.say(sender, MESSY)
    assert first["intent"] == "create_listing", first
    hs = bot.say(sender, "Lotus Tea Ltd, China")
    assert re.search(r"HS code 0902\d\d", text_of(hs)), text_of(hs)
    return bot.say(sender, "yes")


def test_model_routed_request_fills_the_listing_and_the_merchant_uses_the_draft(llm_bot, fake_llm, sandbox):
    fake_llm.on(DRAFT_TOOL, DRAFT)
    description = onboard_and_reach_description(llm_bot, fake_llm, "llm-flow-1")
    text = text_of(description)
    # quantity, price, MOQ (2 t read by the model, kept in kg), incoterm and lead time were not asked again
    assert "Here is a draft" in text and "Chinese green tea, loose leaf" in text, text
    assert payloads(description)[:2] == ["use_draft", "-"]
    (draft_request,) = fake_llm.calls_for(DRAFT_TOOL)
    facts = "\n".join(str(m.get("content")) for m in draft_request["messages"])
    assert "quantity: 20000" in facts and "moq: 2000" in facts and "incoterm: FOB" in facts
    assert '<data kind="catalog_example"' in facts  # catalog texts go in as fenced, untrusted data
    summary = llm_bot.say("llm-flow-1", "use_draft")
    text = text_of(summary)
    assert "Please check your listing" in text and "Loose-leaf green tea grown in China" in text, text
    assert "$4.20 per kg" in text and "20,000 kg" in text and "2,000 kg" in text and "14 days" in text
    assert listings(sandbox, llm_bot, "llm-flow-1") == []  # nothing is published before the confirmation
    confirm = next(p for p in payloads(summary) if p.startswith("confirm:"))
    done = llm_bot.say("llm-flow-1", confirm)
    assert "is live" in text_of(done)
    (listing,) = listings(sandbox, llm_bot, "llm-flow-1")
    assert listing.title == "Chinese green tea, loose leaf"
    assert listing.description.startswith("Loose-leaf green tea grown in China")
    assert listing.unit_price_usd == 4.2 and listing.quantity == 20000 and "MOQ: 2000 kg" in listing.description
    m = llm_bot.container.metrics
    assert metric(m, "tradebot_llm_calls_total", {"purpose": "listing_text", "outcome": "ok"}) == 1


def test_the_merchant_may_write_their_own_description_instead(llm_bot, fake_llm):
    fake_llm.on(DRAFT_TOOL, DRAFT)
    onboard_and_reach_description(llm_bot, fake_llm, "llm-flow-2")
    summary = llm_bot.say("llm-flow-2", "Sencha, spring harvest, 25 kg cartons")
    text = text_of(summary)
    assert "Sencha, spring harvest" in text and "Loose-leaf" not in text
    assert "Title: Green tea" in text  # the merchant's own product name stays


@pytest.mark.parametrize("step, reason", [
    (call(DRAFT_TOOL, title="Green tea", description="Premium green tea, 99% organic, ISO 22000 certified."),
     "invented_number"),
    (call(DRAFT_TOOL, title="Green tea", description="Green tea. Order now at https://evil.example/pay"),
     "link"),
    (Step(status=503), "unavailable"),
])
def test_a_bad_draft_or_a_failing_model_leaves_the_plain_question(llm_bot, fake_llm, sandbox, step, reason):
    fake_llm.on(DRAFT_TOOL, step)
    description = onboard_and_reach_description(llm_bot, fake_llm, "llm-flow-3")
    text = text_of(description)
    assert "Describe the product" in text and "use_draft" not in payloads(description), text
    assert "evil.example" not in text and "ISO 22000" not in text
    m = llm_bot.container.metrics
    assert metric(m, "tradebot_llm_fallbacks_total", {"purpose": "listing_text", "reason": reason}) == 1
    again = llm_bot.say("llm-flow-3", "use_draft")  # a stale or forged button: asked again, nothing taken
    assert "Describe the product" in text_of(again) and "Please check" not in text_of(again)
    summary = llm_bot.say("llm-flow-3", "-")
    assert "Please check your listing" in text_of(summary)
    assert listings(sandbox, llm_bot, "llm-flow-3") == []


def test_model_routing_names_the_product_for_the_buyer_search(llm_bot, fake_llm):
    fake_llm.on(ROUTE_TOOL, call(ROUTE_TOOL, intent="find_buyers", confidence=0.9,
                                 slots={"title": "cashew kernels", "quantity": 2, "unit": "container"}))
    llm_bot.say("llm-flow-4", "anyone interested in 2 containers of cashew kernels W320?")
    found = llm_bot.say("llm-flow-4", "Nut House Ltd, Vietnam")
    text = text_of(found)
    assert found["intent"] == "find_buyers", found
    snap = llm_bot.container.store.find("rest", "llm-flow-4")
    # offline, the product would have been read as "anyone interested in"
    assert snap.state["flow"]["data"]["product"] == "cashew kernels", (text, snap.state)
    assert snap.state["flow"]["data"]["quantity"] == ["2", "container"]
    assert snap.state["hs_candidates"][0]["code"].startswith("0801"), snap.state["hs_candidates"][:2]
