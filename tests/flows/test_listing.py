"""create_listing end to end: REST channel → bot → sandbox platform, all over real HTTP."""

import re

import pytest

from tests.flows.conftest import listings_of, merchant_token, payloads, text_of


def confirm_payload(turn: dict) -> str:
    return next(p for p in payloads(turn) if p.startswith("confirm:"))


def test_english_listing_in_one_message_with_onboarding_edit_and_confirmation(bot, sandbox):
    first = bot.say("en-1", "I want to list green tea, 20 t at 4.20 USD/kg FOB, MOQ 2 t, lead time 14 days")
    assert first["intent"] == "create_listing" and "company name" in text_of(first)
    hs = bot.say("en-1", "Lotus Tea Ltd, China")
    assert "Lotus Tea Ltd" in text_of(hs)
    assert re.search(r"HS code 0902\d\d", text_of(hs)), text_of(hs)
    desc = bot.say("en-1", "yes")
    assert "Describe the product" in text_of(desc)
    summary = bot.say("en-1", "-")
    text = text_of(summary)
    assert "$4.20 per kg" in text and "20,000 kg" in text and "2,000 kg" in text and "FOB" in text
    assert "Origin: CN" in text and "14 days" in text
    edited = bot.say("en-1", "price 4.50 USD/kg")
    assert "$4.50 per kg" in text_of(edited) and edited["intent"] == "create_listing"
    done = bot.say("en-1", confirm_payload(edited), message_id="confirm-1")
    assert "is live" in text_of(done)
    listing_id = re.search(r"lst_[0-9a-f]+", text_of(done)).group(0)
    # the same confirmation delivered again (channel retry) is answered from the store
    again = bot.say("en-1", confirm_payload(edited), message_id="confirm-1")
    assert again == done
    listings = listings_of(sandbox, merchant_token(bot, "en-1"))
    assert [item.listing_id for item in listings] == [listing_id]
    assert listings[0].unit_price_usd == 4.5 and listings[0].quantity == 20000 and listings[0].unit == "kg"
    assert "MOQ: 2000 kg" in listings[0].description and listings[0].origin_country == "CN"


def test_german_listing_step_by_step_with_euro_price(bot, sandbox):
    bot.say("de-1", "Ich möchte ein Angebot erstellen", locale="de")
    title = bot.say("de-1", "Rösterei Müller GmbH, Deutschland", locale="de")
    assert "Titel" in text_of(title) or "Produkt" in text_of(title), text_of(title)
    hs = bot.say("de-1", "Geröstete Kaffeebohnen", locale="de")
    assert re.search(r"HS-Nummer 0901\d\d", text_of(hs)), text_of(hs)
    qty = bot.say("de-1", "Ja", locale="de")
    assert "Menge" in text_of(qty)
    price = bot.say("de-1", "2000 kg", locale="de")
    assert "Preis" in text_of(price)
    usd = bot.say("de-1", "12,50 EUR pro kg", locale="de")
    assert "12,50 €" in text_of(usd) and "USD" in text_of(usd)
    moq = bot.say("de-1", "13,60", locale="de")
    assert "Mindestbestellmenge" in text_of(moq)
    incoterm = bot.say("de-1", "100", locale="de")
    assert "Incoterm" in text_of(incoterm)  # origin came from the merchant's country
    lead = bot.say("de-1", "EXW", locale="de")
    assert "Lieferzeit" in text_of(lead)
    bot.say("de-1", "21", locale="de")
    summary = bot.say("de-1", "Arabica, in 60-kg-Säcken", locale="de")
    text = text_of(summary)
    assert summary["language"] == "de"
    assert "12,50 € (13,60 $)" in text and "2.000 kg" in text and "Herkunft: DE" in text, text
    done = bot.say("de-1", "Ja", locale="de")
    assert "ist online" in text_of(done), text_of(done)
    [listing] = listings_of(sandbox, merchant_token(bot, "de-1"))
    assert listing.unit_price_usd == 13.6 and listing.incoterm == "EXW" and listing.hs_code.startswith("0901")
    assert "Seller's price: 12.5 EUR/kg" in listing.description


def test_chinese_listing_with_side_question_and_cancel(bot, sandbox):
    bot.say("zh-1", "我想发布绿茶，20吨，每公斤4.2美元，FOB，起订量2吨，交货期14天", locale="zh")
    hs = bot.say("zh-1", "杭州龙井茶业有限公司，中国", locale="zh")
    assert "HS 编码 0902" in text_of(hs), text_of(hs)
    side = bot.say("zh-1", "FOB是什么意思？", locale="zh")
    # the side question is answered by its own skill, then the flow's question comes again
    assert side["intent"] != "create_listing" and "没有理解" not in text_of(side)
    assert text_of(side).rstrip().endswith("或输入其他编码。")
    bot.say("zh-1", "是", locale="zh")
    summary = bot.say("zh-1", "-", locale="zh")
    assert "US$4.20" in text_of(summary) or "$4.20" in text_of(summary), text_of(summary)
    assert "要发布吗" in text_of(summary)
    cancelled = bot.say("zh-1", "取消", locale="zh")
    assert cancelled["intent"] == "greeting"
    assert listings_of(sandbox, merchant_token(bot, "zh-1")) == []


@pytest.mark.parametrize("lang, request_text, company, yes, summary_word, price, live", [
    ("fr", "Je veux vendre du thé vert, 20 t à 4,20 USD/kg FOB, MOQ 2 t, délai 14 jours", "Thés du Sud SARL, Maroc",
     "oui", "Je la publie ?", "4,20 $US", "est en ligne"),
    ("es", "Quiero vender té verde, 20 t a 4,20 USD/kg FOB, MOQ 2 t, plazo 14 días", "Té Andino S.A.S., Colombia",
     "sí", "¿La publico?", "4,20 US$", "está publicada"),
])
def test_listing_in_french_and_spanish(bot, sandbox, lang, request_text, company, yes, summary_word, price, live):
    sender = f"{lang}-1"
    bot.say(sender, request_text, locale=lang)
    hs = bot.say(sender, company, locale=lang)
    assert "0902" in text_of(hs), text_of(hs)
    bot.say(sender, yes, locale=lang)
    summary = bot.say(sender, "-", locale=lang)
    assert summary["language"] == lang and summary_word in text_of(summary), text_of(summary)
    assert price in text_of(summary), text_of(summary)
    done = bot.say(sender, yes, locale=lang)
    assert live in text_of(done), text_of(done)
    assert len(listings_of(sandbox, merchant_token(bot, sender))) == 1
