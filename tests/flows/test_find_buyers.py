"""find_buyers end to end: HS heading, ranked requests with reasons, embargo, introductions."""

import asyncio
import re
from datetime import date, timedelta

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from connectors.sandbox.tables import BuyerRequestRow
from tests.flows.conftest import payloads, platform_client, text_of
from tests.flows.conftest import merchant_token


def add_requests(sandbox, *rows: tuple[str, str, str]) -> None:
    """Buyer requests from given countries (the seed has none from embargoed ones)."""
    engine = create_engine(sandbox.db_url)
    with Session(engine) as s:
        for request_id, country, port in rows:
            s.add(BuyerRequestRow(request_id=request_id, buyer_company=f"Test Buyer {country}", country=country,
                                  product="Cashew nuts, shelled", description="test", hs_code="080132",
                                  quantity=10.0, unit="t", target_price_usd=7000.0, incoterm="CIF",
                                  destination_port=port, certifications_required=[],
                                  posted_on=date.today(), valid_until=date.today() + timedelta(days=90),
                                  status="open"))
        s.commit()
    engine.dispose()


def introductions_of(sandbox, token: str) -> list:
    async def fetch():
        async with platform_client(sandbox, token) as client:
            return (await client.list_introductions()).items

    return asyncio.run(fetch())


def test_english_buyers_ranked_with_reasons_embargo_held_back_and_one_introduction(bot, sandbox):
    add_requests(sandbox, ("BR-90001", "IR", "IRBND"), ("BR-90002", "RU", "RUNVS"))
    bot.say("buy-en", "Find buyers for roasted cashew nuts, I have 300 t")
    found = bot.say("buy-en", "Lotus Nuts Ltd, Vietnam")
    text = text_of(found)
    assert found["intent"] == "find_buyers"
    assert "Buyer requests for roasted cashew nuts (HS 0801" in text, text
    assert "Why: same HS subheading 080132" in text
    assert "within what you have" in text or "more than you have" in text
    assert "BR-90001" not in text and "BR-90002" not in text and "(IR)" not in text
    assert "left out 1 request(s) from Iran" in text and "left out 1 request(s) from Russia" in text
    assert "as of 2026-11-26" in text
    intro_buttons = [p for p in payloads(found) if p.startswith("intro:")]
    assert 1 <= len(intro_buttons) <= 5
    confirm = bot.say("buy-en", intro_buttons[0])
    assert "I'll send this introduction" in text_of(confirm) and "Lotus Nuts Ltd" in text_of(confirm)
    payload = next(p for p in payloads(confirm) if p.startswith("confirm:"))
    sent = bot.say("buy-en", payload)
    assert "was sent" in text_of(sent), text_of(sent)
    bot.say("buy-en", payload)  # a second tap after the flow ended sends nothing more
    intros = introductions_of(sandbox, merchant_token(bot, "buy-en"))
    assert len(intros) == 1 and intros[0].buyer_request_id == intro_buttons[0].removeprefix("intro:")


def test_german_buyers_when_the_hs_heading_is_unsure_the_merchant_chooses(bot):
    bot.say("buy-de", "Ich suche Käufer für Teeblätter", locale="de")
    asked = bot.say("buy-de", "Teehandel Schmidt GmbH, Deutschland", locale="de")
    assert "Ich bin nicht sicher, welche HS-Position zu „Teeblätter“ passt" in text_of(asked), text_of(asked)
    tea = next(p for p in payloads(asked) if p.startswith("0902"))
    found = bot.say("buy-de", tea, locale="de")
    text = text_of(found)
    assert found["language"] == "de" and f"Käuferanfragen für Teeblätter (HS {tea})" in text, text
    assert "Warum: gleiche HS-" in text
    assert all(" 0902" in line or f" {tea}" in line for line in text.splitlines() if line.strip().startswith("Warum"))


def test_german_target_country_filter(bot, sandbox):
    bot.say("buy-de2", "/link " + _token(sandbox), locale="de")
    found = bot.say("buy-de2", "Käufer für Cashewkerne in Japan finden", locale="de")
    nuts = next((p for p in payloads(found) if p.startswith("0801")), None)
    if nuts:  # the classifier was unsure and asked for the heading
        found = bot.say("buy-de2", nuts, locale="de")
    text = text_of(found)
    assert "Käuferanfragen für Cashewkerne (HS 0801" in text, text
    lines = [line for line in text.splitlines() if re.match(r"\d\. ", line)]
    assert lines and all("(JP)" in line for line in lines), text
    assert "in JP, wie gewünscht" in text


def test_chinese_buyers_and_embargoed_target(bot, sandbox):
    add_requests(sandbox, ("BR-90003", "KP", "KPNAM"))
    bot.say("buy-zh", "帮我找腰果的买家", locale="zh")
    found = bot.say("buy-zh", "越南腰果有限公司，越南", locale="zh")
    assert "的采购需求" in text_of(found) and "匹配原因" in text_of(found), text_of(found)
    assert "BR-90003" not in text_of(found) and "North Korea" in text_of(found)
    blocked = bot.say("buy-zh", "帮我找伊朗的腰果买家", locale="zh")
    assert "我无法提供Iran的买家" in text_of(blocked), text_of(blocked)


def _token(sandbox) -> str:
    async def register():
        async with platform_client(sandbox) as client:
            return (await client.register_merchant("Nuss Import GmbH", "DE")).api_token

    return asyncio.run(register())
