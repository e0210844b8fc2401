"""Trade questions answered from the knowledge base, with sources — never guessed."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from bot.intents import Intent
from bot.messages import Reply, Source
from bot.skills.base import Skill, SkillResult, TurnContext
from bot.sensitive import mentions_controls
from bot.skills.handoff import offer_human

class KnowledgeBase(Protocol):
    def answer(self, question: str, language: str) -> Any: ...


class AnswerComposer(Protocol):
    """LLM mode (``bot.llm.answers``): rewrites an offline answer from its passages, or declines."""

    async def improve(self, question: str, language: str, offline: Any) -> Any: ...


class KnowledgeSkill(Skill):
    """Answers from retrieved passages and structured data, citing sources."""

    name = "knowledge"
    intents = (Intent.KNOWLEDGE,)

    def __init__(self, knowledge: KnowledgeBase, composer: AnswerComposer | None = None) -> None:
        self._knowledge = knowledge
        self._composer = composer

    async def handle(self, ctx: TurnContext) -> SkillResult:
        text = ctx.message.text
        answer = await asyncio.to_thread(self._knowledge.answer, text, ctx.language)
        if answer is not None and self._composer is not None:  # the offline answer on any LLM doubt
            answer = await self._composer.improve(text, ctx.language, answer)
        if answer is None:
            return SkillResult(Intent.KNOWLEDGE, [offer_human(ctx, "knowledge.unknown")])
        sources = [Source(id=s["id"], title=s["title"]) for s in answer.sources]
        replies = [Reply(answer.text)]
        if mentions_controls(text):
            replies.append(offer_human(ctx, "knowledge.sensitive_offer"))
        return SkillResult(Intent.KNOWLEDGE, replies, sources=sources)
