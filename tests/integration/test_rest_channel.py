"""The REST channel over real HTTP on loopback."""

import asyncio
import json
import re
import time

import httpx
import pytest

from bot.bootstrap import bootstrap
from bot.channels.signing import sign
from bot.understanding import CommandRecognizer
from bot.web import create_app

SECRET = "test-secret-9f2"


@pytest.fixture
def make_server(settings_factory, live_server):
    made = []

    def make(bind_host="127.0.0.1", recognizer=None, **overrides):
        container = bootstrap(settings_factory(**overrides), recognizer=recognizer)
        server = live_server(create_app(container, bind_host=bind_host)).__enter__()
        made.append((server, container))
        return server, container

    yield make
    for server, container in made:
        server.__exit__(None, None, None)
        container.close()


def _signed(body: dict, secret=SECRET):
    raw = json.dumps(body).encode()
    return raw, {"Content-Type": "application/json", "X-Tradebot-Signature": sign(secret, raw)}


def _store_is_empty(container):
    return container.store.count_conversations() == 0


def test_turn_json_shape(make_server):
    server, _ = make_server()
    r = httpx.post(f"{server.url}/webhooks/rest", json={"sender": "s1", "message": "hello",
                                                        "metadata": {"locale": "fr-FR"}})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"conversation_id", "intent", "language", "replies", "sources", "handoff"}
    assert body["intent"] == "greeting" and body["language"] == "fr" and body["handoff"] is False
    assert body["replies"][0]["text"].startswith("Bonjour")
    assert body["replies"][0]["buttons"][0] == {"title": "Que sais-tu faire ?", "payload": "/help"}


@pytest.mark.parametrize("case", ["unsigned", "forged", "wrong_secret", "oversized", "malformed",
                                  "schema", "empty", "too_long", "extra_field"])
def test_bad_requests_are_refused_and_leave_no_trace(make_server, database_url, case):
    server, container = make_server(webhook_secret=SECRET, database_url=database_url,
                                    max_body_bytes=2048, max_message_chars=100)
    url = f"{server.url}/webhooks/rest"
    good = {"sender": "mallory", "message": "hello"}
    if case == "unsigned":
        r, expected = httpx.post(url, json=good), 401
    elif case == "forged":
        raw, headers = _signed(good)
        r, expected = httpx.post(url, content=raw.replace(b"hello", b"hellO"), headers=headers), 401
    elif case == "wrong_secret":
        raw, headers = _signed(good, secret="guess")
        r, expected = httpx.post(url, content=raw, headers=headers), 401
    elif case == "oversized":
        raw, headers = _signed({"sender": "mallory", "message": "x" * 5000})
        r, expected = httpx.post(url, content=raw, headers=headers), 413
    elif case == "malformed":
        raw = b'{"sender": "mallory", "message": '
        r, expected = httpx.post(url, content=raw, headers={"X-Tradebot-Signature": sign(SECRET, raw)}), 400
    elif case == "schema":
        raw, headers = _signed({"sender": "mallory", "message": 42})
        r, expected = httpx.post(url, content=raw, headers=headers), 422
    elif case == "empty":
        raw, headers = _signed({"sender": "mallory", "message": "   "})
        r, expected = httpx.post(url, content=raw, headers=headers), 422
    elif case == "too_long":
        raw, headers = _signed({"sender": "mallory", "message": "y" * 101})
        r, expected = httpx.post(url, content=raw, headers=headers), 413
    else:
        raw, headers = _signed({**good, "admin": True})
        r, expected = httpx.post(url, content=raw, headers=headers), 422
    assert r.status_code == expected, r.text
    body = r.json()
    assert body["error"] and body["message"] and "Traceback" not in r.text
    assert _store_is_empty(container)
    raw, headers = _signed(good)  # and a good request still works
    assert httpx.post(url, content=raw, headers=headers).status_code == 200
    assert container.store.count_conversations() == 1


def test_public_bind_without_secret_refuses_rest(make_server):
    server, container = make_server(bind_host="0.0.0.0")
    r = httpx.post(f"{server.url}/webhooks/rest", json={"sender": "x", "message": "hi"})
    assert r.status_code == 403 and r.json()["error"] == "channel_disabled"
    assert _store_is_empty(container)


