"""Deterministic synthetic seed data for the sandbox platform.

``generate_seed()`` is a pure function of its seed: the same seed gives byte-identical
rows on every machine. HS headings and descriptions are real (HS 2022, from
``knowledge/data/hs``), ports are real UN/LOCODEs; companies, quantities, prices and
requests are invented. ``load_seed()`` writes them once into an empty sandbox database.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from connectors.sandbox import seed_vocab as vocab
from connectors.sandbox.tables import BuyerRequestRow, Meta, ProductRow, SupplierRow
from knowledge.locations import find_location

SEED = 20260101
SEED_VERSION = "1"
HS_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "hs" / "harmonized-system.csv"
BASE_DATE = date(2026, 11, 1)  # fixed, so seed rows do not depend on when they are made


@dataclass(frozen=True)
class SeedData:
    """Rows ready for insertion, as dicts keyed by column name."""

    suppliers: list[dict]
    products: list[dict]
    buyer_requests: list[dict]


def _read_hs(path: Path = HS_FILE) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    """Headings (code -> description) and their 6-digit subheadings, real HS codes only."""
    headings: dict[str, str] = {}
    subheadings: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["section"] == "TOTAL":
                continue
            if row["level"] == "4":
                headings[row["hscode"]] = row["description"]
            elif row["level"] == "6":
                subheadings[row["parent"]].append((row["hscode"], row["description"]))
    return headings, subheadings


_DANGLING = {"a", "and", "but", "by", "during", "for", "in", "not", "of", "or", "other", "than", "the", "an",
             "to", "whether", "with", "without"}


def product_name(hs_description: str) -> str:
    """A readable product name from an HS description, at most 120 characters."""
    text = hs_description.replace("; ", ", ").replace(";", ",").strip()
    if len(text) > 120:
        text = text[:120].rsplit(" ", 1)[0]
        if text.count("(") > text.count(")"):
            text = text[: text.rfind("(")]
        words = text.rstrip(" ,;").split(" ")
        while words[-1].rstrip(",").lower() in _DANGLING:
            words.pop()
        text = " ".join(words).rstrip(" ,;")
    return text[0].upper() + text[1:]


def _round_price(value: float) -> float:
    if value >= 100:
        return float(round(value / 5) * 5)
    return round(value, 2)


def _round_quantity(value: float) -> float:
    if value >= 1000:
        return float(round(value, -2))
    if value >= 100:
        return float(round(value, -1))
    return float(round(value))


def _company(rng: random.Random, country: str, sector: str, taken: set[str]) -> str:
    while True:
        stem = rng.choice(vocab.NAME_STARTS) + rng.choice(vocab.NAME_ENDS)
        name = f"{stem} {sector} {vocab.LEGAL_FORMS[country]}"
        if country == "ID":  # Indonesian "PT" comes first
            name = f"PT {stem} {sector}"
        if name not in taken:
            taken.add(name)
            return name


def _pick_certifications(rng: random.Random, pool: tuple[str, ...], most: int) -> list[str]:
    return sorted(rng.sample(pool, rng.randint(0, min(most, len(pool)))))


def generate_seed(seed: int = SEED, *, requests: int = 2000, suppliers: int = 100,
                  products_per_supplier: int = 10) -> SeedData:
    """Generate the sandbox's synthetic catalog and buyers' sourcing requests.

    Args:
        seed: Random seed; the default is the one the sandbox ships with.
        requests: Number of buyers' sourcing requests.
        suppliers: Number of suppliers.
        products_per_supplier: Catalog products per supplier.

    Returns:
        Rows for the suppliers, products and buyer_requests tables.
    """
    rng = random.Random(seed)
    headings, subheadings = _read_hs()
    by_profile: list[list[str]] = []
    for profile in vocab.PROFILES:
        codes = sorted(h for h in headings if h[:2] in profile.chapters and subheadings.get(h))
        popular = [h for h in vocab.POPULAR_HEADINGS if h in codes]
        others = [h for h in codes if h not in popular]
        by_profile.append(sorted(popular + rng.sample(others, min(len(others), 30 - len(popular)))))
    taken: set[str] = set()

    supplier_rows, product_rows = [], []
    for index in range(suppliers):
        profile_index = index % len(vocab.PROFILES)
        profile = vocab.PROFILES[profile_index]
        country = vocab.SUPPLIER_COUNTRIES[index % len(vocab.SUPPLIER_COUNTRIES)]
        port = vocab.BUYER_PORTS[country]
        supplier_id = f"S-{index + 1:03d}"
        name = _company(rng, country, profile.supplier_word, taken)
        supplier_rows.append({
            "supplier_id": supplier_id, "name": name, "country": country,
            "city": find_location(port).name, "port": port,
            "established_year": rng.randint(1975, 2020),
            "certifications": _pick_certifications(rng, profile.certifications, 3),
        })
        for _ in range(products_per_supplier):
            hs_code, description = rng.choice(subheadings[rng.choice(by_profile[profile_index])])
            low = rng.uniform(*profile.price)
            moq = _round_quantity(rng.uniform(profile.quantity[0], profile.quantity[0] * 10))
            lead = rng.choice((7, 14, 21, 30, 45, 60))
            pname = product_name(description)
            product_rows.append({
                "product_id": f"P-{len(product_rows) + 1:04d}", "supplier_id": supplier_id,
                "name": pname,
                "description": (f"{pname}. Made in {country} by {name.rstrip('.')}. Minimum order {moq:g} "
                                f"{profile.unit}, lead time {lead} days, FOB {port}."),
                "hs_code": hs_code, "origin_country": country, "unit": profile.unit,
                "price_min_usd": _round_price(low),
                "price_max_usd": _round_price(low * rng.uniform(1.1, 1.6)),
                "min_order_quantity": moq,
                "certifications": _pick_certifications(rng, profile.certifications, 3),
                "lead_time_days": lead,
            })

    all_headings = [(i, h) for i, codes in enumerate(by_profile) for h in codes]
    popular = [(i, h) for i, h in all_headings if h in vocab.POPULAR_HEADINGS]
    countries = sorted(vocab.BUYER_PORTS)
    request_rows = []
    for index in range(requests):
        # The first pass walks every heading and every country, so all of them are used.
        if index < len(all_headings):
            profile_index, heading = all_headings[index]
        else:
            profile_index, heading = rng.choice(popular if rng.random() < 0.3 else all_headings)
        profile = vocab.PROFILES[profile_index]
        country = countries[index % len(countries)] if index < len(countries) * 2 else rng.choice(countries)
        hs_code, description = rng.choice(subheadings[heading])
        port = vocab.BUYER_PORTS[country]
        company = _company(rng, country, rng.choice(vocab.BUYER_SECTORS), taken)
        quantity = _round_quantity(rng.uniform(*profile.quantity))
        incoterm = rng.choice(("FOB", "FOB", "CIF", "CIF", "CFR", "EXW", "FCA", "DAP", "DDP", "CIP"))
        certifications = _pick_certifications(rng, profile.certifications, 2)
        posted = BASE_DATE - timedelta(days=rng.randint(0, 150))
        pname = product_name(description)
        wanted = f"{company} is sourcing {quantity:g} {profile.unit} of {pname.lower()}"
        request_rows.append({
            "request_id": f"BR-{index + 1:05d}", "buyer_company": company, "country": country,
            "product": pname,
            "description": (f"{wanted}, delivered {incoterm} {find_location(port).name} ({port}). "
                            f"{rng.choice(vocab.REQUEST_NOTES)}"),
            "hs_code": hs_code, "quantity": quantity, "unit": profile.unit,
            "target_price_usd": _round_price(rng.uniform(*profile.price)), "incoterm": incoterm,
            "destination_port": port, "certifications_required": certifications,
            "posted_on": posted, "valid_until": posted + timedelta(days=rng.choice((60, 90, 120, 180, 365))),
            "status": "open",
        })
    return SeedData(supplier_rows, product_rows, request_rows)


def load_seed(session: Session, seed: int = SEED) -> bool:
    """Insert the seed rows unless this database already has them.

    Args:
        session: A session on the sandbox database; committed here.
        seed: Random seed for :func:`generate_seed`.

    Returns:
        True if rows were inserted, False if the database was already seeded.
    """
    if session.scalar(select(Meta.value).where(Meta.key == "seed_version")) is not None:
        return False
    data = generate_seed(seed)
    session.execute(insert(SupplierRow), data.suppliers)
    session.execute(insert(ProductRow), data.products)
    session.execute(insert(BuyerRequestRow), data.buyer_requests)
    session.add(Meta(key="seed_version", value=f"{SEED_VERSION}:{seed}"))
    session.commit()
    return True
