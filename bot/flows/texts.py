"""Small language helpers shared by the merchant flows: yes/no, questions, ids, numbers."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from bot.nlu import Entities, extract_entities

_YES = {"yes", "y", "yep", "yeah", "ok", "okay", "sure", "confirm", "confirmed", "go ahead", "do it", "send",
        "book", "book it", "publish", "ja", "jawohl", "jep", "bestätigen", "bestätige", "ja bitte", "passt",
        "genau", "senden", "buchen", "veröffentlichen", "是", "是的", "好", "好的", "确认", "对", "可以", "行",
        "没问题", "发布", "发送", "预订", "sí", "si", "vale", "confirmar", "claro", "de acuerdo", "enviar",
        "reservar", "publicar", "oui", "d'accord", "ok d'accord", "confirmer", "je confirme", "envoyer",
        "réserver", "publier", "vas-y"}
_NO = {"no", "n", "nope", "nein", "不", "不是", "不要", "否", "non", "pas maintenant", "not now", "nicht jetzt"}
_STRIP = " \t\n.!。！?？,，"
_QUESTION_START = re.compile(
    r"(?i)^(what|how|which|why|when|where|who|is|are|do|does|can|could|should|was|wie|welche[rsnm]?|warum|"
    r"wann|wo|wer|muss|kann|qu[eé]|c[oó]mo|cu[aá]l|por qu[eé]|quoi|comment|quel(le)?s?|pourquoi|est-ce)\b")
_QUESTION_ZH = re.compile(r"什么|怎么|如何|为什么|哪|吗|呢|是否")
SHIPMENT_ID = re.compile(r"(?i)\b(SBX-[0-9A-F]{8})\b")
BUYER_REQUEST_ID = re.compile(r"(?i)\b(BR-\d{5})\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def normalized(text: str) -> str:
    return " ".join(text.strip(_STRIP).casefold().split())


def is_yes(text: str, flow_id: str | None = None) -> bool:
    """A confirmation: the flow's confirm button, or "yes" in one of our languages."""
    if flow_id and text.strip() == f"confirm:{flow_id}":
        return True
    return normalized(text) in _YES


def is_no(text: str) -> bool:
    return normalized(text) in _NO


def looks_like_question(text: str) -> bool:
    """A message phrased as a question (a side question, not a slot answer)."""
    stripped = text.strip()
    return stripped.endswith(("?", "？")) or bool(_QUESTION_START.match(stripped)) or bool(
        _QUESTION_ZH.search(stripped))


async def entities(text: str, language: str, today: date | None = None) -> Entities:
    """Entities of ``text`` (quantities, money, countries, ports, HS codes, Incoterms, ...)."""
    return await asyncio.to_thread(extract_entities, text, language, today)


def shipment_ids(text: str) -> list[str]:
    """Platform shipment ids (``SBX-1A2B3C4D``) in a message, upper case."""
    return [m.upper() for m in SHIPMENT_ID.findall(text)]


def first_number(text: str) -> Decimal | None:
    """The first number in ``text`` (``1,5`` and ``1.5`` both read as 1.5)."""
    match = _NUMBER.search(text)
    if not match:
        return None
    try:
        return Decimal(match.group(0).replace(",", "."))
    except InvalidOperation:
        return None


def choice_index(text: str, count: int) -> int | None:
    """``"2"``, ``"#2"``, ``"Nr. 2"`` → 1 (zero-based) when 1..count; else None."""
    match = re.fullmatch(r"\s*(?:#|no\.?|nr\.?|n°|第)?\s*(\d{1,2})\s*(?:个|号)?\s*", text, re.I)
    if not match:
        return None
    value = int(match.group(1))
    return value - 1 if 1 <= value <= count else None
