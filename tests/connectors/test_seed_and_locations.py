"""Seed data is deterministic, plausible and built on real codes; the location subset is sound."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.sandbox.seed import HS_FILE, generate_seed, load_seed
from connectors.sandbox.tables import Base, BuyerRequestRow, ProductRow, make_engine
from knowledge.locations import LOCATIONS_FILE, find_location, load_locations

SHARED_LOCATIONS = Path(__file__).resolve().parents[3] / "shared" / "data" / "un-locode" / "locations.csv"


def test_seed_is_deterministic_and_big_enough() -> None:
    first, second = generate_seed(), generate_seed()
    assert first == second
    assert generate_seed(seed=7).buyer_requests != first.buyer_requests
    assert len(first.buyer_requests) == 2000 and len(first.products) == 1000 and len(first.suppliers) == 100
    assert len({r["country"] for r in first.buyer_requests}) >= 40
    assert len({r["hs_code"][:4] for r in first.buyer_requests}) >= 200


def test_seed_uses_real_hs_codes_and_seaports_and_plausible_values() -> None:
    with HS_FILE.open(encoding="utf-8") as handle:
        real = {row["hscode"] for row in csv.DictReader(handle) if row["section"] != "TOTAL"}
    data = generate_seed()
    for row in data.buyer_requests:
        assert row["hs_code"] in real and row["hs_code"][:4] in real
        port = find_location(row["destination_port"])
        assert port is not None and port.is_seaport and port.country == row["country"]
        assert row["quantity"] > 0 and row["target_price_usd"] > 0 and row["valid_until"] > row["posted_on"]
    for product in data.products:
        assert product["hs_code"] in real
        assert 0 < product["price_min_usd"] < product["price_max_usd"]
    names = [r["buyer_company"] for r in data.buyer_requests] + [s["name"] for s in data.suppliers]
    assert len(names) == len(set(names))  # every fictional company is distinct


def test_load_seed_is_idempotent(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'seed.sqlite3'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        assert load_seed(session) is True
        assert load_seed(session) is False
        assert session.scalar(select(func.count()).select_from(BuyerRequestRow)) == 2000
        assert session.scalar(select(func.count()).select_from(ProductRow)) == 1000


def test_location_subset_matches_the_shared_source() -> None:
    with SHARED_LOCATIONS.open(encoding="utf-8", newline="") as handle:
        expected = sum(1 for r in csv.DictReader(handle)
                       if r["lat"] and r["lon"] and (r["function"][0] == "1" or r["function"][3] == "4"))
    locations = load_locations()
    assert len(locations) == expected
    assert all(loc.is_seaport or loc.is_airport for loc in locations)
    assert all(-90 <= loc.lat <= 90 and -180 <= loc.lon <= 180 for loc in locations)
    with gzip.open(LOCATIONS_FILE, "rt", encoding="utf-8") as handle:
        assert handle.readline().strip() == "country,location,name,nameWoDiacritics,subdivision,function,iata,lat,lon"


def test_find_location_by_code_and_name() -> None:
    assert find_location("DEHAM").name == "Hamburg"
    assert find_location("de ham").code == "DEHAM"
    assert find_location("Shanghai").code == "CNSGH"  # port and airport beats airport-only codes
    assert find_location("hamburg").code == "DEHAM"
    assert find_location("Frankfurt").code == "DEFRA"  # "Frankfurt am Main"
    assert find_location("nhava sheva").code == "INNSA"
    assert find_location("London", country="GB").code == "GBLON"
    assert find_location("Atlantis") is None and find_location("ZZZZZ") is None
