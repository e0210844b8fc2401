"""A German merchant gets German text and formats; writing Chinese mid-conversation switches."""

import re

from tests.flows.conftest import text_of


def test_german_formats_then_chinese_switches_the_replies(bot):
    first = bot.say("mix-1", "Ich möchte ein Frachtangebot von Hamburg nach Shanghai, 1.250 kg, 3 m3", locale="de")
    assert first["language"] == "de"
    quotes = first if "Tage" in text_of(first) else bot.say("mix-1", "Kaffee Kontor GmbH, Deutschland", locale="de")
    text = text_of(quotes)
    assert quotes["language"] == "de" and "1.250 kg" in text, text
    assert re.search(r"[\d.]+,\d\d\s\$", text), text  # German money format: 1.234,56 $
    switched = bot.say("mix-1", "请问绿茶的HS编码是多少？")
    assert switched["language"] == "zh"
    assert re.search(r"[\u4e00-\u9fff]", switched["replies"][0]["text"])
    again = bot.say("mix-1", "谢谢")
    assert again["language"] == "zh"  # sticky after the switch
