"""What every merchant flow shares: its adapters, onboarding, side questions, actions."""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass, replace
from typing import Any

from connectors.errors import ConnectorError, Rejected

from bot.flows.actions import DONE, FAILED, PENDING, Action, ActionStore, execute
from bot.flows.hs import HsSuggester
from bot.flows.merchants import MerchantDirectory, MerchantLink
from bot.flows.model_slots import proposed
from bot.flows.texts import entities, looks_like_question
from bot.i18n import Translator
from bot.intents import Intent
from bot.messages import Button, Reply
from bot.skills.base import Skill, SkillResult, TurnContext
from bot.skills.handoff import offer_human

SIDE_QUESTION_INTENTS = (Intent.KNOWLEDGE, Intent.CLASSIFY, Intent.TRACK_SHIPMENT)  # skills that keep the flow
SIDE_QUESTION_CONFIDENCE = 0.8
ONBOARD = "onboard"
WAIT_FOR_OTHER_STEPS = 75  # x 0.2 s


@dataclass
class FlowDeps:
    """The adapters the merchant flows are built with."""

    merchants: MerchantDirectory
    actions: ActionStore
    translator: Translator
    hs: HsSuggester
    listing_text: Any = None  # bot.llm.listing_text.ListingTextHelper in LLM mode


def new_flow_id() -> str:
    """The flow instance id; with the conversation id it makes the idempotency keys."""
    return uuid.uuid4().hex[:16]


def action_key(kind: str, conversation_id: str, flow_id: str, *extra: str) -> str:
    """A deterministic idempotency key: the same confirmed action always gets the same key."""
    return ":".join(["tradebot", kind, conversation_id, flow_id, *extra])


