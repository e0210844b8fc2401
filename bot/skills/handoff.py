"""Escalation to a person: ``/human``, "talk to a person", or another skill's decision."""

from __future__ import annotations

from bot.intents import Intent
from bot.messages import Button, Reply
from bot.skills.base import Skill, SkillResult, TurnContext


def handoff_result(ctx: TurnContext, reason: str) -> SkillResult:
    """The reply that tells the merchant what happens next, and flags the escalation."""
    return SkillResult(Intent.HANDOFF, [Reply(ctx.t("handoff.requested"), (Button(ctx.t("button.bot"), "/bot"),))],
                       handoff=True, handoff_reason=reason)


def offer_human(ctx: TurnContext, text_key: str = "handoff.offer") -> Reply:
    """A reply offering a person, for skills that are unsure or failed."""
    return Reply(ctx.t(text_key), (Button(ctx.t("button.human"), "/human"), Button(ctx.t("button.help"), "/help")))


class HandoffSkill(Skill):
    """Hands the conversation to staff on the merchant's request."""

    name = "handoff"
    intents = (Intent.HANDOFF,)

    async def handle(self, ctx: TurnContext) -> SkillResult:
        ctx.end_flow()
        return handoff_result(ctx, "requested")
