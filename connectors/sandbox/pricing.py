"""Indicative sandbox freight pricing: great-circle distance, chargeable weight, mode rates.

These are sandbox figures shaped like real freight tariffs, not market rates. Every
constant is named here and documented in ``connectors/README.md``:

* distance: great-circle (haversine) distance between the two UN/LOCODE coordinates;
* air: chargeable weight = max(gross kg, 167 kg per m³); express: max(gross kg, 200 kg per
  m³, the courier divisor of 5,000 cm³/kg);
* sea LCL: revenue tons = max(tonnes, m³) (1 t = 1 m³), minimum 1;
* sea FCL: the cheapest mix of 20ft/40ft containers that holds both weight and volume.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from connectors.models import ContainerType, ShippingMode

EARTH_RADIUS_KM = 6371.0088
AIR_KG_PER_M3 = 167.0
EXPRESS_KG_PER_M3 = 200.0
SEA_ROUTE_FACTOR = 1.5  # sea lanes run around continents: sailed km per great-circle km
SEA_KM_PER_DAY = 622.0  # 14 knots
DOCUMENTATION_USD = 75.0

# Loadable volume (m³) and payload (kg), rate per container = base + per_km * distance,
# terminal handling charged at origin and at destination.
CONTAINERS = {
    ContainerType.FT20: {"m3": 28.0, "kg": 25_000.0, "base": 350.0, "per_km": 0.12, "thc": 180.0},
    ContainerType.FT40: {"m3": 58.0, "kg": 26_500.0, "base": 500.0, "per_km": 0.19, "thc": 250.0},
}
LCL_BASE_PER_RT, LCL_PER_KM_PER_RT, LCL_CFS_PER_RT, LCL_CFS_MIN = 20.0, 0.011, 15.0, 40.0
LCL_MAX_M3, LCL_MAX_KG = 35.0, 20_000.0
AIR_BASE_PER_KG, AIR_PER_KM_PER_KG, AIR_HANDLING_PER_KG, AIR_HANDLING_MIN = 0.9, 0.00038, 0.15, 50.0
AIR_MIN_FREIGHT, AIR_MAX_CHARGEABLE_KG = 100.0, 50_000.0
EXPRESS_BASE_PER_KG, EXPRESS_PER_KM_PER_KG, EXPRESS_MIN = 6.0, 0.0012, 40.0
EXPRESS_MAX_CHARGEABLE_KG, EXPRESS_MAX_PACKAGE_KG = 300.0, 70.0


@dataclass(frozen=True)
class PricedMode:
    """One mode's price before it is stored as a quote."""

    mode: ShippingMode
    price_usd: float
    transit_days: int
    charges: list[tuple[str, float]]
    chargeable_weight_kg: float | None = None
    revenue_tons: float | None = None
    containers: dict[ContainerType, int] = field(default_factory=dict)


class ModeUnavailable(Exception):
    """The mode cannot carry this cargo between these places; the message says why."""


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in kilometres between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def sea_port_to_port_days(distance_km: float) -> int:
    """Sailing days plus three days of terminal handling at each end."""
    return math.ceil(distance_km * SEA_ROUTE_FACTOR / SEA_KM_PER_DAY) + 6


def _money(value: float) -> float:
    return round(value + 1e-9, 2)


def _total(charges: list[tuple[str, float]]) -> float:
    return _money(sum(amount for _, amount in charges))


def price_air(distance_km: float, weight_kg: float, volume_m3: float) -> PricedMode:
    """Airport-to-airport air freight."""
    chargeable = max(weight_kg, volume_m3 * AIR_KG_PER_M3)
    if chargeable > AIR_MAX_CHARGEABLE_KG:
        raise ModeUnavailable(f"chargeable weight {chargeable:,.0f} kg exceeds {AIR_MAX_CHARGEABLE_KG:,.0f} kg")
    rate = AIR_BASE_PER_KG + AIR_PER_KM_PER_KG * distance_km
    handling = max(AIR_HANDLING_MIN, AIR_HANDLING_PER_KG * chargeable)
    charges = [
        (f"air freight {chargeable:,.1f} kg x {rate:.2f} USD", _money(max(AIR_MIN_FREIGHT, rate * chargeable))),
        ("origin handling", _money(handling)),
        ("destination handling", _money(handling)),
        ("documentation", DOCUMENTATION_USD),
    ]
    days = 2 + math.ceil(distance_km / 6000)
    return PricedMode(ShippingMode.AIR, _total(charges), days, charges, chargeable_weight_kg=_money(chargeable))


