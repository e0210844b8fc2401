"""Entity extraction, per kind and in every supported language."""

import datetime as dt
from decimal import Decimal

import pytest

from bot.nlu import IdPatterns, Incoterm, Money, Quantity, extract_entities

D = Decimal


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("500 kg of green tea", "en", [Quantity(D(500), "kg")]),
        ("2 x 40ft containers", "en", [Quantity(D(2), "40ft")]),
        ("1x40HC and 3 TEU", "en", [Quantity(D(1), "40hc"), Quantity(D(3), "teu")]),
        ("10 cbm, 12 pallets", "en", [Quantity(D(10), "m3"), Quantity(D(12), "pallet")]),
        ("1.200 Stück in 40 Kartons", "de", [Quantity(D(1200), "pcs"), Quantity(D(40), "carton")]),
        ("12 Paletten, 3,5 m³", "de", [Quantity(D(12), "pallet"), Quantity(D("3.5"), "m3")]),
        ("五百公斤茶叶", "zh", [Quantity(D(500), "kg")]),
        ("2个40尺柜", "zh", [Quantity(D(2), "40ft")]),
        ("5000件T恤", "zh", [Quantity(D(5000), "pcs")]),
        ("3 palés y 2 toneladas", "es", [Quantity(D(3), "pallet"), Quantity(D(2), "t")]),
        ("un contenedor de 20 pies", "es", [Quantity(D(1), "20ft")]),
        ("300 pièces, 2 tonnes", "fr", [Quantity(D(300), "pcs"), Quantity(D(2), "t")]),
        ("20 t-shirts", "en", []),
        ("2个托盘到多伦多", "zh", [Quantity(D(2), "pallet")]),
        ("自行车零件的编码", "zh", []),
        ("ein 20-Fuß-Container", "de", [Quantity(D(1), "20ft")]),
        ("between 40 - 50 kg", "en", [Quantity(D(50), "kg")]),
    ],
)
def test_quantities(text, language, expected):
    assert extract_entities(text, language).quantities == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("1.234,50 €", "de", [Money(D("1234.50"), "EUR")]),
        ("12 USD/kg", "en", [Money(D(12), "USD", "kg")]),
        ("¥80", "zh", [Money(D(80), "CNY")]),
        ("€0,80 pro Stück", "de", [Money(D("0.80"), "EUR", "pcs")]),
        ("$1,200 per ton", "en", [Money(D(1200), "USD", "t")]),
        ("US$ 2.5 each", "en", [Money(D("2.5"), "USD", "pcs")]),
        ("80元/公斤", "zh", [Money(D(80), "CNY", "kg")]),
        ("每公斤80元", "zh", [Money(D(80), "CNY", "kg")]),
        ("2万美元", "zh", [Money(D(20000), "USD")]),
        ("25 dólares por unidad", "es", [Money(D(25), "USD", "pcs")]),
        ("1.200,00 EUR", "es", [Money(D("1200.00"), "EUR")]),
        ("15 euros la pièce", "fr", [Money(D(15), "EUR", "pcs")]),
        ("1 234,50 €", "fr", [Money(D("1234.50"), "EUR")]),
        ("budget 10k usd", "en", [Money(D(10000), "USD")]),
    ],
)
def test_money(text, language, expected):
    assert extract_entities(text, language).money == expected


def test_price_per_unit_is_not_a_quantity():
    entities = extract_entities("12 USD/kg for 500 kg", "en")
    assert entities.money == [Money(D(12), "USD", "kg")]
    assert entities.quantities == [Quantity(D(500), "kg")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("buyers in Germany", ["DE"]),
        ("Käufer in Deutschland und Österreich", ["DE", "AT"]),
        ("德国和美国的买家", ["DE", "US"]),
        ("compradores en Alemania y EE. UU.", ["DE", "US"]),
        ("acheteurs en Allemagne et au Royaume-Uni", ["DE", "GB"]),
        ("ship to the States or the UK", ["US", "GB"]),
        ("USA, Holland, Türkei", ["US", "NL", "TR"]),
        ("importeurs en Côte d’Ivoire", ["CI"]),
        ("send us a quote", []),
        ("cotton jersey fabric", []),
    ],
)
def test_countries(text, expected):
    assert extract_entities(text, "en").countries == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("from Shanghai to Hamburg", "en", ["CNSHA", "DEHAM"]),
        ("von Ningbo nach Rotterdam", "de", ["CNNGB", "NLRTM"]),
        ("从上海到汉堡", "zh", ["CNSHA", "DEHAM"]),
        ("de Valencia a Nueva York", "es", ["ESVLC", "USNYC"]),
        ("de Marseille à Anvers", "fr", ["FRMRS", "BEANR"]),
        ("ship DEHAM to CNSHA", "en", ["DEHAM", "CNSHA"]),
        ("nice price for shipping", "en", []),
        ("¿hay demanda en Europa?", "es", []),
        ("du Vietnam au Havre", "fr", ["FRLEH"]),
    ],
)
def test_locations(text, language, expected):
    assert extract_entities(text, language).locations == expected


