"""WhatsApp pieces without a server: payload parsing, rendering, the client's errors, the
window-aware sender, the inbox's leases and its migration."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import ValidationError

from bot.channels.whatsapp_client import (
    GraphApiClient, OutsideServiceWindow, WhatsAppRejected, WhatsAppUnavailable,
)
from bot.channels.whatsapp_payloads import Envelope, extract, locale_hint
from bot.channels.whatsapp_render import Labels, render_reply, split_text
from bot.channels.whatsapp_worker import WhatsAppSender
from bot.i18n import Translator
from bot.messages import Button, Reply
from bot.store.db import make_engine, migrate
from bot.store.inbox import InboxStore, NewInboxItem
from bot.store.outbox import PendingDelivery
from bot.store.tables import Base, utcnow
from tests.whatsapp.conftest import PHONE_NUMBER_ID, load, payload
from tests.whatsapp.fake_graph_api import problems

LABELS = Labels(options="Options", choose="Please choose:")


# -- payloads ----------------------------------------------------------------------------
@pytest.mark.parametrize("name, kind, text", [
    ("text", "text", "Hallo"), ("button_reply", "text", "/help"), ("list_reply", "text", "/lang fr"),
    ("image", "unsupported", ""),
])
def test_recorded_payloads_translate_for_the_core(name, kind, text):
    batch = extract(Envelope.model_validate(load(name)), PHONE_NUMBER_ID)
    [m] = batch.messages
    assert (m.kind, m.text, m.sender, m.profile_name) == (kind, text, "4915112345678", "Anna Schmidt")
    assert m.message_id.startswith("wamid.") and m.sent_at.year == 2025


def test_status_payload_has_no_messages():
    batch = extract(Envelope.model_validate(load("status")), PHONE_NUMBER_ID)
    assert batch.messages == [] and [s.status for s in batch.statuses] == ["delivered"]


@pytest.mark.parametrize("mutate", [
    lambda m: m.pop("from"), lambda m: m.update({"from": "../etc"}), lambda m: m.update({"type": "text", "text": None}),
    lambda m: m.update({"timestamp": "yesterday"}), lambda m: m.update({"id": ""}),
])
def test_strict_message_fields(mutate):
    data = payload()
    mutate(data["entry"][0]["changes"][0]["value"]["messages"][0])
    with pytest.raises(ValidationError):
        extract(Envelope.model_validate(data), PHONE_NUMBER_ID)


def test_reactions_and_blank_texts_are_ignored():
    data = payload(text="   ")
    assert extract(Envelope.model_validate(data), PHONE_NUMBER_ID).messages[0].kind == "ignored"
    msg = data["entry"][0]["changes"][0]["value"]["messages"][0]
    msg.update({"type": "reaction", "reaction": {"message_id": "wamid.X", "emoji": "👍"}})
    assert extract(Envelope.model_validate(data), PHONE_NUMBER_ID).messages[0].kind == "ignored"


def test_locale_hint_from_calling_code():
    assert [locale_hint(n) for n in ("4915112345678", "+33612345678", "8613800000000", "15550001111",
                                     "user.abc")] == ["de", "fr", "zh", None, None]


# -- rendering ---------------------------------------------------------------------------
def test_three_buttons_are_reply_buttons_with_short_titles():
    reply = Reply("Pick one", (Button("A very long button title indeed", "/a"), Button("B", "/b"),
                               Button("C", "/c")))
    [body] = render_reply(reply, "491", LABELS)
    assert problems(body) == []
    buttons = body["interactive"]["action"]["buttons"]
    assert [b["reply"]["id"] for b in buttons] == ["/a", "/b", "/c"]
    assert buttons[0]["reply"]["title"] == "A very long button…"


@pytest.mark.parametrize("n, lists", [(4, 1), (10, 1), (11, 2), (25, 3)])
def test_more_than_three_buttons_become_lists_of_at_most_ten(n, lists):
    reply = Reply("Choose a port", tuple(Button(f"Port number {i} with a long name", f"/port {i}")
                                         for i in range(n)))
    bodies = render_reply(reply, "491", LABELS)
    assert len(bodies) == lists and all(problems(b) == [] for b in bodies)
    rows = [r for b in bodies for r in b["interactive"]["action"]["sections"][0]["rows"]]
    assert [r["id"] for r in rows] == [f"/port {i}" for i in range(n)]
    assert rows[0]["description"] == "Port number 0 with a long name"


def test_long_text_is_split_and_buttons_follow():
    text = ("Paragraph. " * 200 + "\n\n") * 3
    bodies = render_reply(Reply(text, (Button("OK", "/ok"),)), "491", LABELS)
    assert all(problems(b) == [] for b in bodies)
    assert [b["type"] for b in bodies[:-1]] == ["text"] * (len(bodies) - 1)
    assert bodies[-1]["interactive"]["body"]["text"] == "Please choose:"
    assert all(len(c) <= 4096 for c in split_text("x" * 10_000))


@pytest.mark.parametrize("language", ["en", "de", "zh", "es", "fr"])
def test_every_language_renders_within_the_limits(language):
    t = Translator()
    keys = ["button.help", "button.lang", "button.human", "button.bot"]
    buttons = tuple(Button(t.text(k, language), f"/{k}") for k in keys)
    languages = tuple(Button(t.native_language_name(c), f"/lang {c}") for c in ("en", "de", "zh", "es", "fr"))
    labels = Labels(t.text("whatsapp.options", language), t.text("whatsapp.choose", language))
    for reply in (Reply(t.text("welcome", language, name=""), buttons[:2]), Reply(t.text("help", language), buttons),
                  Reply(t.text("lang.ask", language), languages)):
        assert all(problems(b) == [] for b in render_reply(reply, "491", labels))


def test_payload_too_long_for_an_id_degrades_to_text_options():
    [body] = render_reply(Reply("Pick", (Button("Go", "/" + "x" * 300),)), "491", LABELS)
    assert body["type"] == "text" and "• Go" in body["text"]["body"]


# -- client and sender -------------------------------------------------------------------
def _client(handler) -> GraphApiClient:
    return GraphApiClient(httpx.AsyncClient(transport=httpx.MockTransport(handler)),
                          "https://graph.example/v21.0", PHONE_NUMBER_ID, "tok")


@pytest.mark.parametrize("status, code, error", [
    (503, 131000, WhatsAppUnavailable), (429, 130429, WhatsAppUnavailable), (400, 131009, WhatsAppRejected),
    (400, 131047, OutsideServiceWindow), (401, 190, WhatsAppRejected),
])
async def test_graph_errors_are_wrapped_once(status, code, error):
    api = _client(lambda r: httpx.Response(status, json={"error": {"message": "no", "code": code}}))
    with pytest.raises(error) as info:
        await api.send({"messaging_product": "whatsapp"})
    assert info.value.code == code


async def test_network_error_is_unavailable():
    def boom(request):
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(WhatsAppUnavailable):
        await _client(boom).send({})


@pytest.fixture
def inbox(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    yield InboxStore(engine)
    engine.dispose()


async def test_out_of_band_uses_a_template_outside_the_window(inbox):
    sent = []
    api = _client(lambda r: sent.append(json.loads(r.content)) or httpx.Response(
        200, json={"messages": [{"id": "wamid.1"}]}))
    item = PendingDelivery(1, 1, "conv", "4915112345678", "staff", "Hallo!\nWir melden uns.", {})
    inbox.add("whatsapp", [NewInboxItem("wamid.old", item.sender, {}, utcnow() - timedelta(hours=25))])
    with pytest.raises(OutsideServiceWindow):
        await WhatsAppSender(api, Translator(), inbox).deliver_out_of_band(item, "de")
    await WhatsAppSender(api, Translator(), inbox, template="staff_reply").deliver_out_of_band(item, "de")
    assert sent[-1]["type"] == "template" and problems(sent[-1]) == []
    assert sent[-1]["template"]["language"] == {"code": "de"}
    assert sent[-1]["template"]["components"][0]["parameters"][0]["text"] == "Hallo! Wir melden uns."
    inbox.add("whatsapp", [NewInboxItem("wamid.new", item.sender, {}, utcnow())])
    await WhatsAppSender(api, Translator(), inbox).deliver_out_of_band(item, "de")
    assert sent[-1]["type"] == "text"


# -- inbox -------------------------------------------------------------------------------
def test_inbox_dedupes_leases_and_takes_over_expired_claims(inbox):
    item = NewInboxItem("wamid.A", "491", {"kind": "text", "text": "hi"}, utcnow())
    assert inbox.add("whatsapp", [item, item]) == ["wamid.A"]
    assert inbox.add("whatsapp", [item]) == []
    [claimed] = inbox.claim_due("whatsapp", lease_seconds=60)
    assert inbox.claim_due("whatsapp") == []  # leased
    inbox.release(claimed.id)
    [again] = inbox.claim_due("whatsapp", lease_seconds=-1)  # a worker that died holding it
    [taken_over] = inbox.claim_due("whatsapp")
    assert again.id == taken_over.id and taken_over.attempts == 3
    inbox.progress(taken_over.id, 2)
    assert inbox.retry(taken_over.id, "boom") == "pending"
    assert inbox.retry(taken_over.id, "bad", permanent=True) == "failed"
    assert inbox.counts("whatsapp") == {"failed": 1}
    assert inbox.prune("telegram", older_than=timedelta(seconds=-1)) == 0
    assert inbox.prune("whatsapp", older_than=timedelta(seconds=-1)) == 1


def test_migration_matches_the_table_definitions(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    migrate(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert [d for d in diff if "inbox" in repr(d)] == []
