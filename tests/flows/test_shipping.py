"""shipping_quote, book_shipment and track_shipment end to end, and merchant isolation."""

import asyncio
import re

from tests.flows.conftest import payloads, platform_client, text_of

SHIPMENT = re.compile(r"SBX-[0-9A-F]{8}")


def test_english_quote_book_and_track_last_shipment(bot):
    bot.say("ship-en", "Quote shipping from Shanghai to Hamburg, 2000 kg, 5 m3, 10 pallets")
    quotes = bot.say("ship-en", "Lotus Tea Ltd, China")
    text = text_of(quotes)
    assert quotes["intent"] == "shipping_quote"
    assert "Shanghai (CNSGH) → Hamburg (DEHAM), 2,000 kg, 5 m³" in text, text
    lines = [line for line in text.splitlines() if re.match(r"\d\. ", line)]
    assert len(lines) >= 3 and all(re.search(r"\$[\d,]+\.\d\d, \d+ days in transit", line) for line in lines)
    prices = [float(re.search(r"\$([\d,]+\.\d\d)", line).group(1).replace(",", "")) for line in lines]
    assert prices == sorted(prices)  # side by side, cheapest first
    assert all(p.startswith("quote:") for p in payloads(quotes))
    shipper = bot.say("ship-en", "the fastest one")
    assert shipper["intent"] == "book_shipment" and "shipper" in text_of(shipper)
    bot.say("ship-en", "Lotus Tea Ltd, 88 Longjing Rd, Hangzhou, China")
    summary = bot.say("ship-en", "Teehaus Nord GmbH, Speicherstadt 1, 20457 Hamburg")
    assert "Air freight" in text_of(summary) or "Express" in text_of(summary), text_of(summary)
    assert "Shall I book it?" in text_of(summary)
    booked = bot.say("ship-en", "yes")
    assert booked["intent"] == "book_shipment" and "Booked!" in text_of(booked), text_of(booked)
    shipment_id = SHIPMENT.search(text_of(booked)).group(0)
    tracked = bot.say("ship-en", "Where is my last shipment?")
    assert tracked["intent"] == "track_shipment"
    assert f"Shipment {shipment_id}: booked" in text_of(tracked) and "Estimated delivery" in text_of(tracked)
    status = bot.say("ship-en", "/status")
    assert shipment_id in text_of(status) and "Open shipments" in text_of(status)


def test_german_quote_asks_which_portland_and_books(bot):
    first = bot.say("ship-de", "Ich brauche ein Frachtangebot", locale="de")
    assert "Firma" in text_of(first)
    origin = bot.say("ship-de", "Kaffee Kontor GmbH, Deutschland", locale="de")
    assert "Wo beginnt die Sendung" in text_of(origin)
    bot.say("ship-de", "Hamburg", locale="de")
    which = bot.say("ship-de", "Portland", locale="de")
    assert "mehrere Orte" in text_of(which)
    options = payloads(which)
    assert "USPDX" in options and "AUPTJ" in options
    cargo = bot.say("ship-de", "USPDX", locale="de")
    assert "Bruttogewicht" in text_of(cargo)
    quotes = bot.say("ship-de", "1.500 kg, 4 m3", locale="de")
    text = text_of(quotes)
    assert "Hamburg (DEHAM) → Portland (USPDX), 1.500 kg, 4 m³" in text, text
    assert re.search(r"\d\. .+: [\d.]+,\d\d \$, \d+ Tage Laufzeit", text), text
    bot.say("ship-de", "2", locale="de")
    bot.say("ship-de", "Kaffee Kontor GmbH, Am Sandtorkai 5, Hamburg", locale="de")
    summary = bot.say("ship-de", "Portland Roasters Inc., 100 SW Main St, Portland OR", locale="de")
    assert "Soll ich buchen?" in text_of(summary)
    booked = bot.say("ship-de", "Ja", locale="de")
    assert "Gebucht!" in text_of(booked) and SHIPMENT.search(text_of(booked)), text_of(booked)
    shipment_id = SHIPMENT.search(text_of(booked)).group(0)
    tracked = bot.say("ship-de", "Wo ist meine Sendung?", locale="de")
    assert tracked["intent"] == "track_shipment" and tracked["language"] == "de"
    assert f"Sendung {shipment_id}: gebucht. Voraussichtliche Zustellung:" in text_of(tracked), text_of(tracked)
    status = bot.say("ship-de", "/status", locale="de")
    assert "Offene Sendungen:" in text_of(status) and shipment_id in text_of(status)


def test_chinese_quote_book_and_track(bot):
    quotes = bot.say("ship-zh", "从上海到汉堡的运费报价，2000公斤，5立方米", locale="zh")
    assert "公司名称" in text_of(quotes)
    quotes = bot.say("ship-zh", "杭州龙井茶业有限公司，中国", locale="zh")
    assert "运费报价" in text_of(quotes) and "天" in text_of(quotes), text_of(quotes)
    bot.say("ship-zh", "最便宜的", locale="zh")
    bot.say("ship-zh", "杭州龙井茶业有限公司，杭州市西湖区龙井路88号", locale="zh")
    summary = bot.say("ship-zh", "Teehaus Nord GmbH, Hamburg", locale="zh")
    assert "要预订吗" in text_of(summary)
    booked = bot.say("ship-zh", "确认", locale="zh")
    assert "已预订" in text_of(booked), text_of(booked)
    shipment_id = SHIPMENT.search(text_of(booked)).group(0)
    tracked = bot.say("ship-zh", f"{shipment_id} 到哪了？", locale="zh")
    assert f"货物 {shipment_id}：已预订" in text_of(tracked), text_of(tracked)


def test_merchant_b_cannot_track_merchant_a_shipment(bot, sandbox):
    bot.say("ship-a", "Quote shipping from Shanghai to Hamburg, 2000 kg, 5 m3")
    bot.say("ship-a", "Lotus Tea Ltd, China")
    bot.say("ship-a", "1")
    bot.say("ship-a", "Lotus Tea Ltd, Hangzhou")
    bot.say("ship-a", "Teehaus Nord GmbH, Hamburg")
    shipment_id = SHIPMENT.search(text_of(bot.say("ship-a", "yes"))).group(0)

    async def register_b():
        async with platform_client(sandbox) as client:
            return (await client.register_merchant("Other Trading Co", "VN")).api_token

    linked = bot.say("ship-b", f"/link {asyncio.run(register_b())}")
    assert "Other Trading Co" in text_of(linked)
    refused = bot.say("ship-b", f"Please track my shipment {shipment_id}")
    assert refused["intent"] == "track_shipment"
    assert text_of(refused) == f"I can't find shipment {shipment_id} in your account."
    assert "Hamburg" not in text_of(refused) and "booked" not in text_of(refused)
    assert shipment_id not in text_of(bot.say("ship-b", "/status"))
    unlinked = bot.say("ship-c", f"where is {shipment_id}?")
    assert "no merchant account" in text_of(unlinked) or "don't have a merchant account" in text_of(unlinked)
    assert "Hamburg" not in text_of(unlinked)


def test_quote_during_platform_outage_says_so_and_offers_a_person(bot, sandbox):
    bot.say("ship-down", "/link " + asyncio.run(_register(sandbox)))
    sandbox.stop()
    failed = bot.say("ship-down", "Quote shipping from Shanghai to Hamburg, 2000 kg, 5 m3")
    assert "not reachable right now" in text_of(failed)
    assert "/human" in payloads(failed)


async def _register(sandbox) -> str:
    async with platform_client(sandbox) as client:
        return (await client.register_merchant("Down Test Ltd", "CN")).api_token
