"""The pricing formula itself, without HTTP: distances, chargeable weight, monotonicity."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.models import ContainerType
from connectors.sandbox import pricing


def test_great_circle_distance_matches_known_values() -> None:
    assert pricing.great_circle_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(344, abs=3)  # London-Paris
    assert pricing.great_circle_km(0, 0, 0, 180) == pytest.approx(20015, abs=5)  # half the equator


def test_air_chargeable_weight_is_167_kg_per_m3() -> None:
    assert pricing.price_air(5000, 100, 1).chargeable_weight_kg == 167
    assert pricing.price_air(5000, 500, 1).chargeable_weight_kg == 500


def test_lcl_revenue_ton_is_one_tonne_or_one_m3() -> None:
    assert pricing.price_lcl(5000, 3000, 2).revenue_tons == 3
    assert pricing.price_lcl(5000, 500, 2).revenue_tons == 2
    assert pricing.price_lcl(5000, 10, 0.1).revenue_tons == 1  # minimum 1 W/M


def test_container_mix_is_cheapest_fit() -> None:
    assert pricing.cheapest_containers(5000, 20, 8000) == {ContainerType.FT20: 1}
    assert pricing.cheapest_containers(15000, 58, 8000) == {ContainerType.FT40: 1}
    mix = pricing.cheapest_containers(20000, 80, 8000)  # 58 + 28 m3
    assert mix == {ContainerType.FT40: 1, ContainerType.FT20: 1}
    assert pricing.price_fcl(8000, 20000, 80, ContainerType.FT20).containers == {ContainerType.FT20: 3}


cargo = st.tuples(st.floats(1, 250), st.floats(0.01, 1.2), st.integers(1, 10))


@given(cargo, st.floats(100, 9000), st.floats(1, 9000))
def test_every_mode_costs_more_over_a_longer_route(load, near_km, extra_km) -> None:
    weight, volume, packages = load
    far_km = near_km + extra_km
    pairs = [
        (pricing.price_air(near_km, weight, volume), pricing.price_air(far_km, weight, volume)),
        (pricing.price_lcl(near_km, weight, volume), pricing.price_lcl(far_km, weight, volume)),
        (pricing.price_fcl(near_km, weight, volume), pricing.price_fcl(far_km, weight, volume)),
    ]
    if weight / packages <= pricing.EXPRESS_MAX_PACKAGE_KG:
        pairs.append((pricing.price_express(near_km, weight, volume, packages),
                      pricing.price_express(far_km, weight, volume, packages)))
    for near, far in pairs:
        assert near.price_usd <= far.price_usd
        assert near.transit_days <= far.transit_days


def test_limits_make_a_mode_unavailable() -> None:
    with pytest.raises(pricing.ModeUnavailable):
        pricing.price_express(1000, 400, 0.5, 10)
    with pytest.raises(pricing.ModeUnavailable):
        pricing.price_lcl(1000, 1000, 40)
