"""Jurisdictions named in a question, in the five languages."""

from __future__ import annotations

import pytest

from knowledge.jurisdictions import named_jurisdictions


@pytest.mark.parametrize("text, expected", [
    ("formal entry at US customs", {"US"}),
    ("entrada formal en la aduana de EE.UU.", {"US"}),
    ("Zoll in den Vereinigten Staaten", {"US"}),
    ("美国800美元免税还有吗", {"US"}),
    ("importar en España", {"EU"}),
    ("Einfuhr nach Österreich", {"EU"}),
    ("出口欧盟的产品", {"EU"}),
    ("vendre au Royaume-Uni", {"UK"}),
    ("exporting from China to the USA", {"CN", "US"}),
    ("livraison en Allemagne depuis la Chine", {"EU", "CN"}),
])
def test_names_in_every_language(text, expected):
    assert named_jurisdictions(text) == expected


@pytest.mark.parametrize("text", ["can you help us with FOB", "what is IOSS", "wie viel passt in einen Container"])
def test_no_jurisdiction_when_none_is_named(text):
    assert named_jurisdictions(text) == set()


def test_northern_ireland_names_both_the_uk_and_the_eu():
    assert named_jurisdictions("EORI für Lieferungen nach Nordirland") == {"UK", "EU"}
    assert named_jurisdictions("shipping to Northern Ireland") == {"UK", "EU"}
