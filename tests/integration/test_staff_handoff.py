"""Handoff and the staff API over real HTTP, on SQLite and PostgreSQL."""

import asyncio
import json
import time

import httpx
import pytest

from bot.bootstrap import bootstrap
from bot.web import create_app


@pytest.fixture
def desk(settings_factory, live_server, database_url):
    container = bootstrap(settings_factory(database_url=database_url))
    server = live_server(create_app(container)).__enter__()
    tokens = {name: container.accounts.add(name) for name in ("alice", "bob")}
    yield server, container, tokens
    server.__exit__(None, None, None)
    container.close()


def say(server, sender, text, **meta):
    r = httpx.post(f"{server.url}/webhooks/rest", json={"sender": sender, "message": text, "metadata": meta})
    assert r.status_code == 200, r.text
    return r.json()


def staff(server, token, method, path, **kwargs):
    return httpx.request(method, f"{server.url}/api/staff{path}",
                         headers={"Authorization": f"Bearer {token}"}, **kwargs)


def test_escalate_reply_resolve_round_trip(desk):
    server, container, tokens = desk
    say(server, "m1", "hello", locale="de")
    esc = say(server, "m1", "/human")
    assert esc["intent"] == "handoff" and esc["handoff"] is True and esc["language"] == "de"
    assert "/bot" in [b["payload"] for b in esc["replies"][0]["buttons"]]
    cid = esc["conversation_id"]
    silent = say(server, "m1", "Ist da jemand?")
    assert silent["replies"] == [] and silent["handoff"] is True  # the bot does not answer

    queue = staff(server, tokens["alice"], "GET", "/conversations", params={"status": "waiting"}).json()
    assert [c["id"] for c in queue["conversations"]] == [cid]
    assert queue["conversations"][0]["language"] == "de" and queue["conversations"][0]["channel"] == "rest"

    summary = staff(server, tokens["alice"], "GET", f"/conversations/{cid}").json()
    assert summary["language"] == "de" and summary["channel"] == "rest" and summary["intent"] == "handoff"
    assert [m["text"] for m in summary["messages"] if m["from"] == "merchant"] == ["hello", "/human", "Ist da jemand?"]

    assert staff(server, tokens["alice"], "POST", f"/conversations/{cid}/reply", json={"text": "x"}).status_code == 409
    assert staff(server, tokens["alice"], "POST", f"/conversations/{cid}/claim").status_code == 200
    assert staff(server, tokens["bob"], "POST", f"/conversations/{cid}/claim").status_code == 409
    assert staff(server, tokens["bob"], "POST", f"/conversations/{cid}/reply", json={"text": "x"}).status_code == 409
    r = staff(server, tokens["alice"], "POST", f"/conversations/{cid}/reply",
              json={"text": "Guten Tag, hier ist Alice vom Support."})
    assert r.status_code == 200
    note = staff(server, tokens["alice"], "POST", f"/conversations/{cid}/notes", json={"text": "VIP merchant"})
    assert note.status_code == 200

    polled = httpx.get(f"{server.url}/webhooks/rest/m1/messages").json()["messages"]
    assert [(m["from"], m["text"]) for m in polled] == [("staff", "Guten Tag, hier ist Alice vom Support.")]
    summary = staff(server, tokens["alice"], "GET", f"/conversations/{cid}").json()
    assert summary["notes"][0]["text"] == "VIP merchant" and summary["notes"][0]["author"] == "alice"
    assert all("VIP" not in m["text"] for m in summary["messages"])  # notes never reach the merchant

    assert staff(server, tokens["bob"], "POST", f"/conversations/{cid}/resolve").status_code == 409
    assert staff(server, tokens["alice"], "POST", f"/conversations/{cid}/resolve").status_code == 200
    polled = httpx.get(f"{server.url}/webhooks/rest/m1/messages", params={"after": polled[-1]["id"]}).json()
    assert polled["messages"][0]["from"] == "bot" and "zurückgegeben" in polled["messages"][0]["text"]
    back = say(server, "m1", "hallo")
    assert back["handoff"] is False and back["replies"][0]["text"].startswith("Hallo")
    assert staff(server, tokens["alice"], "GET", "/conversations").json() == {"conversations": []}


