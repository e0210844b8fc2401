"""HttpPlatformClient against the sandbox over real HTTP on loopback, faults included."""

from __future__ import annotations

import asyncio
import logging
import random
import time

import pytest

from connectors.client import HttpPlatformClient
from connectors.errors import RateLimited, Rejected, Unavailable
from connectors.models import ListingCreate, ListingStatus

LISTING = ListingCreate(title="Green tea, 3 kg packs", hs_code="090210", origin_country="KE", quantity=2000,
                        unit="kg", unit_price_usd=4.2, incoterm="FOB", port_of_loading="KEMBA",
                        certifications=["HACCP"])


async def test_public_search_returns_typed_pages(client: HttpPlatformClient) -> None:
    page = await client.search_buyer_requests("coffee", limit=5)
    assert page.total > 0 and 0 < len(page.items) <= 5
    assert all("coffee" in (r.product + r.description).lower() for r in page.items)
    one = await client.get_buyer_request(page.items[0].request_id)
    assert one == page.items[0]
    by_heading = await client.search_buyer_requests(hs="0901", limit=100)
    assert by_heading.items and all(r.hs_code.startswith("0901") for r in by_heading.items)
    german = await client.search_buyer_requests(country="DE", limit=100)
    assert german.items and {r.country for r in german.items} == {"DE"}
    products = await client.search_catalog("tea", country=None, limit=3)
    assert products.items and all("tea" in (p.name + p.description + p.supplier_name).lower() for p in products.items)
    supplier = await client.get_supplier(products.items[0].supplier_id)
    assert supplier.product_count >= 1


async def test_listing_lifecycle_and_ownership(client: HttpPlatformClient, platform_url: str, new_merchant) -> None:
    created = await client.create_listing(LISTING, idempotency_key="listing-lifecycle-1")
    assert created.status is ListingStatus.ACTIVE and created.port_of_loading == "KEMBA"
    assert await client.get_listing(created.listing_id) == created
    paused = await client.update_listing_status(created.listing_id, "paused")
    assert paused.status is ListingStatus.PAUSED
    assert [x.listing_id for x in (await client.list_listings(status="paused")).items] == [created.listing_id]
    await client.update_listing_status(created.listing_id, "closed")
    with pytest.raises(Rejected) as reopened:
        await client.update_listing_status(created.listing_id, "active")
    assert reopened.value.status == 409 and reopened.value.code == "listing_closed"
    other = HttpPlatformClient(platform_url, None)
    async with other.for_merchant(new_merchant()) as stranger:
        with pytest.raises(Rejected) as hidden:
            await stranger.get_listing(created.listing_id)
        assert hidden.value.status == 404
        assert (await stranger.list_listings()).total == 0
    await other.aclose()


async def test_auth_and_validation_errors_are_rejections(platform_url: str, client: HttpPlatformClient) -> None:
    async with HttpPlatformClient(platform_url, "sbx_not-a-token") as anonymous:
        with pytest.raises(Rejected) as unauthorized:
            await anonymous.list_listings()
    assert unauthorized.value.status == 401
    with pytest.raises(Rejected) as invalid:
        await client.create_listing({**LISTING.model_dump(), "hs_code": "9-02"})
    assert invalid.value.status == 422 and "hs_code" in invalid.value.detail
    with pytest.raises(Rejected) as missing:
        await client.create_introduction("BR-99999", "Hello")
    assert missing.value.status == 404 and "BR-99999" in missing.value.detail


async def test_introduction_to_a_buyer_request(client: HttpPlatformClient) -> None:
    request = (await client.search_buyer_requests("tea", limit=1)).items[0]
    listing = await client.create_listing(LISTING)
    sent = await client.create_introduction(request.request_id, "We export green tea from Kenya.",
                                            listing_id=listing.listing_id, idempotency_key="intro-1")
    again = await client.create_introduction(request.request_id, "We export green tea from Kenya.",
                                             listing_id=listing.listing_id, idempotency_key="intro-1")
    assert again == sent and sent.status == "sent"
    assert (await client.list_introductions()).total == 1


async def test_same_key_same_body_replays_and_different_body_is_rejected(client: HttpPlatformClient) -> None:
    first = await client.create_listing(LISTING, idempotency_key="same-key")
    second = await client.create_listing(LISTING, idempotency_key="same-key")
    assert second == first
    with pytest.raises(Rejected) as reused:
        await client.create_listing(LISTING.model_copy(update={"quantity": 1}), idempotency_key="same-key")
    assert reused.value.status == 422 and reused.value.code == "idempotency_key_reused"
    assert (await client.list_listings()).total == 1


