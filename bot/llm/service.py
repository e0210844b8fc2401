"""The conversation service with what the LLM parts need: the turn's state, and its LLM cost."""

from __future__ import annotations

from typing import Any

from bot.conversation import ConversationService
from bot.llm.recognizer import CONVERSATION
from bot.llm.runtime import TURN_USAGE, TurnUsage


class LlmConversationService(ConversationService):
    """:class:`~bot.conversation.ConversationService` for ``TRADEBOT_LLM`` mode.

    Around each turn it publishes the conversation's state and status (so that the
    :class:`~bot.llm.recognizer.LlmRecognizer` offers the model only the intents this
    state allows) and sums the turn's LLM tokens, time and cost into the per-turn
    metrics. Context variables reach the recognizer because ``asyncio.to_thread``
    copies the caller's context into the worker thread.
    """

    async def _run(self, snap: Any, msg: Any) -> Any:
        usage = TurnUsage()
        state_token = CONVERSATION.set({"state": snap.state, "status": snap.status})
        usage_token = TURN_USAGE.set(usage)
        try:
            return await super()._run(snap, msg)
        finally:
            CONVERSATION.reset(state_token)
            TURN_USAGE.reset(usage_token)
            if usage.calls:
                m = self._metrics
                m.llm_turn_tokens.observe(usage.input_tokens + usage.output_tokens)
                m.llm_turn_seconds.observe(usage.seconds)
                m.llm_turn_cost.observe(usage.cost_usd)
