"""Listing texts drafted by the model for the merchant to review."""

from __future__ import annotations

import pytest

from bot.llm.listing_text import TOOL, ListingText, ListingTextHelper
from tests.llm.conftest import metric
from tests.llm.fake_openai import Step, call

FACTS = {"title": "Green tea", "quantity": "20000", "unit": "kg", "price": "4.20", "currency": "USD",
         "origin": "CN", "incoterm": "FOB", "lead_time": 14, "hs_code": "090210", "description": "Spring harvest"}
TITLE = "Chinese green tea, spring harvest — 20000 kg FOB"
DESCRIPTION = ("Spring-harvest green tea from China (HS 090210). 20000 kg available at 4.20 USD per kg FOB, "
               "shipped within 14 days.")


async def test_a_grounded_draft_is_proposed(runtime_factory, fake_llm):
    runtime, _ = runtime_factory()
    fake_llm.on(TOOL, call(TOOL, title=TITLE, description=DESCRIPTION))
    draft = await ListingTextHelper(runtime).suggest(FACTS, "en", examples=["Premium sencha, 1 t lots."])
    assert draft == ListingText(TITLE, DESCRIPTION)
    prompt = fake_llm.requests[0]["messages"][1]["content"]
    assert '<data kind="listing_facts">' in prompt and '<data kind="catalog_example" id="example-1">' in prompt


@pytest.mark.parametrize("args, reason", [
    ({"title": TITLE, "description": DESCRIPTION.replace("4.20", "0.99")}, "invented_number"),
    ({"title": TITLE, "description": DESCRIPTION + " Order at https://evil.example/pay"}, "link"),
    ({"title": TITLE, "description": DESCRIPTION + " WhatsApp +1 555 0100 1234"}, "phone"),
    ({"title": "x" * 300, "description": DESCRIPTION}, "too_long"),
    ({"title": "Grüner Tee aus China", "description": "Grüner Tee aus der Frühjahrsernte, sofort lieferbar, "
                                                     "verpackt in Kartons."}, "wrong_language"),
])
async def test_bad_drafts_are_dropped(runtime_factory, fake_llm, args, reason):
    runtime, metrics = runtime_factory()
    fake_llm.on(TOOL, call(TOOL, **args))
    assert await ListingTextHelper(runtime).suggest(FACTS, "en") is None
    assert metric(metrics, "tradebot_llm_fallbacks_total", {"purpose": "listing_text", "reason": reason}) == 1


async def test_no_title_no_call_and_errors_give_none(runtime_factory, fake_llm):
    runtime, _ = runtime_factory()
    assert await ListingTextHelper(runtime).suggest({"price": "1"}, "en") is None
    assert fake_llm.requests == []
    fake_llm.on(TOOL, Step(status=502))
    assert await ListingTextHelper(runtime).suggest(FACTS, "en") is None
