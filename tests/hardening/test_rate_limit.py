"""The per-sender rate limiter, alone and on the REST channel."""

from __future__ import annotations

import httpx
import pytest

from bot.bootstrap import bootstrap
from bot.channels.rate_limit import RateLimiter
from bot.understanding import CommandRecognizer
from bot.web import create_app


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_allows_a_burst_then_refills():
    clock = Clock()
    limiter = RateLimiter(3, clock=clock)
    assert [limiter.allow("rest", "a") for _ in range(4)] == [True, True, True, False]
    denied = limiter.check("rest", "a")
    assert not denied.allowed and denied.retry_after == 20  # one token every 20 s at 3/min
    assert limiter.allow("rest", "b") and limiter.allow("whatsapp", "a")  # other keys untouched
    clock.now += 20
    assert limiter.allow("rest", "a") and not limiter.allow("rest", "a")
    clock.now += 3600
    assert [limiter.allow("rest", "a") for _ in range(4)] == [True, True, True, False]  # capped at the burst


def test_zero_disables_and_memory_is_bounded():
    assert all(RateLimiter(0).allow("rest", "x") for _ in range(1000))
    limiter = RateLimiter(1, max_keys=10)
    for i in range(100):
        limiter.allow("rest", f"s{i}")
    assert len(limiter._buckets) == 10
    with pytest.raises(ValueError):
        RateLimiter(-1)


def test_rest_answers_429_with_a_clear_json_error(settings_factory, live_server):
    container = bootstrap(settings_factory(rate_limit_per_minute=2), recognizer=CommandRecognizer())
    with live_server(create_app(container, bind_host="127.0.0.1")) as server:
        url = f"{server.url}/webhooks/rest"
        codes = [httpx.post(url, json={"sender": "flood", "message": "hi"}).status_code for _ in range(2)]
        r = httpx.post(url, json={"sender": "flood", "message": "hi"})
        assert codes == [200, 200] and r.status_code == 429
        assert r.json()["error"] == "rate_limited" and r.json()["retry_after"] >= 1
        assert int(r.headers["Retry-After"]) >= 1
        assert httpx.post(url, json={"sender": "calm", "message": "hi"}).status_code == 200
        assert 'reason="rate_limited"' in httpx.get(f"{server.url}/metrics").text
    conv = container.store.find("rest", "flood")
    assert len([e for e in container.store.transcript(conv.id) if e.direction == "in"]) == 2
    container.close()
