"""Trade questions answered from the knowledge base, with sources — never guessed."""

from __future__ import annotations

import asyncio
import re
from typing import Any, Protocol

from bot.intents import Intent
from bot.messages import Reply, Source
from bot.skills.base import Skill, SkillResult, TurnContext
from bot.skills.handoff import handoff_result, offer_human

# Legal advice on sanctions or export control is for people, not for a bot.
_SENSITIVE = re.compile(
    r"sanction|embargo|dual[- ]use|export control|ofac|sdn|itar|ear99|"
    r"sanktion|embargo|ausfuhrkontrolle|dual-use|"
    r"制裁|禁运|两用|出口管制|"
    r"sanci[oó]n|control de exportaci|doble uso|"
    r"sanction|contr[ôo]le des exportations|double usage", re.I)
_LEGAL = re.compile(
    r"\b(legal|lawyer|liable|allowed|permitted|is it legal|can i (still )?(sell|ship|export)|"
    r"rechtlich|erlaubt|anwalt|darf ich|legal|permitido|abogado|puedo (vender|exportar)|"
    r"légal|autorisé|avocat|ai-je le droit|puis-je (vendre|exporter))\b|合法|允许|律师|可以(出口|卖)", re.I)


class KnowledgeBase(Protocol):
    def answer(self, question: str, language: str) -> Any: ...


class KnowledgeSkill(Skill):
    """Answers from retrieved passages and structured data, citing sources."""

    name = "knowledge"
    intents = (Intent.KNOWLEDGE,)

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self._knowledge = knowledge

    async def handle(self, ctx: TurnContext) -> SkillResult:
        text = ctx.message.text
        if _SENSITIVE.search(text) and _LEGAL.search(text):
            result = handoff_result(ctx, "sensitive")
            result.replies.insert(0, Reply(ctx.t("knowledge.sensitive")))
            return result
        answer = await asyncio.to_thread(self._knowledge.answer, text, ctx.language)
        if answer is None:
            return SkillResult(Intent.KNOWLEDGE, [offer_human(ctx, "knowledge.unknown")])
        sources = [Source(id=s["id"], title=s["title"]) for s in answer.sources]
        replies = [Reply(answer.text)]
        if _SENSITIVE.search(text):
            replies.append(offer_human(ctx, "knowledge.sensitive_offer"))
        return SkillResult(Intent.KNOWLEDGE, replies, sources=sources)
