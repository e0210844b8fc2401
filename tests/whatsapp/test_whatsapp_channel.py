"""The WhatsApp channel over real HTTP on loopback, talking to a fake Graph API."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
import pytest

from bot.i18n import Translator
from bot.store.tables import utcnow
from tests.whatsapp.conftest import GERMAN_USER, VERIFY_TOKEN, payload, signed

T = Translator()
URL = "/webhooks/whatsapp"


def post(srv, data, **kw) -> httpx.Response:
    raw, headers = signed(data, **kw)
    return httpx.post(f"{srv.url}{URL}", content=raw, headers=headers, timeout=10)


def settled_inbox(srv, expected: dict, timeout: float = 5) -> dict:
    """The inbox counts once they equal ``expected`` (or whatever they are at the deadline)."""
    deadline = time.monotonic() + timeout
    while (counts := srv.channel.inbox.counts("whatsapp")) != expected and time.monotonic() < deadline:
        time.sleep(0.03)
    return counts


def texts_of(bodies: list[dict]) -> list[str]:
    out = []
    for b in bodies:
        if b["type"] == "text":
            out.append(b["text"]["body"])
        elif b["type"] == "interactive":
            out.append(b["interactive"]["body"]["text"])
    return out


# -- verification ------------------------------------------------------------------------
@pytest.mark.parametrize("mode, token, challenge, status", [
    ("subscribe", VERIFY_TOKEN, "1158201444", 200),
    ("subscribe", "wrong-token", "1158201444", 403),
    ("subscribe", "", "1158201444", 403),
    ("unsubscribe", VERIFY_TOKEN, "1158201444", 403),
    (None, VERIFY_TOKEN, "1158201444", 403),
    ("subscribe", VERIFY_TOKEN, "<script>alert(1)</script>", 400),
])
def test_verification_challenge_needs_the_right_token(wa_server, mode, token, challenge, status):
    srv = wa_server()
    params = {k: v for k, v in {"hub.mode": mode, "hub.verify_token": token,
                                "hub.challenge": challenge}.items() if v is not None}
    r = httpx.get(f"{srv.url}{URL}", params=params)
    assert r.status_code == status
    if status == 200:
        assert r.text == challenge and r.headers["content-type"].startswith("text/plain")
    else:
        assert challenge not in r.text and r.json()["error"]


def test_verification_refused_without_a_configured_token(wa_server):
    srv = wa_server(whatsapp_verify_token=None)
    r = httpx.get(f"{srv.url}{URL}", params={"hub.mode": "subscribe", "hub.verify_token": "",
                                             "hub.challenge": "42"})
    assert r.status_code == 403


# -- signatures --------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["unsigned", "forged", "wrong_secret", "garbage_header"])
def test_forged_or_missing_signature_is_refused_and_nothing_is_stored(wa_server, graph, case):
    srv = wa_server()
    data = payload(text="/help")
    raw, headers = signed(data)
    if case == "unsigned":
        del headers["X-Hub-Signature-256"]
    elif case == "forged":
        raw = raw.replace(b"/help", b"/lang")
    elif case == "wrong_secret":
        raw, headers = signed(data, secret="guessed-secret")
    else:
        headers["X-Hub-Signature-256"] = "sha1=" + "0" * 40
    r = httpx.post(f"{srv.url}{URL}", content=raw, headers=headers)
    assert r.status_code == 401, r.text
    assert r.json()["error"] in {"unsigned", "bad_signature"} and "Traceback" not in r.text
    assert srv.channel.inbox.counts("whatsapp") == {}
    assert srv.container.store.count_conversations() == 0
    assert graph.settle(0.3) == []


# -- messages into the core ------------------------------------------------------------------
def test_german_user_gets_german_replies_with_interactive_buttons_and_lists(wa_server, graph):
    srv = wa_server()
    assert post(srv, payload(text="/lang de")).status_code == 200
    first = graph.wait_for(1)
    assert texts_of(first) == [T.text("lang.set", "de", lang_name=T.language_name("de", "de"))]

    assert post(srv, payload(text="Hallo")).status_code == 200
    welcome = graph.wait_for(2)[1]
    assert welcome["to"] == GERMAN_USER and welcome["type"] == "interactive"
    inter = welcome["interactive"]
    assert inter["type"] == "button" and inter["body"]["text"].startswith("Hallo Anna!")
    buttons = inter["action"]["buttons"]
    assert 1 <= len(buttons) <= 3
    assert {b["reply"]["id"]: b["reply"]["title"] for b in buttons} == {
        "/help": T.text("button.help", "de"), "/lang": T.text("button.lang", "de")}

    assert post(srv, payload(text="/lang")).status_code == 200  # five languages: a list message
    choice = graph.wait_for(3)[2]
    inter = choice["interactive"]
    assert inter["type"] == "list" and inter["body"]["text"] == T.text("lang.ask", "de")
    assert inter["action"]["button"] == T.text("whatsapp.options", "de")
    rows = inter["action"]["sections"][0]["rows"]
    assert len(rows) == 5 and {"id": "/lang fr", "title": "Français"} in rows


def test_sender_from_germany_writing_hallo_is_answered_in_german(wa_server, graph):
    srv = wa_server()
    assert post(srv, payload(text="Hallo")).status_code == 200
    body = graph.wait_for(1)[0]
    assert body["interactive"]["body"]["text"].startswith("Hallo Anna! Ich bin tradebot")


def test_button_and_list_replies_carry_their_payload_to_the_core(wa_server, graph):
    srv = wa_server()
    post(srv, payload("button_reply", reply_id="/help"))
    assert texts_of(graph.wait_for(1)) == [T.text("help", "de")]
    post(srv, payload("list_reply", reply_id="/lang fr"))
    assert texts_of(graph.wait_for(2))[1] == T.text("lang.set", "fr", lang_name=T.language_name("fr", "fr"))
    conv = srv.container.store.find("whatsapp", GERMAN_USER)
    inbound = [e.text for e in srv.container.store.transcript(conv.id) if e.direction == "in"]
    assert inbound == ["/help", "/lang fr"]


def test_image_gets_a_polite_localized_reply_and_statuses_are_ignored(wa_server, graph):
    srv = wa_server()
    post(srv, payload(text="/lang es", sender="4917000000001"))
    graph.wait_for(1)
    r = post(srv, payload("image", sender="4917000000001"))
    assert r.status_code == 200 and r.json()["stored"] == 1
    assert texts_of(graph.wait_for(2))[1] == T.text("whatsapp.unsupported", "es")
    r = post(srv, payload("status"))
    assert r.status_code == 200 and r.json()["stored"] == 0
    assert len(graph.settle(0.4)) == 2
    assert settled_inbox(srv, {"done": 2}) == {"done": 2}


def test_duplicate_deliveries_get_one_reply(database_url, wa_server, graph):
    srv = wa_server(database_url=database_url)
    data = payload(text="/help", wamid="wamid.DUPLICATE-1")

    async def burst():
        raw, headers = signed(data)
        async with httpx.AsyncClient(timeout=10) as client:
            return await asyncio.gather(*[client.post(f"{srv.url}{URL}", content=raw, headers=headers)
                                          for _ in range(10)])

    responses = asyncio.run(burst())
    assert {r.status_code for r in responses} == {200}
    assert sum(r.json()["stored"] for r in responses) == 1
    graph.wait_for(1)
    assert post(srv, data).json() == {"status": "accepted", "stored": 0, "duplicates": 1}
    assert len(graph.settle(0.5)) == 1
    conv = srv.container.store.find("whatsapp", GERMAN_USER)
    assert [e.direction for e in srv.container.store.transcript(conv.id)] == ["in", "out"]


def test_acknowledged_message_is_processed_after_a_restart(database_url, wa_server, graph):
    started = []

    def stall(container):  # the core hangs: the message is acknowledged, not answered
        async def hang(msg):
            started.append(msg.message_id)
            await asyncio.Event().wait()

        container.service.handle = hang

    first = wa_server(prepare=stall, database_url=database_url)
    t0 = time.perf_counter()
    r = post(first, payload(text="/help", wamid="wamid.RESTART-1"))
    assert r.status_code == 200 and r.json()["stored"] == 1
    assert time.perf_counter() - t0 < 2  # acknowledged without waiting for the core
    deadline = time.monotonic() + 5
    while not started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert started == ["wamid.RESTART-1"]
    first.stop()  # shutdown while the message is in flight
    assert graph.sent == []

    second = wa_server(database_url=database_url)  # same database
    assert texts_of(graph.wait_for(1)) == [T.text("help", "de")]
    assert len(graph.settle(0.4)) == 1
    assert settled_inbox(second, {"done": 1}) == {"done": 1}


def test_graph_api_outage_is_retried(wa_server, graph):
    graph.fail_next = [503]
    srv = wa_server()
    post(srv, payload(text="/help"))
    assert texts_of(graph.wait_for(1, timeout=15)) == [T.text("help", "de")]
    assert graph.refused and graph.refused[0][0] == 503
    assert settled_inbox(srv, {"done": 1}) == {"done": 1}


def test_over_the_rate_limit_is_acknowledged_and_dropped(wa_server, graph):
    srv = wa_server(rate_limit_per_minute=2)
    results = [post(srv, payload(text="/help")) for _ in range(4)]
    assert [r.status_code for r in results] == [200] * 4
    assert [r.json()["stored"] for r in results] == [1, 1, 0, 0]
    assert len(graph.settle(0.5)) == 2
    assert 'reason="rate_limited"' in httpx.get(f"{srv.url}/metrics").text


def test_messages_for_another_phone_number_are_ignored(wa_server, graph):
    srv = wa_server()
    data = payload(text="/help")
    data["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    assert post(srv, data).json()["stored"] == 0
    assert graph.settle(0.3) == []


def test_schema_violations_are_clear_json_errors(wa_server):
    srv = wa_server()
    for bad, status in [({"object": "page", "entry": []}, 422),
                        (payload(text="x") | {"entry": "nope"}, 422),
                        (b"{not json", 400)]:
        r = post(srv, bad)
        assert r.status_code == status and r.json()["error"] and "Traceback" not in r.text
    big = payload(text="x" * 70_000)
    assert post(srv, big).status_code == 413
    assert srv.channel.inbox.counts("whatsapp") == {}


# -- out-of-band messages (staff replies) ----------------------------------------------------
def test_staff_reply_goes_out_through_the_outbox(wa_server, graph):
    srv = wa_server()
    post(srv, payload(text="/lang de"))
    graph.wait_for(1)
    conv = srv.container.store.find("whatsapp", GERMAN_USER)
    mid = asyncio.run(srv.container.service.push(conv.id, "Eine Kollegin meldet sich gleich.",
                                                 push_channel="whatsapp"))
    assert texts_of(graph.wait_for(2))[1] == "Eine Kollegin meldet sich gleich."
    deadline = time.monotonic() + 5
    while srv.container.outbox.status_of(mid) != "sent" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.container.outbox.status_of(mid) == "sent"


def test_staff_reply_outside_the_service_window_is_held_and_logged(wa_server, graph, caplog):
    old = int((utcnow() - timedelta(hours=30)).timestamp())
    srv = wa_server()
    post(srv, payload(text="/help", timestamp=old))  # too old to be answered freely
    assert settled_inbox(srv, {"done": 1}) == {"done": 1}
    assert graph.settle(0.3) == []  # the bot's own answer was not sent either
    conv = srv.container.store.find("whatsapp", GERMAN_USER)
    mid = asyncio.run(srv.container.service.push(conv.id, "Hello again", push_channel="whatsapp"))
    deadline = time.monotonic() + 5
    while not any("service window is closed" in r.getMessage() for r in caplog.records):
        assert time.monotonic() < deadline, "no log about the closed window"
        time.sleep(0.05)
    time.sleep(0.2)
    assert srv.container.outbox.status_of(mid) == "pending"  # kept for a retry
    assert graph.sent == []


def test_with_the_nlu_engine_a_german_user_writing_hallo_is_answered_in_german(wa_server, graph):
    srv = wa_server(recognizer=None)  # the product's default recognizer
    post(srv, payload(text="Hallo"))
    body = graph.wait_for(1, timeout=60)[0]
    assert body["type"] == "interactive" and body["interactive"]["type"] == "button"
    assert body["interactive"]["body"]["text"].startswith("Hallo Anna! Ich bin tradebot")
    titles = {b["reply"]["title"] for b in body["interactive"]["action"]["buttons"]}
    assert T.text("button.help", "de") in titles
