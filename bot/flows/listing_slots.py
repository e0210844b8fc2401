"""Reading listing fields out of a merchant's message: all at once, one by one, or as edits."""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.flows.texts import first_number, normalized
from bot.nlu import Entities


class Slot(StrEnum):
    """The listing's fields, in the order they are asked for."""

    TITLE = "title"
    HS_CODE = "hs_code"
    QUANTITY = "quantity"
    PRICE = "price"
    PRICE_USD = "price_usd"
    MOQ = "moq"
    ORIGIN = "origin"
    INCOTERM = "incoterm"
    LEAD_TIME = "lead_time"
    DESCRIPTION = "description"


ORDER = [Slot.TITLE, Slot.HS_CODE, Slot.QUANTITY, Slot.PRICE, Slot.PRICE_USD, Slot.MOQ, Slot.ORIGIN,
         Slot.INCOTERM, Slot.LEAD_TIME, Slot.DESCRIPTION]

_KEYED = {
    Slot.TITLE: r"title|titel|t[ií]tulo|titre|标题|名称",
    Slot.DESCRIPTION: r"description|beschreibung|descripci[oó]n|描述|说明",
}
_MOQ = re.compile(r"(?i)(?:\bmoq\b|min(?:imum|\.)?\s*order(?:\s*quantity)?|mindestbestell\w*|mindestmenge|"
                  r"最小起订量|起订量|起订|pedido m[ií]nimo|cantidad m[ií]nima|minimum de commande|"
                  r"commande minimum)\s*(?:is|ist|es|est|:|：|=|von|de)?\s*(\d+(?:[.,]\d+)?)\s*"
                  r"(kg|t|tons?|tonnes?|吨|公斤|pcs|pieces|stück|件)?")
_LEAD = re.compile(r"(?i)(\d{1,3})\s*(?:-\s*\d{1,3}\s*)?(days?|tagen?|tage|天|d[ií]as|jours?|weeks?|wochen?|"
                   r"周|semanas?|semaines?)\b")
_LEAD_WORD_ONLY = re.compile(r"(?i)(\d{1,3})")
_SKIP = {"-", "skip", "none", "no", "überspringen", "keine", "nein", "跳过", "无", "没有", "omitir", "ninguna",
         "passer", "aucune", "non"}
_VERBS = re.compile(
    r"(?i)^(?:please\s+)?(?:i\s+(?:want|would like|'d like)\s+to\s+)?(?:create\s+(?:a\s+)?listing\s+(?:for\s+)?|"
    r"list|sell|offer|publish)\s+|^ich\s+(?:möchte|will)\s+|\s+(?:verkaufen|anbieten|listen|einstellen)$|"
    r"^(?:我想|我要|请)?(?:发布|出售|上架|卖)|^(?:quiero\s+)?(?:vender|publicar|ofrecer)\s+|"
    r"^(?:je\s+veux\s+)?(?:vendre|publier|proposer)\s+")
_FIELD_WORDS = {
    Slot.TITLE: r"title|titel|t[ií]tulo|titre|标题|名称",
    Slot.DESCRIPTION: r"description|beschreibung|descripci[oó]n|描述|说明",
    Slot.HS_CODE: r"\bhs\b|zolltarif|warennummer|税号|编码|code sh|c[oó]digo",
    Slot.PRICE: r"price|preis|precio|prix|价格|价钱|单价",
    Slot.MOQ: r"\bmoq\b|mindest|起订|m[ií]nimo|minimum",
    Slot.QUANTITY: r"quantity|menge|cantidad|quantit[eé]|数量|available|verfügbar",
    Slot.ORIGIN: r"origin|herkunft|origen|origine|产地|原产",
    Slot.INCOTERM: r"incoterm|lieferbedingung|贸易术语|条款",
    Slot.LEAD_TIME: r"lead\s*time|lieferzeit|交货期|交期|plazo|d[eé]lai",
}


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def parse_any(text: str, found: Entities, *, first_message: bool = False) -> dict[str, Any]:
    """Every field a free-form message states ("500 kg, 4.20 USD/kg FOB, MOQ 50 kg ...")."""
    slots: dict[str, Any] = {}
    for slot, words in _KEYED.items():
        match = re.search(rf"(?i)(?:{words})\s*[:：]\s*([^,;\n，；]+)", text)
        if match:
            slots[slot] = match.group(1).strip()
    moq = _MOQ.search(text)
    moq_value = first_number(moq.group(1)) if moq else None
    if moq_value is not None:
        slots[Slot.MOQ] = _decimal(moq_value)
    quantities = list(found.quantities)
    if moq_value is not None:
        quantities = [q for q in quantities if q.value != moq_value] or []
    if quantities:
        slots[Slot.QUANTITY] = _decimal(quantities[0].value)
        slots["unit"] = slots["quantity_unit"] = quantities[0].unit
    if found.money:
        money = found.money[0]
        slots[Slot.PRICE] = _decimal(money.amount)
        slots["currency"] = money.currency
        if money.per_unit:
            slots["unit"] = money.per_unit
        if money.currency == "USD":
            slots[Slot.PRICE_USD] = _decimal(money.amount)
    _same_unit(slots, moq.group(2) if moq else None)
    if found.countries:
        slots[Slot.ORIGIN] = found.countries[0]
    if found.incoterms:
        slots[Slot.INCOTERM] = found.incoterms[0].code
    if found.hs_codes:
        slots[Slot.HS_CODE] = found.hs_codes[0]
    lead = _LEAD.search(text)
    if lead:
        days = int(lead.group(1))
        slots[Slot.LEAD_TIME] = days * 7 if re.match(r"(?i)w|周|sem", lead.group(2)) else days
    if first_message and Slot.TITLE not in slots:
        title = guess_title(text)
        if title:
            slots[Slot.TITLE] = title
    return slots


