"""shipping_quote and book_shipment: places, cargo, quotes side by side, a confirmed booking."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from enum import StrEnum

from connectors.errors import ConnectorError

from bot.flows.common import ONBOARD, FlowSkill, action_key, confirm_buttons, new_flow_id
from bot.flows.model_slots import cargo_from, proposed
from bot.flows.places import by_code, from_entity, resolve
from bot.flows.shipping_parts import booking_summary, cargo, modes, pick_quote, quote_rows, quotes_reply
from bot.flows.texts import entities, is_no, is_yes
from bot.intents import Intent
from bot.messages import Button, Reply
from bot.skills.base import SkillResult, TurnContext


class Step(StrEnum):
    ORIGIN = "origin"
    DESTINATION = "destination"
    CARGO = "cargo"
    CHOOSE = "choose"
    SHIPPER = "shipper"
    CONSIGNEE = "consignee"
    CONFIRM = "confirm"


class ShippingSkill(FlowSkill):
    """Quotes shipments and books the quote the merchant chooses."""

    name = "shipping"
    intents = (Intent.SHIPPING_QUOTE, Intent.BOOK_SHIPMENT)
    intent = Intent.SHIPPING_QUOTE

    async def handle(self, ctx: TurnContext) -> SkillResult:
        link = await self.merchant_or_onboard(ctx)
        if isinstance(link, SkillResult):
            return link
        text = ctx.message.text
        found = await entities(text, ctx.language)
        places = [p for p in (from_entity(code) for code in found.locations) if p is not None]
        model = proposed(ctx)  # LLM mode: what the model read, under the offline parsers
        data = {"fid": new_flow_id(), "modes": modes(text), **(cargo(found) or cargo_from(model))}
        if len(places) == 1 and model.get("destination"):
            named = resolve(model["destination"])
            if len(named) == 1 and named[0].code != places[0].code:
                places.append(named[0])
        if places:
            data["origin"] = places[0].to_json()
        if len(places) > 1:
            data["destination"] = places[1].to_json()
        ctx.start_flow(self.name, Step.ORIGIN.value, **data)
        return await self._next(ctx)

    async def resume(self, ctx: TurnContext) -> SkillResult | None:
        step, data, text = ctx.flow["step"], ctx.flow["data"], ctx.message.text
        self.keep_language(ctx)
        if step == ONBOARD:
            return await self.resume_onboarding(ctx)
        if step in (Step.ORIGIN, Step.DESTINATION):
            if self.is_side_question(ctx, free_text=True):
                return None
            return await self._place_answer(ctx, Step(step))
        if step == Step.CARGO:
            if self.is_side_question(ctx):
                return None
            found = await entities(text, ctx.language)
            ctx.update_flow(**cargo(found), **({"modes": modes(text)} if modes(text) else {}))
            prefix = [] if cargo(found) else [Reply(ctx.t("flows.not_understood"))]
            return await self._next(ctx, prefix)
        if step == Step.CHOOSE:
            chosen = pick_quote(text, data.get("quotes", []))
            if chosen is None:
                return None if self.is_side_question(ctx, free_text=True) else self.result(
                    ctx, Reply(ctx.t("flows.quote.choose_again")), await self._ask(ctx, Step.CHOOSE))
            ctx.update_flow(Step.SHIPPER.value, chosen=chosen)
            return self.result(ctx, Reply(ctx.t("flows.book.ask.shipper")), intent=Intent.BOOK_SHIPMENT)
        if step in (Step.SHIPPER, Step.CONSIGNEE):
            if self.is_side_question(ctx, free_text=True):
                return None
            if len(text.strip()) < 3:
                return self.result(ctx, Reply(ctx.t(f"flows.book.ask.{step}")), intent=Intent.BOOK_SHIPMENT)
            ctx.update_flow(**{step: text.strip()[:300]})
            return await self._next(ctx)
        return await self._at_confirm(ctx)

    async def remind(self, ctx: TurnContext) -> list[Reply]:
        flow = ctx.flow
        if not flow:
            return []
        if flow["step"] == ONBOARD:
            return [Reply(ctx.t("flows.onboard.ask"))]
        return [await self._ask(ctx, Step(flow["step"]))]

    # -- steps ---------------------------------------------------------------------------
    async def _next(self, ctx: TurnContext, prefix: list[Reply] | None = None) -> SkillResult:
        data = ctx.flow["data"]
        for step, needed in ((Step.ORIGIN, "origin"), (Step.DESTINATION, "destination")):
            if needed not in data:
                ctx.update_flow(step.value)
                return self.result(ctx, *(prefix or []), await self._ask(ctx, step))
        if "weight_kg" not in data or "volume_m3" not in data:
            ctx.update_flow(Step.CARGO.value)
            return self.result(ctx, *(prefix or []), await self._ask(ctx, Step.CARGO))
        if "chosen" not in data:
            return await self._quote(ctx)
        for step in (Step.SHIPPER, Step.CONSIGNEE):
            if step.value not in data:
                ctx.update_flow(step.value)
                return self.result(ctx, *(prefix or []), await self._ask(ctx), intent=Intent.BOOK_SHIPMENT)
        ctx.update_flow(Step.CONFIRM.value)
        return self.result(ctx, *(prefix or []), await self._ask(ctx), intent=Intent.BOOK_SHIPMENT)

    async def _ask(self, ctx: TurnContext, step: Step | None = None) -> Reply:
        step = step or Step(ctx.flow["step"])
        data = ctx.flow["data"]
        if step == Step.CHOOSE:
            return quotes_reply(ctx, data, data.get("unavailable", []))
        if step == Step.CONFIRM:
            return Reply(booking_summary(ctx, data), confirm_buttons(ctx, data["fid"], edit=False))
        options = data.get("options") if data.get("options_for") == step.value else None
        if options:
            buttons = tuple(Button(f"{o['name']}, {o['country']} ({o['code']})", o["code"]) for o in options)
            return Reply(ctx.t("flows.place.choose", name=data.get("typed", "")), buttons)
        return Reply(ctx.t(f"flows.quote.ask.{step.value}" if step in (Step.ORIGIN, Step.DESTINATION, Step.CARGO)
                           else f"flows.book.ask.{step.value}"))

    async def _place_answer(self, ctx: TurnContext, step: Step) -> SkillResult:
        text, data = ctx.message.text.strip(), ctx.flow["data"]
        options = data.get("options") if data.get("options_for") == step.value else None
        chosen = next((o for o in options or [] if text.upper() == o["code"]), None)
        if chosen is None:
            found = await entities(text, ctx.language)
            entity = from_entity(found.locations[0]) if found.locations else None
            places = [entity] if entity else resolve(text) or ([by_code(text)] if by_code(text) else [])
            if len(places) > 1:
                ctx.update_flow(options=[p.to_json() for p in places], options_for=step.value, typed=text)
                return self.result(ctx, await self._ask(ctx, step))
            if not places:
                return self.result(ctx, Reply(ctx.t("flows.place.unknown", name=text[:60])),
                                   await self._ask(ctx, step))
            chosen = places[0].to_json()
        data.pop("options", None)
        data.pop("options_for", None)
        ctx.update_flow(**{step.value: chosen})
        return await self._next(ctx)

    async def _quote(self, ctx: TurnContext) -> SkillResult:
        link = await self.merchant_or_onboard(ctx)
        if isinstance(link, SkillResult):
            return link
        data = ctx.flow["data"]
        request = {"origin": data["origin"]["code"], "destination": data["destination"]["code"],
                   "weight_kg": data["weight_kg"], "volume_m3": data["volume_m3"],
                   "packages": data.get("packages", 1), "modes": data.get("modes")}
        digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()[:12]
        key = action_key("quote", ctx.conversation_id, data["fid"], digest)
        try:
            quote_set = await self.deps.merchants.client(link).quote_shipping(
                request.pop("origin"), request.pop("destination"), idempotency_key=key, **request)
        except ConnectorError as exc:
            return self.connector_failure(ctx, exc)
        unavailable = [{"mode": u.mode.value, "reason": u.reason} for u in quote_set.unavailable]
        if not quote_set.quotes:
            ctx.end_flow()
            return self.result(ctx, Reply(ctx.t("flows.quote.none")))
        ctx.update_flow(Step.CHOOSE.value, quotes=quote_rows(quote_set), unavailable=unavailable)
        return self.result(ctx, await self._ask(ctx, Step.CHOOSE))

    async def _at_confirm(self, ctx: TurnContext) -> SkillResult | None:
        text, data = ctx.message.text, ctx.flow["data"]
        if is_no(text):
            ctx.end_flow()
            return self.result(ctx, Reply(ctx.t("flows.book.dropped")), intent=Intent.BOOK_SHIPMENT)
        if not is_yes(text, data["fid"]):
            if self.is_side_question(ctx, free_text=True):
                return None
            return self.result(ctx, Reply(ctx.t("flows.confirm_or_cancel")), await self._ask(ctx),
                               intent=Intent.BOOK_SHIPMENT)
        link = await self.merchant_or_onboard(ctx)
        if isinstance(link, SkillResult):
            return link
        quote = data["chosen"]
        payload = {"quote_id": quote["quote_id"], "reference": f"{data['shipper']} -> {data['consignee']}"[:100],
                   "shipper": data["shipper"], "consignee": data["consignee"], "mode": quote["mode"],
                   "origin": data["origin"], "destination": data["destination"]}
        key = action_key("book_shipment", ctx.conversation_id, data["fid"], quote["quote_id"])
        action, error = await self.confirmed(ctx, link, "book_shipment", payload, key)
        if not self.is_done(action):
            return self.action_failure(ctx, action, error, intent=Intent.BOOK_SHIPMENT)
        ctx.end_flow()
        shipment = action.result or {}
        eta = ctx.translator.date(datetime.fromisoformat(shipment["estimated_delivery"]).date(), ctx.language)
        return self.result(ctx, Reply(ctx.t("flows.book.done", shipment_id=shipment.get("shipment_id"), eta=eta)),
                           intent=Intent.BOOK_SHIPMENT)