def test_same_message_id_twice_and_concurrently_is_one_turn(make_server, database_url):
    server, container = make_server(database_url=database_url)
    url = f"{server.url}/webhooks/rest"
    body = {"sender": "dup", "message": "/help", "message_id": "wamid-1"}

    async def burst():
        async with httpx.AsyncClient(timeout=30) as client:
            return await asyncio.gather(*[client.post(url, json=body) for _ in range(20)])

    responses = asyncio.run(burst())
    responses.append(httpx.post(url, json=body))
    assert {r.status_code for r in responses} == {200}
    assert len({json.dumps(r.json(), sort_keys=True) for r in responses}) == 1
    conv = container.store.find("rest", "dup")
    assert [e.direction for e in container.store.transcript(conv.id)] == ["in", "out"]
    metrics = httpx.get(f"{server.url}/metrics").text
    assert 'tradebot_turns_total{channel="rest",intent="greeting"} 1.0' in metrics
    assert 'tradebot_duplicate_messages_total{channel="rest"} 20.0' in metrics


class SlowRecognizer(CommandRecognizer):
    """Recognition that takes a while, so concurrent requests really queue up."""

    def recognize(self, text, *, language_prior):
        time.sleep(0.01)
        return super().recognize(text, language_prior=language_prior)


def test_100_concurrent_requests_over_20_conversations(make_server, database_url):
    server, container = make_server(database_url=database_url, recognizer=SlowRecognizer())
    url = f"{server.url}/webhooks/rest"
    arrivals: dict[str, list[str]] = {}
    handle = container.service.handle

    async def recording_handle(msg):
        # the order in which messages reach the core is the arrival order to keep
        arrivals.setdefault(msg.sender, []).append(msg.text)
        return await handle(msg)

    container.service.handle = recording_handle

    async def send(client, conv, k):
        await asyncio.sleep(k * 0.02)  # rounds: message k of every conversation leaves after k
        return await client.post(url, json={"sender": f"c{conv}", "message": f"c{conv} m{k}",
                                            "message_id": f"c{conv}-{k}"})

    async def run():
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:
            return await asyncio.gather(*[send(client, c, k) for c in range(20) for k in range(5)])

    responses = asyncio.run(run())
    assert [r.status_code for r in responses] == [200] * 100
    for conv in range(20):
        snap = container.store.find("rest", f"c{conv}")
        entries = container.store.transcript(snap.id)
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        inbound = [e.text for e in entries if e.direction == "in"]
        assert sorted(inbound) == [f"c{conv} m{k}" for k in range(5)]
        assert inbound == arrivals[f"c{conv}"]  # processed in arrival order
        # each message is followed by its own replies before the next message: never interleaved
        shape = "".join("I" if e.direction == "in" else "o" for e in entries)
        assert re.fullmatch(r"(Io+){5}", shape), shape


def test_out_of_band_messages_by_polling_and_callback(make_server, live_server, settings_factory):
    from fastapi import FastAPI, Request

    received = []
    sink = FastAPI()

    @sink.post("/hook")
    async def hook(request: Request):
        received.append((await request.body(), request.headers.get("x-tradebot-signature")))
        return {"ok": True}

    with live_server(sink) as sink_server:
        server, container = make_server(webhook_secret=SECRET, rest_callback_url=f"{sink_server.url}/hook")
        raw, headers = _signed({"sender": "poller", "message": "hi"})
        conv_id = httpx.post(f"{server.url}/webhooks/rest", content=raw, headers=headers).json()["conversation_id"]
        mid = asyncio.run(container.service.push(conv_id, "A colleague will call you.", push_channel="rest"))

        path = "/webhooks/rest/poller/messages?after=0"
        assert httpx.get(f"{server.url}{path}").status_code == 401
        r = httpx.get(f"{server.url}{path}", headers={"X-Tradebot-Signature": sign(SECRET, path.encode())})
        assert r.status_code == 200
        assert [(m["id"], m["from"], m["text"]) for m in r.json()["messages"]] == [
            (mid, "staff", "A colleague will call you.")]
        path2 = f"/webhooks/rest/poller/messages?after={mid}"
        r2 = httpx.get(f"{server.url}{path2}", headers={"X-Tradebot-Signature": sign(SECRET, path2.encode())})
        assert r2.json() == {"messages": []}

        deadline = time.monotonic() + 10
        while not received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(received) == 1
        body, signature = received[0]
        assert signature == sign(SECRET, body)
        assert json.loads(body)["message"]["text"] == "A colleague will call you."
        assert container.outbox.status_of(mid) == "sent"


def test_health_and_metrics(make_server):
    server, _ = make_server()
    assert httpx.get(f"{server.url}/healthz").json()["status"] == "ok"
    httpx.post(f"{server.url}/webhooks/rest", json={"sender": "m", "message": "hi"})
    text = httpx.get(f"{server.url}/metrics").text
    assert "tradebot_turn_seconds_bucket" in text and 'channel="rest"' in text
