"""The conversation service: one inbound message in, one turn out — channel-independent."""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace

from bot.i18n import Translator, normalize_language
from bot.intents import Intent
from bot.locks import KeyedLocks
from bot.messages import InboundMessage, Reply, Turn
from bot.metrics import Metrics
from bot.skills.base import SkillRegistry, SkillResult, TurnContext
from bot.skills.clarify import clarify
from bot.sensitive import asks_legal_advice_on_controls
from bot.skills.handoff import handoff_result, offer_human
from bot.store.conversation_lock import conversation_lock_for
from bot.store.conversations import ConversationSnapshot, ConversationStore, StaleConversation, TurnRecord
from bot.understanding import Recognition, Recognizer

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
FLOW_TTL_SECONDS = 24 * 3600
_CANCEL_WORDS = {"cancel", "stop", "abort", "abbrechen", "abbruch", "stopp", "取消", "算了", "cancelar",
                 "parar", "annuler", "arrête", "arreter", "arrêter"}


SECRET_COMMANDS = {"link"}  # their argument is a credential: never stored in the transcript


def _redacted(text: str, recognition: Recognition) -> str:
    if recognition.command in SECRET_COMMANDS and recognition.argument:
        return f"/{recognition.command} [redacted]"
    return text


def _long_enough_to_switch(text: str) -> bool:
    """Short words ("ok", "hello", "FOB?") are shared across languages: they keep the prior."""
    stripped = text.strip()
    cjk = sum(1 for ch in stripped if "\u4e00" <= ch <= "\u9fff")
    return cjk >= 2 or (len(stripped) >= 12 and len(stripped.split()) >= 2)


def is_cancel_word(text: str) -> bool:
    """A message that is only "cancel" in one of our languages."""
    return text.strip().strip(".!。！ ").lower() in _CANCEL_WORDS
LANGUAGE_SWITCH_CONFIDENCE = 0.9
LANGUAGE_FIRST_CONFIDENCE = 0.6