def test_two_staff_claim_at_once_one_wins(desk):
    server, container, tokens = desk
    cid = say(server, "m2", "I want to talk to a human")["conversation_id"]

    async def race():
        async with httpx.AsyncClient(base_url=f"{server.url}/api/staff") as client:
            return await asyncio.gather(*[
                client.post(f"/conversations/{cid}/claim", headers={"Authorization": f"Bearer {tokens[n]}"})
                for n in ("alice", "bob", "alice", "bob")])

    codes = sorted(r.status_code for r in asyncio.run(race()))
    winners = {r.json()["handoff"]["claimed_by"] for r in asyncio.run(race()) if r.status_code == 200}
    assert 409 in codes and len(winners) == 1


def test_merchant_returns_to_bot_with_bot_command(desk):
    server, _, tokens = desk
    cid = say(server, "m3", "/human")["conversation_id"]
    back = say(server, "m3", "/bot")
    assert back["handoff"] is False and "back" in back["replies"][0]["text"]
    assert staff(server, tokens["alice"], "GET", "/conversations").json()["conversations"] == []
    assert staff(server, tokens["alice"], "POST", f"/conversations/{cid}/claim").status_code == 409


def test_two_misunderstandings_offer_a_human(desk):
    server, _, _ = desk
    first = say(server, "m4", "what's the weather tomorrow")
    assert len(first["replies"]) == 1
    second = say(server, "m4", "tell me a joke")
    assert "/human" in [b["payload"] for r in second["replies"] for b in r["buttons"]]


def test_unauthenticated_and_cross_site_requests_are_refused(desk):
    server, container, tokens = desk
    cid = say(server, "m5", "/human")["conversation_id"]
    base = f"{server.url}/api/staff"
    assert httpx.get(f"{base}/conversations").status_code == 401
    assert httpx.get(f"{base}/conversations", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert httpx.post(f"{base}/conversations/{cid}/claim").status_code == 401
    # a console session: the cookie alone is not enough for writes
    with httpx.Client(base_url=server.url, follow_redirects=False) as browser:
        r = browser.post("/staff/login", data={"name": "alice", "token": tokens["alice"]})
        assert r.status_code == 303 and "httponly" in r.headers["set-cookie"].lower()
        assert "samesite=strict" in r.headers["set-cookie"].lower()
        assert browser.get("/api/staff/conversations").status_code == 200
        assert browser.post(f"/api/staff/conversations/{cid}/claim").status_code == 403
        page = browser.get("/staff").text
        csrf = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
        evil = browser.post(f"/api/staff/conversations/{cid}/claim",
                            headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"})
        assert evil.status_code == 403
        ok = browser.post(f"/api/staff/conversations/{cid}/claim",
                          headers={"X-CSRF-Token": csrf, "Origin": server.url})
        assert ok.status_code == 200
    assert httpx.post(f"{server.url}/staff/login", data={"name": "alice", "token": "wrong"}).status_code == 401
    schema = httpx.get(f"{server.url}/openapi.json").json()
    assert "/api/staff/conversations/{conversation_id}/claim" in schema["paths"]


def test_handoff_survives_restart(settings_factory, live_server, database_url):
    c1 = bootstrap(settings_factory(database_url=database_url))
    with live_server(create_app(c1)) as server:
        cid = say(server, "m6", "/human")["conversation_id"]
    c1.close()
    c2 = bootstrap(settings_factory(database_url=database_url))
    token = c2.accounts.add("carol")
    with live_server(create_app(c2)) as server:
        assert say(server, "m6", "still there?")["replies"] == []
        queue = staff(server, token, "GET", "/conversations").json()["conversations"]
        assert [c["id"] for c in queue] == [cid]
    c2.close()