_GENERIC = re.compile(
    r"(?i)\b(?:a|an|my|new|product|products|listing|offer|create|make|want|to|i|please|ein(?:e[nm]?)?|neue[sn]?|"
    r"angebot|inserat|produkt|erstellen|anlegen|möchte|ich|bitte|un[ao]?|nuev[oa]|oferta|anuncio|producto|"
    r"crear|quiero|une?|nouvelle?|annonce|produit|cr[ée]er|je|veux)\b|我想|我要|请|发布|创建|新的?|产品|商品|一个|信息")
_UNIT_WORDS = {"kg": "kg", "公斤": "kg", "t": "t", "ton": "t", "tons": "t", "tonne": "t", "tonnes": "t", "吨": "t",
               "pcs": "pcs", "pieces": "pcs", "stück": "pcs", "件": "pcs"}
_TO_KG = {"kg": Decimal(1), "t": Decimal(1000)}


def _same_unit(slots: dict[str, Any], moq_unit: str | None) -> None:
    """Express quantity and MOQ in the price's unit (kg ↔ t), so one unit applies to all."""
    unit = slots.get("unit")
    if not unit:
        return
    quantity_unit = slots.pop("quantity_unit", unit)
    for key, have in ((Slot.QUANTITY, quantity_unit), (Slot.MOQ, _UNIT_WORDS.get((moq_unit or "").lower(), unit))):
        if key in slots and have != unit and have in _TO_KG and unit in _TO_KG:
            slots[key] = _decimal(Decimal(slots[key]) * _TO_KG[have] / _TO_KG[unit])


def guess_title(text: str) -> str | None:
    """The product named in a "list/sell <product>, ..." message, if there is one."""
    clause = re.split(r"[,;\n，；。]|\s+(?:at|for|zu|für|à|por|a)\s+\d", text, maxsplit=1)[0]
    clause = _VERBS.sub("", clause.strip()).strip(" .:")
    clause = re.sub(r"(?i)^\d+(?:[.,]\d+)?\s*(?:kg|t|tons?|tonnes?|pcs|pieces|吨|公斤|千克|件)\s*(?:of\s+)?", "",
                    clause)
    if not _GENERIC.sub("", clause).strip(" .,!?"):
        return None  # "I want to create a listing": no product named yet
    if len(clause) < 2 or re.search(r"\d", clause) or len(clause) > 120:
        return None
    return clause[:1].upper() + clause[1:]


def parse_step(step: Slot, text: str, found: Entities) -> dict[str, Any]:
    """The answer to the question of ``step``, read leniently (bare numbers, free text)."""
    slots = parse_any(text, found)
    value = text.strip()
    if step is Slot.TITLE and Slot.TITLE not in slots:
        slots = {Slot.TITLE: value[:200]} if value else {}
    elif step is Slot.DESCRIPTION:
        slots = {Slot.DESCRIPTION: "" if normalized(value) in _SKIP else value[:3000]}
    elif step in (Slot.MOQ, Slot.QUANTITY, Slot.PRICE_USD) and step not in slots:
        number = (found.money[0].amount if step is Slot.PRICE_USD and found.money else
                  found.quantities[0].value if found.quantities else first_number(value))
        if number is not None and number > 0:
            slots[step] = _decimal(number)
            if step is Slot.QUANTITY and found.quantities:
                slots["unit"] = found.quantities[0].unit
    elif step is Slot.LEAD_TIME and Slot.LEAD_TIME not in slots:
        match = _LEAD_WORD_ONLY.search(value)
        if match:
            slots[Slot.LEAD_TIME] = int(match.group(1))
    elif step is Slot.HS_CODE and Slot.HS_CODE not in slots:
        digits = re.sub(r"[.\s]", "", value)
        if re.fullmatch(r"\d{4}(\d{2}){0,3}", digits):
            slots[Slot.HS_CODE] = digits
    return slots


def edit_target(text: str) -> Slot | None:
    """The field a message like "change the price" names, when it gives no value."""
    for slot, words in _FIELD_WORDS.items():
        if re.search(rf"(?i){words}", text):
            return slot
    return None
