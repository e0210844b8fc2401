"""A low-confidence turn: ask which of the likely intents the merchant meant."""

from __future__ import annotations

from bot.intents import Intent
from bot.messages import Button, Reply
from bot.skills.base import SkillResult, TurnContext
from bot.skills.handoff import offer_human

CHOOSABLE = {Intent.KNOWLEDGE, Intent.CLASSIFY, Intent.FIND_BUYERS, Intent.CREATE_LISTING,
             Intent.SHIPPING_QUOTE, Intent.BOOK_SHIPMENT, Intent.TRACK_SHIPMENT, Intent.HANDOFF}


def clarify(ctx: TurnContext) -> SkillResult | None:
    """Buttons for the likely intents; two unclear turns in a row also offer a person.

    Returns ``None`` when no alternative is worth offering.
    """
    options = [i for i, _ in ctx.recognition.alternatives if i in CHOOSABLE][:3]
    if not options:
        return None
    ctx.state["clarify"] = {"text": ctx.message.text}
    buttons = tuple(Button(ctx.t(f"intent.{i.value}"), f"/intent {i.value}") for i in options)
    replies = [Reply(ctx.t("clarify.ask"), buttons)]
    unclear = int(ctx.state.get("unclear", 0)) + 1
    ctx.state["unclear"] = unclear
    if unclear >= 2:
        replies.append(offer_human(ctx))
        ctx.state["unclear"] = 0
    return SkillResult(Intent.OUT_OF_SCOPE, replies)
