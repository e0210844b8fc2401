"""HS codes for a product description; asks instead of guessing when candidates are close."""

from __future__ import annotations

import asyncio
import re
from typing import Any, Protocol

from bot.intents import Intent
from bot.messages import Button, Reply
from bot.skills.base import Skill, SkillResult, TurnContext
from bot.skills.handoff import offer_human

_FRAMING = re.compile(
    r"^\s*(what('| i)?s (the )?|which |find (me )?(the )?|give me (the )?|i need (the |an? )?)?"
    r"(hs|tariff|customs|harmoni[sz]ed)[ -]?(code|number|classification)s?\s*(for|of|für|von)?\s*(an? |the )?|"
    r"^\s*(welche[nr]? |wie lautet (der|die) )?(hs|zolltarif)[- ]?(code|nummer)\s*(für|von)?\s*|"
    r"^\s*(c[oó]digo|n[uú]mero)\s+(hs|sa|arancelario)\s*(de|para)?\s*(la |el |los |las )?|"
    r"^\s*(quel est le |le )?(code|num[ée]ro)\s+(hs|sh|douanier)\s*(de|du|des|pour)?\s*(la |le |l')?|"
    r"(的)?\s*(hs|海关)\s*编码(是)?(多少|什么)?[？?]?\s*$",
    re.I)


class Classifier(Protocol):
    def classify(self, text: str, top: int = 5) -> Any: ...


def product_text(message: str) -> str:
    """The product description without "HS code for …" framing (in our languages)."""
    stripped = _FRAMING.sub("", message).strip(" ?？.!:")
    return stripped or message


def format_code(code: str) -> str:
    return f"{code[:4]}.{code[4:6]}" if len(code) >= 6 else code


class ClassifySkill(Skill):
    """Top HS candidates with scores; a close call asks a clarifying question."""

    name = "classify"
    intents = (Intent.CLASSIFY,)

    def __init__(self, classifier: Classifier) -> None:
        self._classifier = classifier

    async def handle(self, ctx: TurnContext) -> SkillResult:
        text = product_text(ctx.message.text)
        result = await asyncio.to_thread(self._classifier.classify, text, 3)
        if not result.candidates:
            return SkillResult(Intent.CLASSIFY, [offer_human(ctx, "classify.none")])
        ctx.state["hs_candidates"] = [
            {"code": c.code, "heading": c.heading, "description": c.description, "score": round(c.score, 3)}
            for c in result.candidates]
        lines = [f"• {format_code(c.code)} — {c.description} ({ctx.translator.number(round(c.score * 100), ctx.language)} %)"
                 for c in result.candidates]
        best = result.candidates[0]
        if result.ambiguous:
            question = ctx.t("classify.ambiguous", product=text)
            if result.clarify_question:
                question += "\n" + result.clarify_question
            replies = [Reply(question + "\n" + "\n".join(lines),
                             (Button(ctx.t("button.human"), "/human"),))]
        else:
            head = ctx.t("classify.best", product=text, code=format_code(best.code), description=best.description)
            replies = [Reply(head + "\n" + ctx.t("classify.others") + "\n" + "\n".join(lines[1:])
                             if len(lines) > 1 else head)]
        replies.append(Reply(ctx.t("classify.disclaimer")))
        return SkillResult(Intent.CLASSIFY, replies)
