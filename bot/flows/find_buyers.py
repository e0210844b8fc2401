"""find_buyers: product → HS heading, ranked buyer requests with reasons, confirmed introductions."""

from __future__ import annotations

import re
from dataclasses import asdict
from decimal import Decimal

from connectors.errors import ConnectorError

from bot.flows.buyer_ranking import MAX_SHOWN, product_text, rank, request_line, split_embargoed
from bot.flows.common import ONBOARD, FlowSkill, action_key, confirm_buttons, new_flow_id
from bot.flows.embargo import embargo_list
from bot.flows.model_slots import product_named, proposed
from bot.flows.texts import BUYER_REQUEST_ID, choice_index, entities, is_no, is_yes
from bot.intents import Intent
from bot.messages import Button, Reply
from bot.skills.base import SkillResult, TurnContext

PRODUCT, HS, RESULTS, INTRO = "product", "hs", "results", "intro"
SEARCH_LIMIT = 100
# Sent to the buyer, so in the platform's language (English); the merchant may rewrite it.
INTRO_TEMPLATE = ("Hello {company}, we are {merchant} ({country}). We can supply {product} for your sourcing "
                  "request {request_id} and would be glad to send you an offer with samples and certificates.")


class FindBuyersSkill(FlowSkill):
    """Finds buyers' sourcing requests for the merchant's product and introduces the merchant."""

    name = "find_buyers"
    intents = (Intent.FIND_BUYERS,)
    intent = Intent.FIND_BUYERS

    async def handle(self, ctx: TurnContext) -> SkillResult:
        link = await self.merchant_or_onboard(ctx)
        if isinstance(link, SkillResult):
            return link
        found = await entities(ctx.message.text, ctx.language)
        model = proposed(ctx)  # LLM mode: what the model read, under the offline parsers
        quantity = [str(found.quantities[0].value), found.quantities[0].unit] if found.quantities else None
        if quantity is None and model.get("quantity") is not None and model.get("unit"):
            quantity = [str(model["quantity"]), model["unit"]]
        ctx.start_flow(self.name, PRODUCT, fid=new_flow_id(), targets=list(found.countries), quantity=quantity)
        code = found.hs_codes[0] if found.hs_codes else model.get("hs_code")
        if code:
            ctx.update_flow(code=code, product=code)
            return await self._search(ctx)
        product = product_named(model, ctx.message.text) or product_text(ctx.message.text)
        if len(product) < 2:
            return self.result(ctx, Reply(ctx.t("flows.buyers.ask.product")))
        return await self._classify(ctx, product)

    async def resume(self, ctx: TurnContext) -> SkillResult | None:
        step, text, data = ctx.flow["step"], ctx.message.text, ctx.flow["data"]
        self.keep_language(ctx)
        if step == ONBOARD:
            return await self.resume_onboarding(ctx)
        if step == PRODUCT:
            if self.is_side_question(ctx, free_text=True):
                return None
            digits = re.sub(r"[.\s]", "", text)
            if re.fullmatch(r"\d{4}(\d{2}){0,3}", digits):  # an HS code typed instead of a product
                ctx.update_flow(code=digits, product=digits)
                return await self._search(ctx)
            return await self._classify(ctx, text.strip()[:200])
        if step == HS:
            code = text.strip().replace(".", "")
            if code in data.get("options", []):
                ctx.update_flow(code=code)
                return await self._search(ctx)
            if self.is_side_question(ctx, free_text=True):
                return None
            return await self._classify(ctx, text.strip()[:200])
        if step == RESULTS:
            return await self._pick(ctx)
        return await self._at_intro(ctx)

    async def remind(self, ctx: TurnContext) -> list[Reply]:
        flow = ctx.flow
        if not flow:
            return []
        if flow["step"] == ONBOARD:
            return [Reply(ctx.t("flows.onboard.ask"))]
        if flow["step"] == INTRO:
            return [self._intro_reply(ctx)]
        return [Reply(ctx.t("flows.buyers.remind"))]

    async def _classify(self, ctx: TurnContext, product: str) -> SkillResult:
        suggestion = await self.deps.hs.suggest(product, ctx.language)
        ctx.state["hs_candidates"] = [asdict(c) for c in suggestion.candidates]
        ctx.update_flow(product=product)
        if suggestion.best is None:
            ctx.update_flow(PRODUCT)
            return self.result(ctx, Reply(ctx.t("flows.buyers.ask.product")))
        options = [c for c in suggestion.candidates[:3] if c.score >= 0.05]
        if suggestion.ambiguous and len(options) > 1:
            ctx.update_flow(HS, options=[c.code for c in options])
            buttons = tuple(Button(f"{c.code} {c.description[:40]}", c.code) for c in options)
            return self.result(ctx, Reply(ctx.t("flows.buyers.ask.hs", product=product), buttons))
        ctx.update_flow(code=suggestion.best.code)
        return await self._search(ctx)

    async def _search(self, ctx: TurnContext) -> SkillResult:
        data, embargo = ctx.flow["data"], embargo_list()
        code, targets = data["code"], data.get("targets") or []
        blocked_targets = [embargo.restriction(c) for c in targets if embargo.restriction(c)]
        open_targets = [c for c in targets if not embargo.restriction(c)]
        replies = [Reply(ctx.t("flows.buyers.embargo_target", name=r.name, basis=r.basis, as_of=embargo.as_of))
                   for r in blocked_targets]
        if targets and not open_targets:
            ctx.end_flow()
            return self.result(ctx, *replies)
        try:
            client = self.deps.merchants.public
            pages = [await client.search_buyer_requests(hs=code[:4], country=c, limit=SEARCH_LIMIT)
                     for c in (open_targets or [None])]
        except ConnectorError as exc:
            return self.connector_failure(ctx, exc)
        allowed, held = split_embargoed([r for p in pages for r in p.items if r.status == "open"], embargo)
        quantity = (Decimal(data["quantity"][0]), data["quantity"][1]) if data.get("quantity") else None
        ranked = rank(ctx, allowed, code=code, targets=open_targets, quantity=quantity)[:MAX_SHOWN]
        for country, count in sorted(held.items()):
            r = embargo.restriction(country)
            replies.append(Reply(ctx.t("flows.buyers.embargo_held", count=count, name=r.name, basis=r.basis,
                                       as_of=embargo.as_of)))
        if not ranked:
            ctx.end_flow()
            return self.result(ctx, Reply(ctx.t("flows.buyers.none", code=code)), *replies)
        ctx.update_flow(RESULTS, shown=[{"request_id": i.request.request_id, "company": i.request.buyer_company,
                                         "product": i.request.product} for i in ranked])
        lines = [ctx.t("flows.buyers.header", product=data.get("product", code), code=code)]
        lines += [request_line(ctx, n, item) for n, item in enumerate(ranked, start=1)]
        buttons = tuple(Button(ctx.t("flows.button.introduce", n=n), f"intro:{i.request.request_id}")
                        for n, i in enumerate(ranked, start=1))
        return self.result(ctx, Reply("\n\n".join(lines) + "\n\n" + ctx.t("flows.buyers.offer_intro"), buttons),
                           *replies)

    async def _pick(self, ctx: TurnContext) -> SkillResult | None:
        text, shown = ctx.message.text.strip(), ctx.flow["data"]["shown"]
        wanted = text.removeprefix("intro:")
        match = BUYER_REQUEST_ID.search(wanted)
        index = choice_index(text, len(shown))
        chosen = next((s for s in shown if match and s["request_id"] == match.group(1).upper()), None)
        if chosen is None and index is not None:
            chosen = shown[index]
        if chosen is None and ctx.recognition.intent is Intent.FIND_BUYERS and ctx.recognition.confidence >= 0.8:
            ctx.end_flow()  # a new search replaces the shown results
            return await self.handle(ctx)
        if chosen is None:
            return None if self.is_side_question(ctx, free_text=True) else self.result(
                ctx, Reply(ctx.t("flows.buyers.pick_again")))
        link = await self.deps.merchants.get(ctx.conversation_id)
        message = INTRO_TEMPLATE.format(company=chosen["company"], merchant=link.name, country=link.country,
                                        product=chosen["product"], request_id=chosen["request_id"])
        ctx.update_flow(INTRO, chosen=chosen, message=message)
        return self.result(ctx, self._intro_reply(ctx))

    def _intro_reply(self, ctx: TurnContext) -> Reply:
        data = ctx.flow["data"]
        return Reply(ctx.t("flows.buyers.intro_confirm", company=data["chosen"]["company"], message=data["message"]),
                     confirm_buttons(ctx, data["fid"], edit=False))

    async def _at_intro(self, ctx: TurnContext) -> SkillResult | None:
        text, data = ctx.message.text, ctx.flow["data"]
        if is_no(text):
            ctx.end_flow()
            return self.result(ctx, Reply(ctx.t("flows.buyers.intro_dropped")))
        if not is_yes(text, data["fid"]):
            if self.is_side_question(ctx, free_text=True):
                return None
            ctx.update_flow(message=text.strip()[:2000])  # the merchant's own wording
            return self.result(ctx, self._intro_reply(ctx))
        link = await self.deps.merchants.get(ctx.conversation_id)
        chosen = data["chosen"]
        key = action_key("send_introduction", ctx.conversation_id, data["fid"], chosen["request_id"])
        payload = {"buyer_request_id": chosen["request_id"], "message": data["message"],
                   "company": chosen["company"]}
        action, error = await self.confirmed(ctx, link, "send_introduction", payload, key)
        if not self.is_done(action):
            return self.action_failure(ctx, action, error)
        ctx.end_flow()
        return self.result(ctx, Reply(ctx.t("flows.buyers.intro_sent", company=chosen["company"],
                                            introduction_id=(action.result or {}).get("introduction_id"))))