async def test_concurrent_retries_with_one_key_create_one_record(client: HttpPlatformClient) -> None:
    results = await asyncio.gather(*(client.create_listing(LISTING, idempotency_key="race") for _ in range(6)))
    assert len({r.listing_id for r in results}) == 1
    assert (await client.list_listings()).total == 1


async def test_keyed_create_retried_after_timeouts_leaves_exactly_one_record(
    platform_url: str, merchant_token: str, faults, caplog: pytest.LogCaptureFixture
) -> None:
    # Every attempt is handled and committed by the server, then its response is held
    # back for 1.5 s while the client gives up after 0.4 s and retries with the same key.
    faults(timeout_rate=1.0, hang_s=1.5)
    caplog.set_level(logging.WARNING, logger="connectors.client")
    async with HttpPlatformClient(platform_url, merchant_token, timeout=0.4, retries=2, backoff=0.05) as c:
        started = time.monotonic()
        with pytest.raises(Unavailable, match="timed out"):
            await c.create_listing(LISTING, idempotency_key="timeout-key")
        assert time.monotonic() - started >= 3 * 0.4
        assert sum("retry" in r.message for r in caplog.records) == 2
        faults()
        listings = await c.list_listings()
        assert listings.total == 1
        # The caller retries later with the same key and gets the one record back.
        again = await c.create_listing(LISTING, idempotency_key="timeout-key")
        assert again.listing_id == listings.items[0].listing_id


def _seed_where(draws: list[bool], rate: float) -> int:
    """A fault seed whose first draws are faults (True) or not (False) at this rate."""
    for seed in range(10_000):
        rng = random.Random(seed)
        if all((rng.random() < rate) == want for want in draws):
            return seed
    raise AssertionError("no seed found")


async def test_timeout_then_success_returns_the_first_attempts_record(
    platform_url: str, merchant_token: str, faults
) -> None:
    faults(timeout_rate=0.5, hang_s=3.0, seed=_seed_where([True, False], 0.5))
    async with HttpPlatformClient(platform_url, merchant_token, timeout=1.0, retries=3, backoff=0.05) as c:
        listing = await c.create_listing(LISTING, idempotency_key="one-timeout")
        faults()
        assert [x.listing_id for x in (await c.list_listings()).items] == [listing.listing_id]


async def test_reads_survive_injected_503s(platform_url: str, faults) -> None:
    faults(error_rate=0.5, seed=_seed_where([True, True, False], 0.5))
    async with HttpPlatformClient(platform_url, timeout=2.0, retries=3, backoff=0.05) as c:
        page = await c.search_catalog(limit=1)
    assert page.total == 1000


async def test_persistent_503_becomes_unavailable(platform_url: str, faults) -> None:
    faults(error_rate=1.0)
    async with HttpPlatformClient(platform_url, timeout=2.0, retries=2, backoff=0.05) as c:
        with pytest.raises(Unavailable, match="503"):
            await c.search_buyer_requests("rice")


async def test_unkeyed_write_is_not_retried(platform_url: str, merchant_token: str, faults) -> None:
    faults(error_rate=0.5, seed=_seed_where([True, False], 0.5))
    async with HttpPlatformClient(platform_url, merchant_token, timeout=2.0, retries=3, backoff=0.05,
                                  auto_idempotency_keys=False) as c:
        with pytest.raises(Unavailable):
            await c.create_listing(LISTING)  # the next draw would have succeeded: no retry was made
        faults()
        assert (await c.list_listings()).total == 0


async def test_rate_limit_surfaces_retry_after(platform_url: str, faults) -> None:
    faults(rate_limit_rate=1.0)
    async with HttpPlatformClient(platform_url, timeout=2.0, retries=1, backoff=0.05) as c:
        with pytest.raises(RateLimited) as limited:
            await c.search_catalog("rice")
    assert limited.value.retry_after == 1.0


async def test_unreachable_platform_is_unavailable() -> None:
    async with HttpPlatformClient("http://127.0.0.1:9/platform/v1", timeout=0.5, retries=1, backoff=0.01) as c:
        with pytest.raises(Unavailable, match="cannot reach"):
            await c.search_catalog("tea")


async def test_codes_are_normalised_before_sending(client: HttpPlatformClient) -> None:
    listing = await client.create_listing({**LISTING.model_dump(), "hs_code": "0902.10", "origin_country": "ke",
                                           "port_of_loading": "ke mba"})
    assert (listing.hs_code, listing.origin_country, listing.port_of_loading) == ("090210", "KE", "KEMBA")
    page = await client.search_buyer_requests(hs="0902.10", country="de", incoterm="fob", limit=100)
    assert all(r.hs_code.startswith("090210") and r.country == "DE" and r.incoterm == "FOB" for r in page.items)
