"""Greeting and help: what the assistant is and what it can do."""

from __future__ import annotations

from bot.intents import Intent
from bot.messages import Button, Reply
from bot.skills.base import Skill, SkillResult, TurnContext


class GreetingSkill(Skill):
    """Answers hello, ``/start`` and ``/help``."""

    name = "greeting"
    intents = (Intent.GREETING,)

    async def handle(self, ctx: TurnContext) -> SkillResult:
        command = ctx.recognition.command
        buttons = (Button(ctx.t("button.help"), "/help"), Button(ctx.t("button.lang"), "/lang"))
        if command == "help":
            return SkillResult(Intent.GREETING, [Reply(ctx.t("help"))])
        first_name = str(ctx.message.metadata.get("first_name") or "").strip()[:64]
        name = f" {first_name}" if first_name else ""
        welcome = ctx.t("welcome", name=name)
        if ctx.language == "zh" and name:
            welcome = ctx.t("welcome", name=first_name)
        return SkillResult(Intent.GREETING, [Reply(welcome, buttons)])