def price_express(distance_km: float, weight_kg: float, volume_m3: float, packages: int) -> PricedMode:
    """Door-to-door courier service for small parcels."""
    chargeable = max(weight_kg, volume_m3 * EXPRESS_KG_PER_M3)
    if chargeable > EXPRESS_MAX_CHARGEABLE_KG:
        raise ModeUnavailable(f"express takes up to {EXPRESS_MAX_CHARGEABLE_KG:.0f} kg chargeable")
    if weight_kg / packages > EXPRESS_MAX_PACKAGE_KG:
        raise ModeUnavailable(f"express takes packages up to {EXPRESS_MAX_PACKAGE_KG:.0f} kg each")
    rate = EXPRESS_BASE_PER_KG + EXPRESS_PER_KM_PER_KG * distance_km
    charges = [(f"express {chargeable:,.1f} kg x {rate:.2f} USD", _money(max(EXPRESS_MIN, rate * chargeable)))]
    days = 1 + math.ceil(distance_km / 5000)
    return PricedMode(ShippingMode.EXPRESS, _total(charges), days, charges, chargeable_weight_kg=_money(chargeable))


def price_lcl(distance_km: float, weight_kg: float, volume_m3: float) -> PricedMode:
    """Less-than-container-load sea freight, priced per revenue ton (W/M)."""
    if volume_m3 > LCL_MAX_M3 or weight_kg > LCL_MAX_KG:
        raise ModeUnavailable(f"LCL takes up to {LCL_MAX_M3:.0f} m3 and {LCL_MAX_KG / 1000:.0f} t; book FCL")
    revenue_tons = max(1.0, weight_kg / 1000.0, volume_m3)
    rate = LCL_BASE_PER_RT + LCL_PER_KM_PER_RT * distance_km
    cfs = max(LCL_CFS_MIN, LCL_CFS_PER_RT * revenue_tons)
    charges = [
        (f"ocean freight {revenue_tons:,.2f} W/M x {rate:.2f} USD", _money(rate * revenue_tons)),
        ("origin CFS", _money(cfs)),
        ("destination CFS", _money(cfs)),
        ("documentation", DOCUMENTATION_USD),
    ]
    days = sea_port_to_port_days(distance_km) + 4  # consolidation and deconsolidation
    return PricedMode(ShippingMode.SEA_LCL, _total(charges), days, charges, revenue_tons=_money(revenue_tons))


def _container_price(kind: ContainerType, distance_km: float) -> float:
    spec = CONTAINERS[kind]
    return spec["base"] + spec["per_km"] * distance_km + 2 * spec["thc"]


def _needed(kind: ContainerType, weight_kg: float, volume_m3: float) -> int:
    spec = CONTAINERS[kind]
    return max(math.ceil(volume_m3 / spec["m3"] - 1e-9), math.ceil(weight_kg / spec["kg"] - 1e-9), 0)


def cheapest_containers(weight_kg: float, volume_m3: float, distance_km: float) -> dict[ContainerType, int]:
    """The cheapest count of 40ft plus 20ft containers that holds the cargo."""
    ft20, ft40 = ContainerType.FT20, ContainerType.FT40
    best: tuple[float, dict[ContainerType, int]] | None = None
    for n40 in range(max(1, _needed(ft40, weight_kg, volume_m3)) + 1):
        rest_kg = max(0.0, weight_kg - n40 * CONTAINERS[ft40]["kg"])
        rest_m3 = max(0.0, volume_m3 - n40 * CONTAINERS[ft40]["m3"])
        n20 = _needed(ft20, rest_kg, rest_m3)
        if n40 + n20 == 0:
            n20 = 1  # even a sliver of cargo takes a container
        cost = n40 * _container_price(ft40, distance_km) + n20 * _container_price(ft20, distance_km)
        if best is None or cost < best[0] - 1e-9:
            best = (cost, {kind: n for kind, n in ((ft40, n40), (ft20, n20)) if n})
    assert best is not None  # the loop always prices at least one mix
    return best[1]


def price_fcl(
    distance_km: float, weight_kg: float, volume_m3: float, container_type: ContainerType | None = None
) -> PricedMode:
    """Full-container-load sea freight."""
    if container_type is None:
        containers = cheapest_containers(weight_kg, volume_m3, distance_km)
    else:
        containers = {container_type: max(1, _needed(container_type, weight_kg, volume_m3))}
    charges: list[tuple[str, float]] = []
    for kind, count in containers.items():
        spec = CONTAINERS[kind]
        freight = count * (spec["base"] + spec["per_km"] * distance_km)
        charges.append((f"ocean freight {count} x {kind}", _money(freight)))
        charges.append((f"terminal handling {count} x {kind}, both ends", _money(count * 2 * spec["thc"])))
    charges.append(("documentation", DOCUMENTATION_USD))
    days = sea_port_to_port_days(distance_km)
    return PricedMode(ShippingMode.SEA_FCL, _total(charges), days, charges, containers=containers)
