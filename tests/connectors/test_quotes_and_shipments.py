"""Shipping quotes are plausible; bookings are exactly-once; tracking advances with time."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from connectors.client import HttpPlatformClient
from connectors.errors import Rejected
from connectors.models import QuoteSet, ShippingMode, ShippingQuote
from connectors.sandbox.app import create_platform_app
from connectors.sandbox.server_thread import ThreadedServer


def by_mode(quotes: QuoteSet) -> dict[ShippingMode, ShippingQuote]:
    return {q.mode: q for q in quotes.quotes}


async def test_air_shanghai_frankfurt_is_faster_and_dearer_per_kg_than_sea(client: HttpPlatformClient) -> None:
    cargo = {"weight_kg": 2000, "volume_m3": 10, "packages": 20}
    air = by_mode(await client.quote_shipping("CNPVG", "DEFRA", modes=["air"], **cargo))[ShippingMode.AIR]
    sea = by_mode(await client.quote_shipping("CNSGH", "DEFRA", modes=["sea_fcl", "sea_lcl"], **cargo))
    assert air.chargeable_weight_kg == 2000  # 10 m3 x 167 = 1,670 kg < 2,000 kg gross
    assert 8000 < air.distance_km < 9500  # Shanghai-Frankfurt great circle is about 8,900 km
    for mode in (ShippingMode.SEA_FCL, ShippingMode.SEA_LCL):
        assert air.transit_days < sea[mode].transit_days
        assert air.price_usd / 2000 > sea[mode].price_usd / 2000
    assert sea[ShippingMode.SEA_LCL].revenue_tons == 10  # W/M: 10 m3 beats 2 t
    assert air.transit_days <= 6 and 20 <= sea[ShippingMode.SEA_FCL].transit_days <= 45


async def test_chargeable_weight_uses_volume_for_light_cargo(client: HttpPlatformClient) -> None:
    quotes = by_mode(await client.quote_shipping("CNSGH", "DEFRA", weight_kg=100, volume_m3=3, packages=3,
                                                 modes=["air", "sea_lcl"]))
    assert quotes[ShippingMode.AIR].chargeable_weight_kg == pytest.approx(3 * 167)
    assert quotes[ShippingMode.SEA_LCL].revenue_tons == 3
    heavy = by_mode(await client.quote_shipping("CNSGH", "DEHAM", weight_kg=5000, volume_m3=2, modes=["sea_lcl"]))
    assert heavy[ShippingMode.SEA_LCL].revenue_tons == 5  # 1 t = 1 m3


@pytest.mark.parametrize("mode", ["sea_fcl", "sea_lcl", "air", "express"])
async def test_longer_routes_cost_more(client: HttpPlatformClient, mode: str) -> None:
    cargo = {"weight_kg": 50, "volume_m3": 0.2, "packages": 2, "modes": [mode]}
    near = (await client.quote_shipping("Shanghai", "Singapore", **cargo)).quotes[0]
    far = (await client.quote_shipping("Shanghai", "Hamburg", **cargo)).quotes[0]
    farther = (await client.quote_shipping("Shanghai", "New York", **cargo)).quotes[0]
    assert near.distance_km < far.distance_km < farther.distance_km
    assert near.price_usd < far.price_usd < farther.price_usd
    assert near.transit_days <= far.transit_days <= farther.transit_days


async def test_full_40ft_container_is_cheaper_per_m3_than_lcl(client: HttpPlatformClient) -> None:
    fcl = by_mode(await client.quote_shipping("CNSGH", "DEHAM", weight_kg=12_000, volume_m3=58,
                                              modes=["sea_fcl"]))[ShippingMode.SEA_FCL]
    assert [(c.type.value, c.count) for c in fcl.containers] == [("40ft", 1)]
    for lcl_m3 in (5, 15, 35):
        lcl = by_mode(await client.quote_shipping("CNSGH", "DEHAM", weight_kg=lcl_m3 * 200, volume_m3=lcl_m3,
                                                  modes=["sea_lcl"]))[ShippingMode.SEA_LCL]
        assert fcl.price_usd / 58 < lcl.price_usd / lcl_m3


async def test_unavailable_modes_say_why(client: HttpPlatformClient) -> None:
    result = await client.quote_shipping("CNSGH", "DEHAM", weight_kg=40_000, volume_m3=120)
    reasons = {u.mode: u.reason for u in result.unavailable}
    assert set(reasons) == {ShippingMode.SEA_LCL, ShippingMode.EXPRESS}
    assert {q.mode for q in result.quotes} == {ShippingMode.SEA_FCL, ShippingMode.AIR}
    assert sum(c.count for c in by_mode(result)[ShippingMode.SEA_FCL].containers) == 3  # 120 m3 > 2 x 58
    with pytest.raises(Rejected) as unknown:
        await client.quote_shipping("Atlantis", "DEHAM", weight_kg=1, volume_m3=1)
    assert unknown.value.status == 422 and unknown.value.code == "unknown_location"


async def test_booking_is_exactly_once(client: HttpPlatformClient) -> None:
    quote = (await client.quote_shipping("KEMBA", "NLRTM", weight_kg=800, volume_m3=4, modes=["sea_lcl"])).quotes[0]
    booked = await client.book_shipment(quote.quote_id, reference="PO-1", idempotency_key="book-1")
    assert await client.book_shipment(quote.quote_id, reference="PO-1", idempotency_key="book-1") == booked
    with pytest.raises(Rejected) as twice:
        await client.book_shipment(quote.quote_id, idempotency_key="book-2")
    assert twice.value.status == 409 and twice.value.code == "quote_already_booked"
    assert (await client.get_shipment(booked.shipment_id)).status == "booked"
    assert booked.price_usd == quote.price_usd and booked.shipment_id.startswith("SBX-")


@pytest.fixture
async def clocked(fake_clock, tmp_path) -> AsyncIterator[HttpPlatformClient]:
    """A sandbox of its own whose clock the test moves, mounted like ``tradebot serve`` does."""
    parent = FastAPI()
    parent.mount("/platform/v1", create_platform_app(f"sqlite:///{tmp_path / 'p.sqlite3'}", clock=fake_clock))
    with ThreadedServer(parent, path="/platform/v1") as server:
        token = httpx.post(f"{server.base_url}/merchants", json={"name": "Clock Co", "country": "VN"}).json()
        async with HttpPlatformClient(server.base_url, token["api_token"], timeout=5) as c:
            yield c


async def test_tracking_advances_with_time_and_quotes_expire(clocked: HttpPlatformClient, fake_clock) -> None:
    quotes = await clocked.quote_shipping("VNSGN", "USLAX", weight_kg=300, volume_m3=1.5, modes=["sea_lcl", "air"])
    sea, air = by_mode(quotes)[ShippingMode.SEA_LCL], by_mode(quotes)[ShippingMode.AIR]
    shipment = await clocked.book_shipment(sea.quote_id)
    assert [e.code for e in (await clocked.tracking(shipment.shipment_id)).events] == ["booked"]
    fake_clock.advance(days=sea.transit_days * 0.5)
    midway = await clocked.tracking(shipment.shipment_id)
    assert [e.code for e in midway.events] == ["booked", "received", "departed", "in_transit"]
    assert all(e.location == "VNSGN" for e in midway.events)
    fake_clock.advance(days=sea.transit_days)
    done = await clocked.tracking(shipment.shipment_id)
    assert done.status == "delivered" and done.events[-1].location == "USLAX"
    assert done.events[-1].occurred_at == shipment.estimated_delivery
    assert [e.occurred_at for e in done.events] == sorted(e.occurred_at for e in done.events)
    with pytest.raises(Rejected) as expired:  # the air quote is now older than its 7 days
        await clocked.book_shipment(air.quote_id)
    assert expired.value.status == 409 and expired.value.code == "quote_expired"


def test_faults_apply_under_a_mount_but_never_to_admin_or_health(tmp_path) -> None:
    from connectors.sandbox.faults import FaultConfig

    parent = FastAPI()
    parent.mount("/platform/v1", create_platform_app(f"sqlite:///{tmp_path / 'f.sqlite3'}", admin_token="adm",
                                                     faults=FaultConfig(error_rate=1.0)))
    with ThreadedServer(parent, path="/platform/v1") as server:
        assert httpx.get(f"{server.base_url}/health").status_code == 200
        assert httpx.get(f"{server.base_url}/buyer-requests").status_code == 503
        switched = httpx.put(f"{server.base_url}/admin/faults", json={}, headers={"X-Admin-Token": "adm"})
        assert switched.status_code == 200 and switched.json()["error_rate"] == 0
        assert httpx.get(f"{server.base_url}/buyer-requests").json()["total"] == 2000
        assert httpx.put(f"{server.base_url}/admin/faults", json={}).status_code == 401
