"""Rules that run before and after the statistical classifier.

* Commands (``/start``, ``/track SHP-1``, ``/human``) are decided here, with certainty.
* A message that is nothing but a shipment id is a tracking request.
* A few unmistakable keywords nudge the classifier's scores (they never override it):
  "转人工" or "talk to a human" is a handoff whatever else the sentence says.
"""

from __future__ import annotations

import re

from ..results import Entities

COMMANDS: dict[str, str] = {
    "start": "greeting", "help": "greeting", "hilfe": "greeting", "ayuda": "greeting",
    "aide": "greeting", "menu": "greeting", "hello": "greeting",
    "ask": "knowledge", "faq": "knowledge", "question": "knowledge",
    "classify": "classify", "hs": "classify", "hscode": "classify", "tariff": "classify",
    "buyers": "find_buyers", "findbuyers": "find_buyers", "find_buyers": "find_buyers",
    "sell": "create_listing", "list": "create_listing", "listing": "create_listing",
    "newlisting": "create_listing", "create_listing": "create_listing",
    "quote": "shipping_quote", "freight": "shipping_quote", "price": "shipping_quote",
    "shipping_quote": "shipping_quote",
    "book": "book_shipment", "booking": "book_shipment", "book_shipment": "book_shipment",
    "track": "track_shipment", "tracking": "track_shipment", "status": "track_shipment",
    "track_shipment": "track_shipment",
    "human": "handoff", "agent": "handoff", "support": "handoff", "staff": "handoff",
    "handoff": "handoff", "operator": "handoff",
}
_COMMAND = re.compile(r"^\s*/([A-Za-z_]+)(?:@\w+)?(?:\s+(?P<args>.*))?$", re.DOTALL)

# Unmistakable phrases -> (intent, bonus added to its score before renormalising).
_HINTS: list[tuple[str, float, re.Pattern[str]]] = [
    ("handoff", 0.35, re.compile(
        r"(?i)转人工|人工客服|真人|\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+)?(?:human|person|"
        r"someone|agent|representative)|\breal (?:human|person)\b|\bhuman agent\b|"
        r"\bmit (?:einem|einer) (?:menschen|mitarbeiter|person)\b|"
        r"\becht(?:en|e)? (?:menschen|person)\b|"
        r"\bhablar con (?:un|una|alguien)|\bpersona real\b|\bparler à (?:un|une|quelqu)|"
        r"\bvraie personne\b|\bhumain\b")),
    ("track_shipment", 0.2, re.compile(
        r"(?i)\btrack(?:ing)?\b|sendungsverfolgung|\bverfolg|\brastre|\bseguimiento\b|"
        r"\bsuivi\b|跟踪|追踪|物流信息|到哪")),
    ("shipping_quote", 0.15, re.compile(
        r"(?i)\bquote\b|\bfreight\b|\bfracht|运费|运价|\bcotizaci[oó]n|\bflete\b|\bdevis\b|"
        r"\bfret\b")),
    ("classify", 0.15, re.compile(
        r"(?i)(?:hs|hts|taric|customs|tariff|commodity|zoll|tarif)[\s-]*(?:code|number|nummer|no\.?)"
        r"\s+(?:for|of|für|von|para|de|pour|du|des)\b|"
        r"zolltarifnummer (?:für|von)|warennummer (?:für|von)|"
        r"c[óo]digo (?:hs|arancelario|aduanero|taric) (?:para|de)\b|"
        r"code (?:sh|hs|douanier|tarifaire) (?:pour|de|du|des)\b|的(?:hs|HS)?(?:编码|税号)")),
]


def command_intent(text: str) -> tuple[str, str] | None:
    """Return ``(intent, arguments)`` for a known ``/command`` message, else None.

    Examples:
        >>> command_intent("/track@tradebot SHP-1")
        ('track_shipment', 'SHP-1')
    """
    match = _COMMAND.match(text)
    if not match:
        return None
    intent = COMMANDS.get(match.group(1).lower())
    if intent is None:
        return None
    return intent, (match["args"] or "").strip()


def bare_id_intent(text: str, entities: Entities) -> str | None:
    """A message that is only shipment id(s) ("SHP-7731", "shp 7731?") asks for tracking."""
    if not entities.shipment_ids:
        return None
    rest = re.sub(r"(?i)\bSHP[-_ ]?[A-Z0-9-]+\b", " ", text)
    if re.search(r"[^\W\d_]{2,}", rest):
        return None
    return "track_shipment"


_CONTAINER_UNITS = frozenset({"20ft", "40ft", "40hc", "45ft", "teu", "container"})


def has_trade_evidence(entities: Entities) -> bool:
    """True when the message names something only trade talk names: an Incoterm, an HS
    code, a listing or shipment id, or a container. Countries, cities and prices do not
    count: "a hotel in Hamburg" and "the bitcoin price" are not trade."""
    return bool(
        entities.incoterms or entities.hs_codes or entities.listing_ids
        or entities.shipment_ids
        or any(q.unit in _CONTAINER_UNITS for q in entities.quantities)
    )


def keyword_bonuses(text: str, entities: Entities) -> dict[str, float]:
    """Return score bonuses per intent for unmistakable keywords and entity patterns."""
    bonuses: dict[str, float] = {}
    for intent, bonus, pattern in _HINTS:
        if pattern.search(text):
            bonuses[intent] = bonuses.get(intent, 0.0) + bonus
    if entities.hs_codes:
        # A message that names a tariff code is about classifying (or checking) goods.
        bonuses["classify"] = bonuses.get("classify", 0.0) + 0.2
    return bonuses