class ConversationService:
    """Runs turns: dedupe, per-conversation ordering, language, flow or intent → skill, persist.

    Args:
        store: where all conversation state lives.
        skills: the skills, looked up by intent or by the flow that owns the conversation.
        recognizer: intent/entity/language recognition for messages outside a flow.
        translator: localized texts.
        default_language: reply language when nothing else is known.
        metrics: Prometheus metrics to update.
    """

    def __init__(self, store: ConversationStore, skills: SkillRegistry, recognizer: Recognizer,
                 translator: Translator, *, default_language: str = "en",
                 metrics: Metrics | None = None) -> None:
        self.store = store
        self._skills = skills
        self.recognizer = recognizer
        self._translator = translator
        self._default_language = default_language
        self._metrics = metrics or Metrics()
        self._locks = KeyedLocks()
        # across workers on PostgreSQL (advisory locks); a no-op on SQLite
        self._shared_locks = conversation_lock_for(getattr(store, "_engine", None))

    async def handle(self, msg: InboundMessage) -> Turn:
        """Process one inbound message exactly once and return its turn.

        A message id seen before returns the stored turn without processing it again.
        """
        started = time.perf_counter()
        async with self._locks.hold((msg.channel, msg.sender)), self._shared_locks.hold((msg.channel, msg.sender)):
            for attempt in range(MAX_ATTEMPTS):
                snap, done = await asyncio.to_thread(self.store.open_turn, msg)
                if done is not None:
                    self._metrics.duplicates.labels(msg.channel).inc()
                    log.info("duplicate message answered from store",
                             extra={"conversation_id": snap.id, "message_id": msg.message_id})
                    return done
                with self.turn_scope(snap):
                    record = await self._run(snap, msg)
                try:
                    turn = await asyncio.to_thread(self.store.commit_turn, snap, msg, record)
                except StaleConversation:
                    self._metrics.retries.inc()
                    await asyncio.sleep(0.005 * (attempt + 1))
                    continue
                self._metrics.turn_seconds.labels(msg.channel).observe(time.perf_counter() - started)
                self._metrics.turns.labels(msg.channel, turn.intent).inc()
                log.info("turn", extra={"conversation_id": turn.conversation_id, "channel": msg.channel,
                                        "intent": turn.intent, "language": turn.language})
                return turn
        raise StaleConversation(f"gave up after {MAX_ATTEMPTS} concurrent updates")

    def turn_scope(self, snap: ConversationSnapshot) -> AbstractContextManager[object]:
        """A context entered around each turn's processing (recognition, skills).

        Nothing by default; a mode that needs the conversation's state during recognition
        (LLM mode offers the model only the intents the state allows) publishes it here.
        """
        return nullcontext()

    async def push(self, conversation_id: str, text: str, *, author: str = "staff",
                   push_channel: str | None = None) -> int:
        """Send a message to the merchant outside a request (staff reply, notification)."""
        return await asyncio.to_thread(self.store.append_out_of_band, conversation_id, Reply(text),
                                       author=author, push_channel=push_channel)

    async def _run(self, snap: ConversationSnapshot, msg: InboundMessage) -> TurnRecord:
        state = dict(snap.state)
        prior = self._prior_language(snap, msg)
        # a channel may pass the user's explicit choice (e.g. ``tradebot ask --lang de``)
        state["language_forced"] = bool(normalize_language(msg.metadata.get("language")))
        flow = state.get("flow")
        recognition = await asyncio.to_thread(self.recognizer.recognize, msg.text, language_prior=prior)
        language = self._choose_language(state, prior, recognition, msg.text)
        ctx = TurnContext(message=msg, conversation_id=snap.id, language=language, state=state,
                          recognition=recognition, translator=self._translator)
        if snap.status != "bot":
            return self._with_staff(snap, msg, ctx)
        try:
            result = await self._dispatch(ctx, flow)
        except Exception:  # one central place: log it, answer politely, keep the message
            log.exception("skill failed", extra={"conversation_id": snap.id})
            ctx.end_flow()
            result = SkillResult(Intent.OUT_OF_SCOPE, [Reply(ctx.t("error.internal"))])
        self._count_misunderstandings(ctx, result)
        language = ctx.language
        state["language"] = language
        turn = Turn(conversation_id=snap.id, intent=str(result.intent), language=language,
                    replies=tuple(result.replies), sources=tuple(result.sources), handoff=result.handoff)
        return TurnRecord(turn=turn, state=state, language=language,
                          status="waiting" if result.handoff else snap.status,
                          inbound_text=_redacted(msg.text, recognition), replies=result.replies,
                          handoff_reason=result.handoff_reason if result.handoff else None)

    def _with_staff(self, snap: ConversationSnapshot, msg: InboundMessage, ctx: TurnContext) -> TurnRecord:
        """While staff own the conversation the bot stays silent; ``/bot`` returns to the bot."""
        state, language = ctx.state, ctx.language
        state["language"] = language
        if ctx.recognition.command == "bot":
            replies = [Reply(ctx.t("handoff.back"))]
            turn = Turn(conversation_id=snap.id, intent=str(Intent.GREETING), language=language,
                        replies=tuple(replies))
            return TurnRecord(turn=turn, state=state, language=language, status="bot", inbound_text=msg.text,
                              replies=replies, close_handoff=True)
        turn = Turn(conversation_id=snap.id, intent=str(Intent.HANDOFF), language=language, replies=(),
                    handoff=True)
        return TurnRecord(turn=turn, state=state, language=language, status=snap.status,
                          inbound_text=msg.text, replies=[])

    @staticmethod
    def _count_misunderstandings(ctx: TurnContext, result: SkillResult) -> None:
        """Two misunderstood turns in a row: offer a person."""
        if result.intent is Intent.OUT_OF_SCOPE and not ctx.recognition.command and not result.handoff:
            misses = int(ctx.state.get("misses", 0)) + 1
            ctx.state["misses"] = misses
            if misses >= 2:
                result.replies.append(offer_human(ctx))
                ctx.state["misses"] = 0
        else:
            ctx.state.pop("misses", None)

    async def _dispatch(self, ctx: TurnContext, flow: dict | None) -> SkillResult:
        command = ctx.recognition.command
        if flow and time.time() - float(flow.get("updated_at", 0)) > FLOW_TTL_SECONDS:
            ctx.end_flow()  # a stale flow expires silently; the message is handled afresh
            flow = None
        if command == "cancel" or (flow and is_cancel_word(ctx.message.text)):
            had_flow = flow is not None
            ctx.end_flow()
            text = ctx.t("cancel.done") if had_flow else ctx.t("cancel.nothing")
            return SkillResult(Intent.GREETING, [Reply(text)])
        if command == "bot":
            return SkillResult(Intent.GREETING, [Reply(ctx.t("handoff.back"))])
        if command == "lang":
            return await self._skills.by_name("language").handle(ctx)  # type: ignore[union-attr]
        if flow and not command:
            owner = self._skills.by_name(flow.get("skill", ""))
            if owner is not None:
                result = await owner.resume(ctx)
                if result is not None:
                    return result
                # a side question mid-flow: answer it, keep the flow, repeat its question
                answer = await self._skills.for_intent(ctx.recognition.intent).handle(ctx)
                if answer.handoff:
                    ctx.end_flow()
                    return answer
                answer.replies.extend(await owner.remind(ctx))
                return answer
            ctx.end_flow()
        elif flow and command and command != "human":
            ctx.end_flow()  # a new command abandons the half-finished flow
        if command == "intent":
            return await self._chosen_intent(ctx)
        if not command and asks_legal_advice_on_controls(ctx.message.text):
            result = handoff_result(ctx, "sensitive")
            result.replies.insert(0, Reply(ctx.t("knowledge.sensitive")))
            return result
        if ctx.recognition.details.get("uncertain") and not command:
            asked = clarify(ctx)
            if asked is not None:
                return asked
        ctx.state.pop("unclear", None)
        return await self._skills.for_intent(ctx.recognition.intent).handle(ctx)

    async def _chosen_intent(self, ctx: TurnContext) -> SkillResult:
        """The merchant picked an intent button: handle the earlier, unclear message with it."""
        pending = ctx.state.pop("clarify", None)
        ctx.state.pop("unclear", None)
        try:
            intent = Intent(ctx.recognition.argument.strip())
        except ValueError:
            intent = Intent.OUT_OF_SCOPE
        if not pending or intent is Intent.OUT_OF_SCOPE:
            return await self._skills.fallback.handle(ctx)
        earlier = await asyncio.to_thread(self.recognizer.recognize, pending["text"], language_prior=ctx.language)
        ctx.message = replace(ctx.message, text=pending["text"])
        ctx.recognition = replace(earlier, intent=intent, confidence=1.0, command=None, argument="",
                                  details={})
        return await self._skills.for_intent(intent).handle(ctx)

    def _prior_language(self, snap: ConversationSnapshot, msg: InboundMessage) -> str:
        return (normalize_language(msg.metadata.get("language"))
                or snap.state.get("language") or normalize_language(msg.locale)
                or self._default_language)

    @staticmethod
    def _choose_language(state: dict, prior: str, recognition: Recognition, text: str) -> str:
        """Sticky: keep the conversation's language unless the merchant clearly writes another.

        An explicit ``/lang`` choice is kept even then; only ``/lang`` changes it.
        """
        detected = recognition.language
        if state.get("language_forced"):
            return prior
        # a conversation's established language needs clear evidence to change; a new
        # conversation follows what the merchant writes over the channel's hint
        needed = LANGUAGE_SWITCH_CONFIDENCE if state.get("language") else LANGUAGE_FIRST_CONFIDENCE
        if (detected and detected != prior and not state.get("language_explicit")
                and recognition.language_confidence >= needed and _long_enough_to_switch(text)):
            return detected
        return prior
        if (detected and detected != prior and not state.get("language_explicit")
                and recognition.language_confidence >= LANGUAGE_SWITCH_CONFIDENCE
                and _long_enough_to_switch(text)):
            return detected
        return prior
