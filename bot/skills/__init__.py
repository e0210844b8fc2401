"""Skills: one per intent, plugged into the conversation service behind :class:`Skill`."""

from bot.skills.base import Skill, SkillRegistry, SkillResult, TurnContext

__all__ = ["Skill", "SkillRegistry", "SkillResult", "TurnContext"]
