"""The one interface every skill implements, and the registry the core dispatches through."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import Translator
from bot.intents import Intent
from bot.messages import InboundMessage, Reply, Source
from bot.understanding import Recognition


@dataclass
class TurnContext:
    """Everything a skill may read for one turn; ``state`` is the conversation's mutable state.

    A skill that starts a multi-turn flow stores it with :meth:`start_flow`; the core then
    routes the next message to :meth:`Skill.resume` until the skill calls :meth:`end_flow`.
    """

    message: InboundMessage
    conversation_id: str
    language: str
    state: dict[str, Any]
    recognition: Recognition
    translator: Translator

    def t(self, key: str, **values: object) -> str:
        return self.translator.text(key, self.language, **values)

    @property
    def flow(self) -> dict[str, Any] | None:
        return self.state.get("flow")

    def start_flow(self, skill: str, step: str, **data: Any) -> None:
        self.state["flow"] = {"skill": skill, "step": step, "data": data, "updated_at": time.time()}

    def update_flow(self, step: str | None = None, **data: Any) -> None:
        """Move the active flow to ``step`` and/or merge ``data`` into its collected data."""
        flow = self.state["flow"]
        if step is not None:
            flow["step"] = step
        flow["data"].update(data)
        flow["updated_at"] = time.time()

    def end_flow(self) -> None:
        self.state.pop("flow", None)


@dataclass
class SkillResult:
    """What a skill answers: replies, the intent to report, cited sources, handoff flag."""

    intent: Intent
    replies: list[Reply]
    sources: list[Source] = field(default_factory=list)
    handoff: bool = False
    handoff_reason: str = "requested"  # requested | misunderstanding | uncertain_hs | connector | sensitive


class Skill(ABC):
    """A capability of the assistant, answering the intents it declares."""

    name: str = ""
    intents: tuple[Intent, ...] = ()

    @abstractmethod
    async def handle(self, ctx: TurnContext) -> SkillResult:
        """Answer a message whose recognised intent is one of :attr:`intents`."""

    async def resume(self, ctx: TurnContext) -> SkillResult | None:
        """Continue this skill's flow with the next message (slot answer, confirmation).

        Return ``None`` when the message is not an answer to the flow (e.g. a side
        question): the core then answers it by intent, keeps the flow, and appends
        :meth:`remind`.
        """
        ctx.end_flow()
        return await self.handle(ctx)

    async def remind(self, ctx: TurnContext) -> list[Reply]:
        """Replies that repeat the flow's pending question after a side question."""
        return []


class SkillRegistry:
    """Maps intents and flow owners to skills."""

    def __init__(self, skills: list[Skill], fallback: Skill) -> None:
        self._by_name = {s.name: s for s in [*skills, fallback]}
        self._by_intent = {i: s for s in skills for i in s.intents}
        self.fallback = fallback

    def for_intent(self, intent: Intent) -> Skill:
        return self._by_intent.get(intent, self.fallback)

    def by_name(self, name: str) -> Skill | None:
        return self._by_name.get(name)
