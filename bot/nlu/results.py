"""Result types of the understanding layer: what a message means and what it names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

INTENTS: tuple[str, ...] = (
    "greeting",
    "knowledge",
    "classify",
    "find_buyers",
    "create_listing",
    "shipping_quote",
    "book_shipment",
    "track_shipment",
    "handoff",
    "out_of_scope",
)
"""Every intent the engine can return (the `intent` values of INTERFACES.md)."""

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "de", "zh", "es", "fr")
"""ISO 639-1 codes of the languages the engine understands."""


@dataclass(frozen=True)
class Quantity:
    """An amount of goods or space, e.g. ``Quantity(Decimal("500"), "kg")``.

    Attributes:
        value: The number as written (Chinese numerals converted).
        unit: Canonical unit: ``kg``, ``t``, ``lb``, ``pcs``, ``carton``, ``pallet``,
            ``m3``, ``l``, ``20ft``, ``40ft``, ``40hc``, ``45ft``, ``teu`` or ``container``.
    """

    value: Decimal
    unit: str


@dataclass(frozen=True)
class Money:
    """A price or amount, e.g. ``Money(Decimal("0.80"), "EUR", "pcs")``.

    Attributes:
        amount: The amount, parsed with the locale's separators.
        currency: ISO 4217 code.
        per_unit: Canonical unit the price applies to (``kg``, ``pcs``, …) or None.
    """

    amount: Decimal
    currency: str
    per_unit: str | None = None


@dataclass(frozen=True)
class Incoterm:
    """An Incoterms 2020 rule, optionally with its named place (``FOB Shanghai``)."""

    code: str
    place: str | None = None


@dataclass
class Entities:
    """Everything a message names, each list in order of appearance, without duplicates.

    Attributes:
        quantities: Amounts with units.
        money: Prices and amounts with currency.
        countries: ISO 3166-1 alpha-2 codes.
        locations: UN/LOCODEs (e.g. ``DEHAM``) of ports and cities.
        hs_codes: HS / tariff codes as digits only (``090210``).
        incoterms: Incoterms 2020 rules with optional place.
        listing_ids: Listing ids such as ``LST-1042``.
        shipment_ids: Shipment ids such as ``SHP-7731``.
        dates: Calendar dates, relative expressions resolved against ``today``.
    """

    quantities: list[Quantity] = field(default_factory=list)
    money: list[Money] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    hs_codes: list[str] = field(default_factory=list)
    incoterms: list[Incoterm] = field(default_factory=list)
    listing_ids: list[str] = field(default_factory=list)
    shipment_ids: list[str] = field(default_factory=list)
    dates: list[dt.date] = field(default_factory=list)

    def is_empty(self) -> bool:
        """Return True when no entity of any kind was found."""
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


@dataclass
class Understanding:
    """What the engine made of one message.

    Attributes:
        intent: The best intent (one of :data:`INTENTS`).
        confidence: Its score in [0, 1].
        alternatives: Up to three intents with scores, best first (the first is
            ``intent``; a command or rule decision lists only itself); show them as
            buttons when :attr:`is_uncertain`.
        entities: What the message names.
        language: Detected ISO 639-1 code (one of :data:`SUPPORTED_LANGUAGES`).
        language_confidence: Score of that language in [0, 1].
        source: How the intent was decided: ``command``, ``rule`` or ``model``.
        uncertain_below: The engine's threshold behind :attr:`is_uncertain`.
    """

    intent: str
    confidence: float
    alternatives: list[tuple[str, float]]
    entities: Entities
    language: str
    language_confidence: float
    source: str = "model"
    uncertain_below: float = 0.55

    @property
    def is_uncertain(self) -> bool:
        """True when the core should ask a clarifying question instead of acting."""
        return self.confidence < self.uncertain_below
