"""The conversation service with what the LLM parts need: the turn's state, and its LLM cost."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot.conversation import ConversationService
from bot.llm.recognizer import CONVERSATION
from bot.llm.runtime import TURN_USAGE, TurnUsage


class LlmConversationService(ConversationService):
    """:class:`~bot.conversation.ConversationService` for ``TRADEBOT_LLM`` mode.

    Around each turn (:meth:`turn_scope`) it publishes the conversation's state and
    status (so that the :class:`~bot.llm.recognizer.LlmRecognizer` offers the model only
    the intents this state allows) and sums the turn's LLM tokens, time and cost into
    the per-turn metrics. Context variables reach the recognizer because
    ``asyncio.to_thread`` copies the caller's context into the worker thread.
    """

    @contextmanager
    def turn_scope(self, snap: Any) -> Iterator[None]:
        usage = TurnUsage()
        state_token = CONVERSATION.set({"state": snap.state, "status": snap.status})
        usage_token = TURN_USAGE.set(usage)
        try:
            yield
        finally:
            CONVERSATION.reset(state_token)
            TURN_USAGE.reset(usage_token)
            if usage.calls:
                m = self._metrics
                m.llm_turn_tokens.observe(usage.input_tokens + usage.output_tokens)
                m.llm_turn_seconds.observe(usage.seconds)
                m.llm_turn_cost.observe(usage.cost_usd)
