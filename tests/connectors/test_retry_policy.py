"""The client's retry policy and error mapping, counted with httpx.MockTransport (no I/O)."""

from __future__ import annotations

import httpx
import pytest

from connectors.client import HttpPlatformClient
from connectors.errors import ConnectorError, RateLimited, Rejected, Unavailable

PAGE = {"items": [], "total": 0, "limit": 20, "offset": 0}


def scripted(*responses: httpx.Response | Exception) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A transport that answers with ``responses`` in order and records each request."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = responses[min(len(seen), len(responses)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handler), seen


def make(transport: httpx.MockTransport, **kwargs) -> HttpPlatformClient:
    return HttpPlatformClient("http://platform.test/v1", "tok", transport=transport, backoff=0.001, **kwargs)


async def test_reads_retry_502_and_connect_errors_then_succeed() -> None:
    transport, seen = scripted(httpx.Response(502), httpx.ConnectError("refused"), httpx.Response(200, json=PAGE))
    async with make(transport) as client:
        assert (await client.search_catalog("tea")).total == 0
    assert len(seen) == 3
    assert seen[0].url.path == "/v1/catalog/products" and seen[0].headers["authorization"] == "Bearer tok"


async def test_500_is_not_retried() -> None:
    transport, seen = scripted(httpx.Response(500))
    async with make(transport) as client:
        with pytest.raises(Unavailable, match="500"):
            await client.search_catalog("tea")
    assert len(seen) == 1


async def test_writes_carry_one_key_across_their_retries() -> None:
    transport, seen = scripted(httpx.ReadTimeout("slow"), httpx.Response(503),
                               httpx.Response(201, json={"quotes": [], "unavailable": []}))
    async with make(transport) as client:
        await client.quote_shipping("CNSGH", "DEHAM", weight_kg=1, volume_m3=1)
    keys = {r.headers["idempotency-key"] for r in seen}
    assert len(seen) == 3 and len(keys) == 1 and keys.pop().startswith("auto-")


async def test_unkeyed_writes_are_sent_once() -> None:
    transport, seen = scripted(httpx.Response(503))
    async with make(transport, auto_idempotency_keys=False) as client:
        with pytest.raises(Unavailable):
            await client.book_shipment("quo_1")
    assert len(seen) == 1 and "idempotency-key" not in seen[0].headers


async def test_4xx_becomes_rejected_with_readable_detail_and_is_not_retried() -> None:
    body = {"detail": [{"loc": ["body", "weight_kg"], "msg": "must be > 0", "type": "greater_than"}],
            "code": "validation_error"}
    transport, seen = scripted(httpx.Response(422, json=body))
    async with make(transport) as client:
        with pytest.raises(Rejected) as rejected:
            await client.get_listing("lst_1")
    assert len(seen) == 1
    assert (rejected.value.status, rejected.value.code) == (422, "validation_error")
    assert rejected.value.detail == "weight_kg: must be > 0"


async def test_retry_after_is_honoured_and_reported() -> None:
    transport, seen = scripted(httpx.Response(429, headers={"Retry-After": "0.05"}), httpx.Response(200, json=PAGE))
    async with make(transport) as client:
        await client.search_buyer_requests("rice")
    assert len(seen) == 2
    transport, seen = scripted(httpx.Response(429, headers={"Retry-After": "120"}))
    async with make(transport) as client:
        with pytest.raises(RateLimited) as limited:
            await client.search_buyer_requests("rice")
    assert limited.value.retry_after == 120 and len(seen) == 1  # too long to wait inside a turn


async def test_malformed_body_and_local_validation_stay_in_the_family() -> None:
    transport, _ = scripted(httpx.Response(200, text="<html>proxy error</html>"))
    async with make(transport) as client:
        with pytest.raises(Unavailable, match="malformed"):
            await client.get_shipment("SBX-1")
        with pytest.raises(Rejected) as invalid:
            await client.quote_shipping("CNSGH", "DEHAM", weight_kg=-1, volume_m3=1)
    assert isinstance(invalid.value, ConnectorError) and "weight_kg" in invalid.value.detail


async def test_path_segments_are_escaped() -> None:
    transport, seen = scripted(httpx.Response(404, json={"detail": "nope", "code": "not_found"}))
    async with make(transport) as client:
        with pytest.raises(Rejected):
            await client.tracking("SBX-1/../admin")
    assert seen[0].url.raw_path == b"/v1/shipments/SBX-1%2F..%2Fadmin/tracking"
