"""create_listing: slot filling, a localized summary, and an explicit confirmation."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from bot.flows.common import ONBOARD, FlowSkill, action_key, confirm_buttons, new_flow_id
from bot.flows.listing_draft import USE_DRAFT, draft_question, suggest_draft
from bot.flows.listing_slots import ORDER, Slot, edit_target, parse_any, parse_step
from bot.flows.model_slots import for_listing, proposed
from bot.flows.texts import entities, is_no, is_yes
from bot.intents import Intent
from bot.messages import Button, Reply
from bot.skills.base import SkillResult, TurnContext

CONFIRM = "confirm"
FREE_TEXT_STEPS = {Slot.TITLE, Slot.DESCRIPTION}


class ListingSkill(FlowSkill):
    """Creates a listing on the platform for the conversation's merchant."""

    name = "create_listing"
    intents = (Intent.CREATE_LISTING,)
    intent = Intent.CREATE_LISTING

    async def handle(self, ctx: TurnContext) -> SkillResult:
        link = await self.merchant_or_onboard(ctx)
        if isinstance(link, SkillResult):
            return link
        found = await entities(ctx.message.text, ctx.language)
        slots = {str(k): v for k, v in parse_any(ctx.message.text, found, first_message=True).items()}
        slots = for_listing(proposed(ctx), slots)  # LLM mode: what the model read, under the parsers
        slots.setdefault(Slot.ORIGIN.value, link.country)
        ctx.start_flow(self.name, Slot.TITLE.value, fid=new_flow_id(), slots=slots)
        return await self._next(ctx, [Reply(ctx.t("flows.listing.start"))])

    async def resume(self, ctx: TurnContext) -> SkillResult | None:
        step = ctx.flow["step"]
        self.keep_language(ctx)
        if step == ONBOARD:
            return await self.resume_onboarding(ctx)
        if step == CONFIRM:
            return await self._at_summary(ctx)
        slot = Slot(step)
        if self.is_side_question(ctx, free_text=slot in FREE_TEXT_STEPS):
            return None
        text = ctx.message.text
        slots = ctx.flow["data"]["slots"]
        if slot is Slot.HS_CODE:
            code = self._hs_answer(ctx, text)
            if code:
                ctx.update_flow(slots={**slots, Slot.HS_CODE.value: code})
                return await self._next(ctx)
        if slot is Slot.DESCRIPTION and text.strip() == USE_DRAFT:
            draft = ctx.flow["data"].get("draft")
            if not draft:  # a stale or forged button: ask again
                return await self._next(ctx, [Reply(ctx.t("flows.not_understood"))])
            ctx.update_flow(slots={**slots, **draft}, draft=None)  # the summary shows it for review
            return await self._next(ctx)
        found = await entities(text, ctx.language)
        parsed = {str(k): v for k, v in parse_step(slot, text, found).items()}
        ctx.update_flow(slots={**slots, **parsed}, **({"draft": None} if slot is Slot.DESCRIPTION else {}))
        prefix = [] if slot.value in parsed else [Reply(ctx.t("flows.not_understood"))]
        return await self._next(ctx, prefix)

    async def remind(self, ctx: TurnContext) -> list[Reply]:
        flow = ctx.flow
        if not flow or flow["step"] == ONBOARD:
            return [Reply(ctx.t("flows.onboard.ask"))] if flow else []
        if flow["step"] == CONFIRM:
            return [self._summary(ctx)]
        return [await self._question(ctx, Slot(flow["step"]))]

    # -- steps ---------------------------------------------------------------------------
    def _missing(self, slots: dict[str, Any]) -> Slot | None:
        for slot in ORDER:
            if slot is Slot.PRICE_USD and slots.get("currency", "USD") == "USD":
                continue
            if slot.value not in slots:
                return slot
        return None

    async def _next(self, ctx: TurnContext, prefix: list[Reply] | None = None) -> SkillResult:
        slots = ctx.flow["data"]["slots"]
        if slots.get("currency") == "USD" and Slot.PRICE.value in slots:
            slots[Slot.PRICE_USD.value] = slots[Slot.PRICE.value]
        missing = self._missing(slots)
        if missing is None:
            ctx.update_flow(CONFIRM)
            return self.result(ctx, *(prefix or []), self._summary(ctx))
        ctx.update_flow(missing.value)
        return self.result(ctx, *(prefix or []), await self._question(ctx, missing))

    async def _question(self, ctx: TurnContext, slot: Slot) -> Reply:
        slots = ctx.flow["data"]["slots"]
        if slot is Slot.HS_CODE:
            return await self._hs_question(ctx, slots[Slot.TITLE.value])
        if slot is Slot.PRICE_USD:
            price = ctx.translator.money(Decimal(slots[Slot.PRICE.value]), slots["currency"], ctx.language)
            return Reply(ctx.t("flows.listing.ask.price_usd", price=price))
        if slot is Slot.DESCRIPTION and self.deps.listing_text is not None:
            draft = ctx.flow["data"].get("draft") or await suggest_draft(self.deps, ctx, slots)
            if draft:
                ctx.update_flow(draft=draft)
                return draft_question(ctx, draft)
        unit = slots.get("unit", "kg")
        return Reply(ctx.t(f"flows.listing.ask.{slot.value}", unit=unit))

    async def _hs_question(self, ctx: TurnContext, title: str) -> Reply:
        suggestion = await self.deps.hs.suggest(title, ctx.language)
        candidates = [c for c in suggestion.candidates if c.score >= 0.05] or list(suggestion.candidates[:1])
        ctx.state["hs_candidates"] = [asdict(c) for c in suggestion.candidates]
        ctx.update_flow(hs_options=[c.code for c in candidates])
        if not candidates:
            return Reply(ctx.t("flows.listing.ask.hs_code_none"))
        best = candidates[0]
        if suggestion.ambiguous and len(candidates) > 1:
            buttons = tuple(Button(f"{c.code} {c.description[:40]}", c.code) for c in candidates[:3])
            return Reply(ctx.t("flows.listing.ask.hs_code_choose"), buttons)
        return Reply(ctx.t("flows.listing.ask.hs_code", code=best.code, description=best.description[:120]),
                     (Button(ctx.t("flows.button.yes"), "yes"),))

    @staticmethod
    def _hs_answer(ctx: TurnContext, text: str) -> str | None:
        options = ctx.flow["data"].get("hs_options") or []
        stripped = text.strip().replace(".", "")
        if stripped in options:
            return stripped
        if options and is_yes(text):
            return options[0]
        return None

    # -- summary, edits, confirmation ----------------------------------------------------
    async def _at_summary(self, ctx: TurnContext) -> SkillResult | None:
        text, data = ctx.message.text, ctx.flow["data"]
        if is_yes(text, data["fid"]):
            return await self._publish(ctx)
        if is_no(text):
            ctx.end_flow()
            return self.result(ctx, Reply(ctx.t("flows.listing.dropped")))
        if text.strip() == "edit":
            return self.result(ctx, Reply(ctx.t("flows.listing.edit_how")))
        found = await entities(text, ctx.language)
        parsed = {str(k): v for k, v in parse_any(text, found).items()}
        if parsed:
            if "currency" in parsed and parsed["currency"] != "USD":
                data["slots"].pop(Slot.PRICE_USD.value, None)
            ctx.update_flow(slots={**data["slots"], **parsed})
            return await self._next(ctx)
        target = edit_target(text)
        if target is not None and not self.is_side_question(ctx):
            data["slots"].pop(target.value, None)
            if target is Slot.PRICE:
                data["slots"].pop(Slot.PRICE_USD.value, None)
            return await self._next(ctx)
        if self.is_side_question(ctx, free_text=True):
            return None
        return self.result(ctx, Reply(ctx.t("flows.confirm_or_edit")), self._summary(ctx))

    def _summary(self, ctx: TurnContext) -> Reply:
        s, tr, lang = ctx.flow["data"]["slots"], ctx.translator, ctx.language
        unit = s.get("unit", "kg")
        price = tr.money(Decimal(s[Slot.PRICE.value]), s.get("currency", "USD"), lang)
        if s.get("currency", "USD") != "USD":
            price += f" ({tr.money(Decimal(s[Slot.PRICE_USD.value]), 'USD', lang)})"
        text = ctx.t("flows.listing.summary", title=s[Slot.TITLE.value], hs=s[Slot.HS_CODE.value],
                     price=price, unit=unit, quantity=tr.number(Decimal(s[Slot.QUANTITY.value]), lang),
                     moq=tr.number(Decimal(s[Slot.MOQ.value]), lang), origin=s[Slot.ORIGIN.value],
                     incoterm=s[Slot.INCOTERM.value], lead=tr.number(int(s[Slot.LEAD_TIME.value]), lang),
                     description=s.get(Slot.DESCRIPTION.value) or "—")
        return Reply(text, confirm_buttons(ctx, ctx.flow["data"]["fid"]))

    async def _publish(self, ctx: TurnContext) -> SkillResult:
        link = await self.deps.merchants.get(ctx.conversation_id)
        if link is None:  # unlinked meanwhile: start again from onboarding
            ctx.end_flow()
            return await self.handle(ctx)
        data = ctx.flow["data"]
        key = action_key("create_listing", ctx.conversation_id, data["fid"])
        action, error = await self.confirmed(ctx, link, "create_listing", {"listing": listing_body(data["slots"])},
                                             key)
        if not self.is_done(action):
            return self.action_failure(ctx, action, error)
        ctx.end_flow()
        listing = action.result or {}
        return self.result(ctx, Reply(ctx.t("flows.listing.created", listing_id=listing.get("listing_id"),
                                            title=listing.get("title"))))


def listing_body(s: dict[str, Any]) -> dict[str, Any]:
    """The platform's ``ListingCreate``; MOQ, lead time and a non-USD price go in the text."""
    unit = s.get("unit", "kg")
    notes = [f"MOQ: {s[Slot.MOQ.value]} {unit}.", f"Lead time: {s[Slot.LEAD_TIME.value]} days."]
    if s.get("currency", "USD") != "USD":
        notes.append(f"Seller's price: {s[Slot.PRICE.value]} {s['currency']}/{unit}.")
    description = "\n".join(filter(None, [s.get(Slot.DESCRIPTION.value, ""), " ".join(notes)]))
    return {"title": s[Slot.TITLE.value][:200], "description": description[:4000],
            "hs_code": s[Slot.HS_CODE.value], "origin_country": s[Slot.ORIGIN.value],
            "quantity": float(s[Slot.QUANTITY.value]), "unit": unit[:20],
            "unit_price_usd": float(s[Slot.PRICE_USD.value]), "incoterm": s[Slot.INCOTERM.value]}
