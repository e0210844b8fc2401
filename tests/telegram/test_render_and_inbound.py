"""Unit level: splitting, keyboards, callback data, commands, and golden payloads → InboundMessage."""

from __future__ import annotations

import pytest
from telegram import Update

from bot.channels.telegram_commands import COMMANDS, addresses_bot, menu, normalize_command
from bot.channels.telegram_inbound import from_callback, from_text
from bot.channels.telegram_render import (
    MAX_CALLBACK_DATA, fits_callback, keyboard, long_payloads, render, split_text, utf16_len, with_sources,
)
from bot.channels.telegram_store import callback_key
from bot.i18n import Translator
from bot.messages import Button, Reply, Source
from bot.settings import SUPPORTED_LANGUAGES
from tests.telegram.conftest import load

BOT = "tradebot_test_bot"


def test_short_text_is_one_chunk():
    assert split_text("  Hello!  ") == ["Hello!"]


def test_long_text_splits_at_paragraphs_then_sentences():
    para = "First sentence here. " * 60  # ~1,260 characters
    text = "\n\n".join([para.strip()] * 8)
    chunks = split_text(text)
    assert len(chunks) > 1 and all(utf16_len(c) <= 4096 for c in chunks)
    assert all(c.endswith("here.") for c in chunks)  # never cut mid-sentence
    assert "".join(chunks).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_split_counts_utf16_units_and_hard_cuts_unbroken_text():
    emoji = "🚢" * 3000  # 2 UTF-16 units each
    chunks = split_text(emoji)
    assert [utf16_len(c) for c in chunks] == [4096, 1904]
    assert "".join(chunks) == emoji
    assert [len(c) for c in split_text("x" * 9000)] == [4096, 4096, 808]


def test_cjk_text_splits_after_a_full_stop():
    chunks = split_text("这是一句话。" * 1000)
    assert len(chunks) == 2 and chunks[0].endswith("。")


def test_buttons_ride_on_the_last_chunk_only():
    messages = render([Reply("a. " * 2000, (Button("Help", "/help"),))])
    assert len(messages) == 2
    assert messages[0].markup is None
    assert messages[1].markup.inline_keyboard[0][0].callback_data == "/help"


def test_keyboard_layout_packs_short_titles():
    five = [Button(n, f"/lang {c}") for n, c in zip(["English", "Deutsch", "中文", "Español", "Français"],
                                                     SUPPORTED_LANGUAGES)]
    assert [len(r) for r in keyboard(five, {}).inline_keyboard] == [3, 2]
    long = [Button("Confirm and book this shipment", "yes"), Button("Cancel", "no")]
    assert [len(r) for r in keyboard(long, {}).inline_keyboard] == [1, 1]


def test_payloads_over_64_bytes_travel_as_stored_keys():
    payload = "/book quote=Q-2026-11-26-0042 incoterm=FOB port=CNSHA→DEHAM containers=2×40HC"
    assert len(payload.encode()) > MAX_CALLBACK_DATA
    assert not fits_callback(payload) and not fits_callback("k:looks-like-a-key") and fits_callback("/lang de")
    reply = Reply("Book it?", (Button("Book", payload), Button("No", "/cancel")))
    assert long_payloads([reply]) == [payload]
    key = callback_key(payload)
    assert len(key.encode()) <= MAX_CALLBACK_DATA and key == callback_key(payload)
    cells = render([reply], {payload: key})[0].markup.inline_keyboard[0]
    assert [c.callback_data for c in cells] == [key, "/cancel"]


def test_sources_are_listed_unless_the_answer_names_them():
    sources = [Source("inco-fob", "Incoterms 2020: FOB")]
    listed = with_sources([Reply("FOB means free on board.")], sources, "Sources:")
    assert listed[0].text.endswith("Sources:\n• Incoterms 2020: FOB")
    named = [Reply("FOB (see Incoterms 2020: FOB) means …")]
    assert with_sources(named, sources, "Sources:") == named


def test_commands_addressed_to_us_or_others():
    assert normalize_command("/start@tradebot_test_bot", BOT) == "/start"
    assert normalize_command("/lang@TradeBot_Test_Bot de", BOT) == "/lang de"
    assert normalize_command("/start@other_bot", BOT) is None
    assert normalize_command("hello @tradebot_test_bot", BOT) == "hello @tradebot_test_bot"
    assert addresses_bot("/help", BOT) and addresses_bot("hey @tradebot_test_bot", BOT)
    assert not addresses_bot("/help@other_bot", BOT) and not addresses_bot("good morning all", BOT)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_command_menu_is_complete_and_within_telegram_limits(language):
    commands = menu(Translator(), language)
    assert [c.command for c in commands] == list(COMMANDS)
    assert all(1 <= len(c.description) <= 256 for c in commands)
    if language != "en":
        assert commands[0].description != menu(Translator(), "en")[0].description


def test_text_payload_becomes_an_inbound_message():
    update = Update.de_json(load("text"), None)
    msg = from_text(update, BOT)
    assert (msg.channel, msg.sender, msg.text, msg.message_id) == ("telegram", "424242", "/start", "tg:500000001")
    assert msg.locale == "en" and msg.metadata["first_name"] == "Amara"


def test_group_command_is_normalized_and_callback_payload_is_the_text():
    group = from_text(Update.de_json(load("group"), None), BOT)
    assert group.text == "/start" and group.sender == "-1001987654321" and group.locale == "zh-hans"
    press = from_callback(Update.de_json(load("callback_query"), None), "/lang")
    assert (press.sender, press.text, press.message_id) == ("424242", "/lang", "tg:500000002")
    assert press.metadata["first_name"] == "Amara"


@pytest.mark.parametrize("name", ["photo", "sticker", "voice", "edited_message"])
def test_non_text_payloads_are_not_turned_into_messages(name):
    update = Update.de_json(load(name), None)
    if name == "edited_message":
        assert update.message is None and update.edited_message.text
    else:
        assert from_text(update, BOT) is None
