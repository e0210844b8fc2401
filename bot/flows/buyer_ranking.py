"""Ranking buyer requests for a merchant's product, with the reasons shown to the merchant."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from connectors.models import BuyerRequest

from bot.flows.embargo import EmbargoList
from bot.skills.base import TurnContext

MAX_SHOWN = 5
_INTENT_WORDS = re.compile(
    r"(?i)\b(?:please\s+)?(?:find|search|look for|show me|any)\s+(?:me\s+)?(?:some\s+)?(?:buyers?|importers?|"
    r"customers?)\s*(?:for|of|who (?:want|need|buy))?\s*(?:my|our)?\s*|\bbuyers?\s+for\s+(?:my|our)?\s*|"
    r"\bk[äa]ufer\s+(?:für|fuer)\s+(?:meine[nrs]?|unsere[nrs]?)?\s*|\s*(?:finden|suchen)\b|"
    r"\bcompradores\s+(?:para|de)\s+(?:mis|mi|nuestros?)?\s*|\b(?:buscar?|encuentra|encontrar)\b|"
    r"\bacheteurs\s+(?:pour|de)\s+(?:mes|mon|ma|nos)?\s*|\b(?:trouver|trouve|chercher|cherche)\b(?:\s+des)?|"
    r"\b(?:ich|wir)\s+such(?:e|en)\b|\bi(?:'m| am)\s+looking\s+for\b|\bi\s+need\b|\bbusco\b|"
    r"\bje\s+cherche\b|帮我|请|寻找|找|买家|采购商|客户|给我的|我的")
_TAIL = re.compile(r"(?i)\s+(?:in|nach|en|au|aux|à|to)\s+(?:den\s+|der\s+|die\s+|the\s+)?[A-ZÀ-Þ][\w' -]*$|在.*$|"
                   r"\d.*$")
_ARTICLES = re.compile(r"(?i)^(?:(?:du|de la|de l'|des|d'|le|la|les|el|los|las|the|some)\s+)+")


def product_text(text: str) -> str:
    """The product a "find buyers for <product> in <country>" message names."""
    stripped = _INTENT_WORDS.sub(" ", text)
    clause = re.split(r"[,;，；。\n]", stripped.strip(), maxsplit=1)[0]
    clause = _ARTICLES.sub("", _TAIL.sub("", " ".join(clause.split())))
    return clause.strip(" .?!？！").removesuffix("的").strip()


@dataclass
class Ranked:
    request: BuyerRequest
    score: float
    reasons: list[str] = field(default_factory=list)


def rank(ctx: TurnContext, requests: list[BuyerRequest], *, code: str, targets: list[str],
         quantity: tuple[Decimal, str] | None) -> list[Ranked]:
    """Score each request: HS match, target country, quantity fit, freshness."""
    ranked = []
    for r in requests:
        score, reasons = 0.0, []
        if r.hs_code[:6] == code[:6]:
            score += 3
            reasons.append(ctx.t("flows.buyers.why.hs_exact", code=r.hs_code[:6]))
        elif r.hs_heading == code[:4]:
            score += 2
            reasons.append(ctx.t("flows.buyers.why.hs_heading", heading=r.hs_heading))
        if r.country in targets:
            score += 2
            reasons.append(ctx.t("flows.buyers.why.country", country=r.country))
        have = in_unit(quantity, r.unit)
        if have is not None:
            if Decimal(str(r.quantity)) <= have:
                score += 1
                reasons.append(ctx.t("flows.buyers.why.quantity_fits",
                                     wanted=ctx.translator.number(r.quantity, ctx.language), unit=r.unit))
            else:
                reasons.append(ctx.t("flows.buyers.why.quantity_more",
                                     wanted=ctx.translator.number(r.quantity, ctx.language), unit=r.unit))
        score += r.posted_on.toordinal() / 1e7  # newer first among equals
        ranked.append(Ranked(r, score, reasons))
    return sorted(ranked, key=lambda x: -x.score)


def in_unit(quantity: tuple[Decimal, str] | None, unit: str) -> Decimal | None:
    """The merchant's quantity in the request's unit (kg/t, pcs/pieces), or None."""
    if quantity is None:
        return None
    value, have = quantity
    have = "pieces" if have == "pcs" else have
    if have == unit:
        return value
    if (have, unit) == ("kg", "t"):
        return value / 1000
    if (have, unit) == ("t", "kg"):
        return value * 1000
    return None


def split_embargoed(requests: list[BuyerRequest], embargo: EmbargoList) -> tuple[list[BuyerRequest], dict[str, int]]:
    """Requests that may be offered, and how many were held back per restricted country."""
    allowed, held = [], {}
    for r in requests:
        if embargo.restriction(r.country) is not None:
            held[r.country] = held.get(r.country, 0) + 1
        else:
            allowed.append(r)
    return allowed, held


def request_line(ctx: TurnContext, n: int, item: Ranked) -> str:
    r, tr = item.request, ctx.translator
    return ctx.t("flows.buyers.line", n=n, company=r.buyer_company, country=r.country, product=r.product,
                 quantity=tr.number(r.quantity, ctx.language), unit=r.unit,
                 price=tr.money(Decimal(str(r.target_price_usd)), "USD", ctx.language), incoterm=r.incoterm.value,
                 port=r.destination_port, request_id=r.request_id, why="; ".join(item.reasons))
