"""The polite answer for messages outside trade, and for unknown commands."""

from __future__ import annotations

from bot.intents import Intent
from bot.messages import Button, Reply
from bot.skills.base import Skill, SkillResult, TurnContext


class OutOfScopeSkill(Skill):
    """Says what the bot can do instead of forcing the message into a trade intent."""

    name = "out_of_scope"
    intents = (Intent.OUT_OF_SCOPE,)

    async def handle(self, ctx: TurnContext) -> SkillResult:
        command = ctx.recognition.command
        text = ctx.t("command.unknown", command=f"/{command}") if command else ctx.t("out_of_scope")
        return SkillResult(Intent.OUT_OF_SCOPE, [Reply(text, (Button(ctx.t("button.help"), "/help"),))])
