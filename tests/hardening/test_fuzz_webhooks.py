"""Property-based fuzzing of every webhook route (REST, WhatsApp, and Telegram when present).

Thousands of generated and mutated payloads, each sent with forged or real credentials:
nothing without a valid signature or secret is stored or processed, nothing ever causes a
5xx, and every refusal is a clear JSON error without a stack trace.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bootstrap import bootstrap
from bot.channels.signing import sign
from bot.settings import Settings
from bot.store.inbox import InboxStore
from bot.understanding import CommandRecognizer
from bot.web import create_app
from tests.whatsapp.conftest import load

REST_SECRET = "fuzz-rest-secret-41"
WA_SECRET = "fuzz-wa-secret-77"
TG_SECRET = "fuzz-tg-secret-93"
VERIFY_TOKEN = "fuzz-verify-token"
MAX_BODY = 16 * 1024
CASES: Counter[str] = Counter()
# 5xx answers of the Telegram route to authentic updates: that channel belongs to another
# module's owners, so they are collected and reported by one test of their own.
TELEGRAM_SERVER_ERRORS: list[bytes] = []
FUZZ = settings(max_examples=450, deadline=None, database=None, derandomize=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])

WA_SEEDS = [load(n) for n in ("text", "button_reply", "list_reply", "image", "status")]
REST_SEEDS = [{"sender": "fuzz-user", "message": "hello", "metadata": {"locale": "de"}},
              {"sender": "fuzz-user", "message": "/lang fr", "message_id": "m-1"}]
TG_SEEDS = [{"update_id": 10001, "message": {
    "message_id": 1, "date": 1764158400, "text": "Hallo",
    "chat": {"id": 4242, "type": "private", "first_name": "Anna"},
    "from": {"id": 4242, "is_bot": False, "first_name": "Anna", "language_code": "de"}}},
    {"update_id": 10002, "callback_query": {
        "id": "77", "chat_instance": "1", "data": "/help",
        "from": {"id": 4242, "is_bot": False, "first_name": "Anna"}}}]


# -- the servers under test ------------------------------------------------------------------
def _app(tmp_path_factory, name: str):
    settings_ = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp(name), webhook_secret=REST_SECRET,
                         whatsapp_app_secret=WA_SECRET, whatsapp_verify_token=VERIFY_TOKEN,
                         whatsapp_access_token="fuzz-token", whatsapp_phone_number_id="106540352242922",
                         whatsapp_api_url="http://127.0.0.1:9/v21.0", max_body_bytes=MAX_BODY,
                         telegram_token="123456:FUZZ-token", telegram_secret=TG_SECRET,
                         telegram_webhook_url="https://bot.example/webhooks/telegram",
                         telegram_api_url="http://127.0.0.1:9/bot")
    container = bootstrap(settings_, recognizer=CommandRecognizer())
    app = create_app(container, bind_host="0.0.0.0")
    _add_telegram_if_available(app, container)
    return app, container


def _add_telegram_if_available(app, container) -> None:  # noqa: ANN001
    """Serve ``POST /webhooks/telegram`` too, when the Telegram channel exists."""
    if any(c.name == "telegram" for c in app.state.channels):
        return
    try:
        from bot.channels.telegram_channel import TelegramChannel
    except ImportError:
        return
    channel = TelegramChannel(container)
    app.state.channels.append(channel)  # the lifespan starts the same list's channels
    app.include_router(channel.router())


def _routes(app) -> set[str]:  # noqa: ANN001
    return set(app.openapi()["paths"])


@pytest.fixture(scope="module")
def forged(tmp_path_factory):
    app, container = _app(tmp_path_factory, "forged")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, container, _routes(app)
    container.close()


@pytest.fixture(scope="module")
def authentic(tmp_path_factory):
    app, container = _app(tmp_path_factory, "authentic")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, container, _routes(app)
    container.close()


# -- payload generators ----------------------------------------------------------------------
scalars = (st.none() | st.booleans() | st.integers(-2**63, 2**63) | st.floats(allow_nan=False)
           | st.text(max_size=40))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=20)


def _slots(doc: Any, out: list) -> list:
    if isinstance(doc, dict):
        for key, value in doc.items():
            out.append((doc, key))
            _slots(value, out)
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out.append((doc, index))
            _slots(value, out)
    return out


@st.composite
def mutated_json(draw, seeds: list[dict]) -> Any:
    """A seed payload with 1–5 structural mutations (replace, delete, add, retype)."""
    doc = copy.deepcopy(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 5))):
        slots = _slots(doc, [])
        if not slots:
            break
        parent, key = draw(st.sampled_from(slots))
        op = draw(st.sampled_from(["replace", "delete", "add", "stringify", "huge"]))
        if op == "replace":
            parent[key] = draw(json_values)
        elif op == "delete":
            del parent[key]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(json_values)
        elif op == "stringify":
            parent[key] = json.dumps(parent[key])
        elif op == "huge":
            parent[key] = "x" * draw(st.sampled_from([300, 5000, 70_000]))
    return doc


@st.composite
def mutated_bytes(draw, seeds: list[dict]) -> bytes:
    raw = bytearray(json.dumps(draw(st.sampled_from(seeds))).encode())
    for _ in range(draw(st.integers(1, 6))):
        if not raw:
            break
        at = draw(st.integers(0, len(raw) - 1))
        op = draw(st.sampled_from(["flip", "cut", "insert", "drop"]))
        if op == "flip":
            raw[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del raw[at:]
        elif op == "insert":
            raw[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            del raw[at]
    return bytes(raw)


def bodies(seeds: list[dict]) -> st.SearchStrategy[bytes]:
    as_json = (mutated_json(seeds) | json_values | st.sampled_from(seeds)).map(lambda d: json.dumps(d).encode())
    return st.one_of(as_json, mutated_bytes(seeds), st.binary(max_size=256),
                     st.just(b"{" * 10_000), st.just(b" " * (MAX_BODY + 1)))


ROUTES = {"rest": ("/webhooks/rest", "X-Tradebot-Signature", REST_SECRET, REST_SEEDS),
          "whatsapp": ("/webhooks/whatsapp", "X-Hub-Signature-256", WA_SECRET, WA_SEEDS),
          "telegram": ("/webhooks/telegram", "X-Telegram-Bot-Api-Secret-Token", TG_SECRET, TG_SEEDS)}
header_text = st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=80)


@st.composite
def forged_requests(draw) -> tuple[str, str, bytes, dict[str, str]]:
    name = draw(st.sampled_from(sorted(ROUTES)))
    path, header, secret, seeds = ROUTES[name]
    raw = draw(bodies(seeds))
    mode = draw(st.sampled_from(["none", "garbage", "wrong_secret", "other_body", "case", "empty"]))
    headers = {"Content-Type": "application/json"}
    if name == "telegram":
        value = {"none": None, "garbage": draw(header_text), "wrong_secret": "guessed-" + secret,
                 "other_body": secret[:-1], "case": secret.upper(), "empty": ""}[mode]
    else:
        value = {"none": None, "garbage": draw(header_text), "wrong_secret": sign("guessed", raw),
                 "other_body": sign(secret, raw + b" "), "case": sign(secret, raw).upper(),
                 "empty": "sha256="}[mode]
    if value is not None:
        headers[header] = value
    return name, path, raw, headers


@st.composite
def authentic_requests(draw) -> tuple[str, str, bytes, dict[str, str]]:
    name = draw(st.sampled_from(sorted(ROUTES)))
    path, header, secret, seeds = ROUTES[name]
    raw = draw(bodies(seeds))
    value = secret if name == "telegram" else sign(secret, raw)
    return name, path, raw, {"Content-Type": "application/json", header: value}


def _clean(response) -> None:  # noqa: ANN001
    assert response.status_code < 500, response.text[:300]
    assert "Traceback" not in response.text and 'File "' not in response.text
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("error"), str) and body.get("message")


def _stored(container) -> tuple[int, dict]:  # noqa: ANN001
    inbox = InboxStore(container.engine)
    return container.store.count_conversations(), {c: inbox.counts(c) for c in ("whatsapp", "telegram")}


# -- properties ------------------------------------------------------------------------------
@FUZZ
@given(case=forged_requests())
def test_nothing_is_stored_or_processed_without_a_valid_signature(forged, case):
    client, container, routes = forged
    name, path, raw, headers = case
    if path not in routes:
        return
    r = client.post(path, content=raw, headers=headers)
    CASES[f"forged {name}"] += 1
    _clean(r)
    assert r.status_code in {401, 403, 413}, (r.status_code, r.text[:200])
    assert _stored(container) == (0, {"whatsapp": {}, "telegram": {}})


@FUZZ
@given(case=authentic_requests())
def test_authentic_but_mutated_payloads_never_cause_a_server_error(authentic, case):
    client, _, routes = authentic
    name, path, raw, headers = case
    if path not in routes:
        return
    r = client.post(path, content=raw, headers=headers)
    CASES[f"signed {name}"] += 1
    if name == "telegram" and r.status_code >= 500:
        TELEGRAM_SERVER_ERRORS.append(raw[:300])
        return
    _clean(r)
    assert r.status_code in {200, 400, 413, 422, 429}, (r.status_code, r.text[:200])
    if len(raw) > MAX_BODY:
        assert r.status_code == 413


@settings(max_examples=150, deadline=None, database=None)
@given(params=st.dictionaries(st.sampled_from(["hub.mode", "hub.verify_token", "hub.challenge", "x"]),
                              st.one_of(st.text(max_size=40), st.sampled_from(["subscribe", VERIFY_TOKEN]))))
def test_verification_challenge_is_only_echoed_for_the_right_token(forged, params):
    client, _, _ = forged
    r = client.get("/webhooks/whatsapp", params=params)
    CASES["verify whatsapp"] += 1
    assert r.status_code in {200, 400, 403}
    ok = params.get("hub.mode") == "subscribe" and params.get("hub.verify_token") == VERIFY_TOKEN
    if r.status_code == 200:
        assert ok and r.text == params["hub.challenge"]
    else:
        _clean(r)


@settings(max_examples=100, deadline=None, database=None)
@given(sender=st.text(st.characters(min_codepoint=33, max_codepoint=0x2FFF, exclude_categories=("Cc", "Cs", "Zs"),
                                    exclude_characters="/?#%\\"),
                      min_size=1, max_size=30),
       after=st.one_of(st.integers(-10, 10**12).map(str), st.text(max_size=8)),
       signature=st.one_of(st.none(), header_text))
def test_rest_polling_route_refuses_unsigned_requests(forged, sender, after, signature):
    client, _, _ = forged
    headers = {"X-Tradebot-Signature": signature} if signature else {}
    r = client.get(f"/webhooks/rest/{sender}/messages", params={"after": after}, headers=headers)
    CASES["poll rest"] += 1
    _clean(r)
    assert r.status_code in {401, 404, 422}


def test_telegram_authentic_updates_never_cause_a_server_error(authentic):
    assert TELEGRAM_SERVER_ERRORS == [], f"{len(TELEGRAM_SERVER_ERRORS)} 5xx, e.g. {TELEGRAM_SERVER_ERRORS[:3]}"


def test_zz_enough_cases_were_generated(forged):
    total = sum(CASES.values())
    print(f"\nfuzz cases per route: {dict(sorted(CASES.items()))}; total {total}")
    assert total >= 1000, CASES
    assert _stored(forged[1]) == (0, {"whatsapp": {}, "telegram": {}})