def test_full_un_locode_names_after_a_direction_word():
    pytest.importorskip("knowledge.locations")
    assert extract_entities("from Koper to Dakar", "en").locations == ["SIKOP", "SNDKR"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HS code 0902.10 for green tea", ["090210"]),
        ("tariff code 6109100010", ["6109100010"]),
        ("Zolltarifnummer 8517 13 00", ["85171300"]),
        ("税号0902是什么", ["0902"]),
        ("código HS 090210", ["090210"]),
        ("code SH 0902", ["0902"]),
        ("HS 2022 code for tea", []),
        ("I have 5000 pcs", []),
        ("price 1234.50 USD", []),
    ],
)
def test_hs_codes(text, expected):
    assert extract_entities(text, "en").hs_codes == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("FOB Shanghai please", "en", [Incoterm("FOB", "Shanghai")]),
        ("CIF Hamburgo", "es", [Incoterm("CIF", "Hamburgo")]),
        ("Preis FOB Hamburg oder DDP", "de", [Incoterm("FOB", "Hamburg"), Incoterm("DDP", None)]),
        ("fob price for 1000 pcs?", "en", [Incoterm("FOB", None)]),
        ("EXW 上海", "zh", [Incoterm("EXW", "上海")]),
        ("en DAP Lyon", "fr", [Incoterm("DAP", "Lyon")]),
        ("the fas rule", "en", []),
    ],
)
def test_incoterms(text, language, expected):
    assert extract_entities(text, language).incoterms == expected


def test_ids_are_normalised():
    entities = extract_entities("where is shp-7731 and SHP 0099? listing LST-8F3K2", "en")
    assert entities.shipment_ids == ["SHP-7731", "SHP-0099"]
    assert entities.listing_ids == ["LST-8F3K2"]


def test_id_in_a_shipment_is_not_a_container():
    entities = extract_entities("track SHP-2040", "en")
    assert entities.shipment_ids == ["SHP-2040"]
    assert entities.quantities == []


def test_id_patterns_are_configurable():
    patterns = IdPatterns(listing=r"\bOFFER-\d+\b", shipment=r"\bTRK\d{6}\b")
    entities = extract_entities("OFFER-12 and TRK123456", "en", id_patterns=patterns)
    assert entities.listing_ids == ["OFFER-12"]
    assert entities.shipment_ids == ["TRK123456"]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("next Monday", "en", dt.date(2026, 11, 30)),
        ("nächsten Freitag", "de", dt.date(2026, 11, 27)),
        ("下周一", "zh", dt.date(2026, 11, 30)),
        ("el próximo lunes", "es", dt.date(2026, 11, 30)),
        ("lundi prochain", "fr", dt.date(2026, 11, 30)),
        ("2026-12-03", "en", dt.date(2026, 12, 3)),
        ("tomorrow", "en", dt.date(2026, 11, 27)),
        ("übermorgen", "de", dt.date(2026, 11, 28)),
        ("明天", "zh", dt.date(2026, 11, 27)),
        ("pasado mañana", "es", dt.date(2026, 11, 28)),
        ("demain", "fr", dt.date(2026, 11, 27)),
        ("in 3 days", "en", dt.date(2026, 11, 29)),
        ("in zwei Wochen", "de", dt.date(2026, 12, 10)),
        ("3天后", "zh", dt.date(2026, 11, 29)),
        ("dans 2 semaines", "fr", dt.date(2026, 12, 10)),
        ("15 March", "en", dt.date(2027, 3, 15)),
        ("3. März 2027", "de", dt.date(2027, 3, 3)),
        ("12月3日", "zh", dt.date(2026, 12, 3)),
        ("15 de enero", "es", dt.date(2027, 1, 15)),
        ("le 5 décembre", "fr", dt.date(2026, 12, 5)),
        ("03.12.2026", "de", dt.date(2026, 12, 3)),
        ("next week Friday", "en", dt.date(2026, 12, 4)),
        ("下周五", "zh", dt.date(2026, 12, 4)),
    ],
)
def test_dates(text, language, expected, today):
    assert extract_entities(text, language, today).dates == [expected]


@pytest.mark.parametrize(
    ("text", "language"),
    [("Guten Morgen", "de"), ("por la mañana", "es"), ("may I ask", "en"), ("2.5 kg", "en")],
)
def test_not_dates(text, language, today):
    assert extract_entities(text, language, today).dates == []


def test_a_whole_message(today):
    entities = extract_entities(
        "Quote for 2 x 40HC FOB Ningbo to Hamburg, 12 USD/kg, ready next Monday", "en", today)
    assert entities.quantities == [Quantity(D(2), "40hc")]
    assert entities.incoterms == [Incoterm("FOB", "Ningbo")]
    assert entities.locations == ["CNNGB", "DEHAM"]
    assert entities.money == [Money(D(12), "USD", "kg")]
    assert entities.dates == [dt.date(2026, 11, 30)]
    assert not entities.is_empty()