class FlowSkill(Skill):
    """Base of the merchant flows: merchant onboarding, side questions, confirmed actions."""

    intent: Intent = Intent.OUT_OF_SCOPE

    def __init__(self, deps: FlowDeps) -> None:
        self.deps = deps

    # -- side questions ------------------------------------------------------------------
    def is_side_question(self, ctx: TurnContext, *, free_text: bool = False) -> bool:
        """A knowledge or HS question asked mid-flow, clearly not an answer to the flow.

        Steps that take free text (a title, an address) only count messages phrased as
        questions, since a product name alone reads like an HS-code request.
        """
        rec = ctx.recognition
        if rec.command or rec.intent not in SIDE_QUESTION_INTENTS or rec.confidence < SIDE_QUESTION_CONFIDENCE:
            return False
        return looks_like_question(ctx.message.text) if free_text else True

    @staticmethod
    def keep_language(ctx: TurnContext) -> None:
        """Answers to a flow's questions (a name, an address, "2000 kg") do not switch the
        conversation's language; a question asked in another language still may."""
        previous = ctx.state.get("language")
        if previous and not looks_like_question(ctx.message.text):
            ctx.language = previous

    def result(self, ctx: TurnContext, *replies: Reply, intent: Intent | None = None) -> SkillResult:
        return SkillResult(intent or self.intent, list(replies))

    # -- merchant ------------------------------------------------------------------------
    async def merchant_or_onboard(self, ctx: TurnContext) -> MerchantLink | SkillResult:
        """The conversation's merchant; without one, start onboarding and return its question."""
        link = await self.deps.merchants.get(ctx.conversation_id)
        if link is not None:
            return link
        ctx.start_flow(self.name, ONBOARD, pending_text=ctx.message.text, pending_slots=proposed(ctx))
        return self.result(ctx, Reply(ctx.t("flows.onboard.ask")))

    async def resume_onboarding(self, ctx: TurnContext) -> SkillResult | None:
        """Register the merchant from "<company>, <country>", then handle the first request."""
        text = ctx.message.text.strip()
        if self.is_side_question(ctx, free_text=True):
            return None
        found = await entities(text, ctx.language)
        name = re.split(r"[,;，；、\n]| from | aus | in | 来自", text, maxsplit=1)[0].strip(" .")
        if not found.countries or not name or len(name) > 120:
            return self.result(ctx, Reply(ctx.t("flows.onboard.again")))
        try:
            await self.deps.merchants.register(ctx.conversation_id, name, found.countries[0])
        except ConnectorError as exc:
            return self.connector_failure(ctx, exc, keep_flow=True)
        pending = ctx.flow["data"].get("pending_text", "")
        pending_slots = ctx.flow["data"].get("pending_slots")
        ctx.end_flow()
        ctx.message = replace(ctx.message, text=pending)
        if pending_slots:  # what the model read from the first request (LLM mode) still applies
            ctx.recognition = replace(ctx.recognition, details={**ctx.recognition.details, "source": "llm",
                                                                  "llm_slots": pending_slots})
        result = await self.handle(ctx)
        result.replies.insert(0, Reply(ctx.t("flows.onboard.done", name=name)))
        return result

    # -- failures ------------------------------------------------------------------------
    def connector_failure(self, ctx: TurnContext, exc: ConnectorError, *, keep_flow: bool = False) -> SkillResult:
        """A clear message after the connector's own retries failed, and a person on offer."""
        if not keep_flow:
            ctx.end_flow()
        if isinstance(exc, Rejected):
            text = ctx.t("flows.error.rejected", detail=exc.detail[:300])
        else:
            text = ctx.t("flows.error.unavailable")
        return SkillResult(self.intent, [Reply(text), offer_human(ctx, "flows.error.offer_human")])

    # -- confirmed actions ---------------------------------------------------------------
    async def confirmed(self, ctx: TurnContext, link: MerchantLink, kind: str, payload: dict[str, Any],
                        key: str) -> tuple[Action, ConnectorError | None]:
        """Persist the confirmed action, then execute it once with its idempotency key.

        A repeated confirmation (same key) returns the stored action or replays the
        platform's first answer; an unreachable platform leaves the action pending for the
        background worker.
        """
        store = self.deps.actions
        action, leased = await asyncio.to_thread(store.record, key=key, conversation_id=ctx.conversation_id,
                                                 merchant_id=link.merchant_id, kind=kind, payload=payload,
                                                 language=ctx.language)
        error: ConnectorError | None = None
        if leased:
            outcome = await execute(store, action, self.deps.merchants.client(link), notified=True)
            action, error = outcome.action, outcome.error
        else:  # a duplicate confirmation while another worker executes it: wait for its result
            for _ in range(WAIT_FOR_OTHER_STEPS):
                if action.status != PENDING:
                    break
                await asyncio.sleep(0.2)
                action = await asyncio.to_thread(store.by_key, key) or action
            if action.status != PENDING:  # this turn tells the merchant; the worker must not again
                await asyncio.to_thread(store.claim_notification, action.id)
        await self.sync_pending(ctx)
        return action, error

    async def sync_pending(self, ctx: TurnContext) -> None:
        """Mirror the conversation's open actions into ``state["pending"]`` for staff."""
        open_actions = await asyncio.to_thread(self.deps.actions.open_for_conversation, ctx.conversation_id)
        if open_actions:
            ctx.state["pending"] = [a.summary() for a in open_actions]
        else:
            ctx.state.pop("pending", None)

    def action_failure(self, ctx: TurnContext, action: Action, error: ConnectorError | None, *,
                       intent: Intent | None = None) -> SkillResult:
        """The reply for an action that is not done: refused for good, or queued for retry."""
        ctx.end_flow()
        intent = intent or self.intent
        if action.status == FAILED:
            detail = error.detail if isinstance(error, Rejected) else (action.last_error or "")
            return SkillResult(intent, [Reply(ctx.t("flows.error.rejected", detail=detail[:300])),
                                        offer_human(ctx, "flows.error.offer_human")])
        return SkillResult(intent, [Reply(ctx.t("flows.action.queued")), offer_human(ctx, "flows.error.offer_human")])

    @staticmethod
    def is_done(action: Action) -> bool:
        return action.status == DONE


def confirm_buttons(ctx: TurnContext, flow_id: str, *, edit: bool = True) -> tuple[Button, ...]:
    """Confirm / edit / cancel buttons; the confirm payload names this flow instance."""
    buttons = [Button(ctx.t("flows.button.confirm"), f"confirm:{flow_id}")]
    if edit:
        buttons.append(Button(ctx.t("flows.button.edit"), "edit"))
    buttons.append(Button(ctx.t("flows.button.cancel"), "/cancel"))
    return tuple(buttons)
