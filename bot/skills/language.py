"""``/lang``: the merchant chooses the reply language (a two-step flow when no code is given)."""

from __future__ import annotations

from enum import StrEnum

from bot.i18n import normalize_language
from bot.intents import Intent
from bot.messages import Button, Reply
from bot.settings import SUPPORTED_LANGUAGES
from bot.skills.base import Skill, SkillResult, TurnContext


class LanguageStep(StrEnum):
    CHOOSE = "choose"


def _match_language(text: str, translator) -> str | None:  # noqa: ANN001
    """Accept a code (``de``, ``zh-CN``, ``/lang de``) or a language name in any of our languages."""
    answer = text.strip().removeprefix("/lang").strip().lower()
    code = normalize_language(answer) if len(answer) <= 7 else None
    if code:
        return code
    for candidate in SUPPORTED_LANGUAGES:
        names = {translator.language_name(candidate, lang).lower() for lang in SUPPORTED_LANGUAGES}
        names.add(translator.native_language_name(candidate).lower())
        if answer in names:
            return candidate
    aliases = {"english": "en", "german": "de", "chinese": "zh", "spanish": "es", "french": "fr",
               "中文": "zh", "汉语": "zh", "普通话": "zh", "castellano": "es"}
    return aliases.get(answer)


class LanguageSkill(Skill):
    """Sets the conversation's language; the choice is sticky until changed again."""

    name = "language"
    intents = ()

    async def handle(self, ctx: TurnContext) -> SkillResult:
        code = _match_language(ctx.recognition.argument, ctx.translator) if ctx.recognition.argument else None
        if code:
            return self._set(ctx, code)
        ctx.start_flow(self.name, LanguageStep.CHOOSE)
        buttons = tuple(Button(ctx.translator.native_language_name(c), f"/lang {c}") for c in SUPPORTED_LANGUAGES)
        return SkillResult(Intent.GREETING, [Reply(ctx.t("lang.ask"), buttons)])

    async def resume(self, ctx: TurnContext) -> SkillResult:
        code = _match_language(ctx.message.text, ctx.translator)
        if code is None:
            buttons = tuple(Button(ctx.translator.native_language_name(c), f"/lang {c}") for c in SUPPORTED_LANGUAGES)
            return SkillResult(Intent.GREETING, [Reply(ctx.t("lang.unknown"), buttons)])
        ctx.end_flow()
        return self._set(ctx, code)

    @staticmethod
    def _set(ctx: TurnContext, code: str) -> SkillResult:
        ctx.state["language"] = code
        ctx.state["language_explicit"] = True
        ctx.language = code
        name = ctx.translator.language_name(code, code)
        return SkillResult(Intent.GREETING, [Reply(ctx.t("lang.set", lang_name=name))])
