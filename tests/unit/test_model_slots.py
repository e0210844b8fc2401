"""Slots the model read (LLM mode) complete what the offline parsers found, never override it."""

from bot.flows.model_slots import cargo_from, for_listing, product_named


def test_offline_values_win_and_pairs_stay_together():
    model = {"title": "Green tea", "price": "5", "currency": "EUR", "quantity": "20", "unit": "t", "moq": "2",
             "incoterm": "CIF", "lead_time": 14}
    offline = {"price": "4.2", "currency": "USD", "incoterm": "FOB", "unit": "kg", "quantity": "20000"}
    merged = for_listing(model, offline)
    assert merged["price"] == "4.2" and merged["currency"] == "USD" and merged["price_usd"] == "4.2"
    assert merged["incoterm"] == "FOB" and merged["quantity"] == "20000" and merged["unit"] == "kg"
    assert merged["moq"] == "2000"  # 2 t in the listing's unit
    assert merged["title"] == "Green tea" and merged["lead_time"] == 14


def test_moq_in_an_unconvertible_unit_is_left_to_ask():
    assert "moq" not in for_listing({"moq": "5", "unit": "pcs"}, {"unit": "kg"})
    assert for_listing({"moq": "5", "unit": "pcs", "quantity": "100"}, {})["moq"] == "5"


def test_a_price_without_currency_is_usd_only_when_the_model_gave_it_alone():
    assert for_listing({"price": "3"}, {}) == {"price": "3", "currency": "USD", "price_usd": "3"}
    assert "price" not in for_listing({"price": "3"}, {"currency": "EUR"})


def test_cargo_and_product():
    assert cargo_from({"quantity": "2", "unit": "t"}) == {"weight_kg": 2000.0}
    assert cargo_from({"quantity": "12", "unit": "m3"}) == {"volume_m3": 12.0}
    assert cargo_from({"quantity": "30", "unit": "carton"}) == {"packages": 30}
    assert cargo_from({"quantity": "1", "unit": "40hc"}) == {} and cargo_from({"unit": "kg"}) == {}
    assert product_named({"title": "cashew kernels"}, "any buyers for Cashew Kernels W320?") == "cashew kernels"
    assert product_named({"title": "premium cashews"}, "any buyers for cashew kernels?") is None
