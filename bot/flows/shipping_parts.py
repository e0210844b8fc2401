"""Shipping flow helpers: cargo from a message, chosen modes, and the quotes side by side."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from connectors.models import QuoteSet

from bot.flows.texts import choice_index
from bot.messages import Button, Reply
from bot.nlu import Entities
from bot.skills.base import TurnContext

KG_PER_UNIT = {"kg": Decimal(1), "t": Decimal(1000), "lb": Decimal("0.45359237")}  # weight units
PACKAGE_UNITS = {"pcs", "carton", "pallet"}
_MODES = {
    "air": r"(?i)\bby air\b|\bair ?freight\b|luftfracht|per flugzeug|空运|a[eé]reo|a[ée]rien|par avion",
    "express": r"(?i)\bexpress\b|\bcourier\b|kurier|快递|快件|mensajer[ií]a|messagerie",
    "sea_fcl": r"(?i)\bfcl\b|full container|vollcontainer|整箱|contenedor completo|conteneur complet",
    "sea_lcl": r"(?i)\blcl\b|less than container|stückgut|拼箱|carga consolidada|groupage",
}
_SEA = r"(?i)\bby sea\b|\bsea ?freight\b|seefracht|per schiff|海运|mar[ií]timo|maritime|par mer"
_CHEAPEST = re.compile(r"(?i)cheapest|lowest price|günstigst|billigst|最便宜|最低价|más barat|moins cher")
_FASTEST = re.compile(r"(?i)fastest|quickest|schnellst|最快|más rápid|plus rapide")


def cargo(found: Entities) -> dict[str, Any]:
    """Weight (kg), volume (m³) and packages named in a message."""
    out: dict[str, Any] = {}
    for q in found.quantities:
        if q.unit in KG_PER_UNIT and "weight_kg" not in out:
            out["weight_kg"] = float(q.value * KG_PER_UNIT[q.unit])
        elif q.unit == "m3" and "volume_m3" not in out:
            out["volume_m3"] = float(q.value)
        elif q.unit in PACKAGE_UNITS and "packages" not in out:
            out["packages"] = max(1, int(q.value))
    return out


def modes(text: str) -> list[str] | None:
    """The transport modes a message asks for; None means all of them."""
    wanted = [mode for mode, pattern in _MODES.items() if re.search(pattern, text)]
    if re.search(_SEA, text):
        wanted += [m for m in ("sea_fcl", "sea_lcl") if m not in wanted]
    return wanted or None


def pick_quote(text: str, quotes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The quote a message chooses: its button, its number, "cheapest" or "fastest"."""
    stripped = text.strip()
    for quote in quotes:
        if stripped == f"quote:{quote['quote_id']}" or stripped == quote["quote_id"]:
            return quote
    index = choice_index(stripped, len(quotes))
    if index is not None:
        return quotes[index]
    if quotes and _CHEAPEST.search(text):
        return min(quotes, key=lambda q: q["price_usd"])
    if quotes and _FASTEST.search(text):
        return min(quotes, key=lambda q: q["transit_days"])
    return None


def quote_rows(quote_set: QuoteSet) -> list[dict[str, Any]]:
    """What the flow keeps of each quote, cheapest first."""
    rows = [{"quote_id": q.quote_id, "mode": q.mode.value, "price_usd": q.price_usd, "transit_days": q.transit_days,
             "valid_until": q.valid_until.isoformat()} for q in quote_set.quotes]
    return sorted(rows, key=lambda r: r["price_usd"])


def quotes_reply(ctx: TurnContext, data: dict[str, Any], unavailable: list[dict[str, str]]) -> Reply:
    """The quotes side by side in the merchant's number and money format, with buttons."""
    tr, lang = ctx.translator, ctx.language
    origin, destination, quotes = data["origin"], data["destination"], data["quotes"]
    lines = [ctx.t("flows.quote.header", origin=f"{origin['name']} ({origin['code']})",
                   destination=f"{destination['name']} ({destination['code']})",
                   weight=tr.number(Decimal(str(data["weight_kg"])), lang),
                   volume=tr.number(Decimal(str(data["volume_m3"])), lang))]
    for n, q in enumerate(quotes, start=1):
        lines.append(ctx.t("flows.quote.line", n=n, mode=ctx.t(f"flows.mode.{q['mode']}"),
                           price=tr.money(Decimal(str(q["price_usd"])), "USD", lang),
                           days=tr.number(q["transit_days"], lang)))
    for item in unavailable:
        lines.append(ctx.t("flows.quote.unavailable", mode=ctx.t(f"flows.mode.{item['mode']}"),
                           reason=item["reason"]))
    lines.append(ctx.t("flows.quote.footer"))
    buttons = tuple(Button(ctx.t("flows.button.book", n=n), f"quote:{q['quote_id']}")
                    for n, q in enumerate(quotes, start=1))
    return Reply("\n".join(lines), buttons)


def booking_summary(ctx: TurnContext, data: dict[str, Any]) -> str:
    quote, tr = data["chosen"], ctx.translator
    return ctx.t("flows.book.summary", mode=ctx.t(f"flows.mode.{quote['mode']}"),
                 origin=data["origin"]["name"], destination=data["destination"]["name"],
                 price=tr.money(Decimal(str(quote["price_usd"])), "USD", ctx.language),
                 days=tr.number(quote["transit_days"], ctx.language), shipper=data["shipper"],
                 consignee=data["consignee"])
