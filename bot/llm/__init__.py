"""Optional LLM mode (``TRADEBOT_LLM=provider:model``) through LangChain.

Nothing here is imported when ``TRADEBOT_LLM`` is unset: the offline engine stays the
default, unchanged. With it set, :func:`build_llm` gives the composition root:

- an :class:`~bot.llm.answers.LlmAnswerComposer` for the knowledge skill (cited answers
  from retrieved passages only, or "I don't know");
- a recognizer wrapper (:class:`~bot.llm.recognizer.LlmRecognizer`) that routes
  free-form requests to the same intents and slots when the offline engine is unsure;
- a :class:`~bot.llm.listing_text.ListingTextHelper` the listing flow may call;
- :class:`~bot.llm.service.LlmConversationService`, which tells those parts the turn's
  state and records the turn's tokens, latency and cost.

The model only proposes; every side effect stays behind the flows' confirmation step,
and any timeout, provider error or invalid output falls back to the offline engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from bot.settings import Settings


@dataclass
class LlmComponents:
    """What the composition root wires in LLM mode."""

    runtime: Any  # bot.llm.runtime.LlmRuntime
    composer: Any  # bot.llm.answers.LlmAnswerComposer
    listing_text: Any  # bot.llm.listing_text.ListingTextHelper
    service_class: type
    wrap_recognizer: Callable[[Any], Any]


def build_llm(settings: Settings, metrics: Any = None, search: Callable | None = None,
              model: Any = None) -> LlmComponents:
    """The LLM components for ``settings.llm``.

    Args:
        settings: the configuration (``llm``, ``llm_base_url``, ``llm_api_key``,
            ``llm_timeout_s``, ``llm_input_usd_per_mtok``, ``llm_output_usd_per_mtok``).
        metrics: ``bot.metrics.Metrics`` to update.
        search: ``KnowledgeService.search`` for the answer composer's extra passages.
        model: a chat model to use instead of building one from the settings (tests).

    Raises:
        bot.llm.models.LlmConfigError: invalid setting or missing provider package.
    """
    from bot.llm.answers import LlmAnswerComposer
    from bot.llm.listing_text import ListingTextHelper
    from bot.llm.models import make_chat_model
    from bot.llm.recognizer import LlmRecognizer
    from bot.llm.runtime import LlmRuntime
    from bot.llm.service import LlmConversationService

    runtime = LlmRuntime(model if model is not None else make_chat_model(settings),
                         timeout_s=settings.llm_timeout_s, metrics=metrics,
                         prices=(settings.llm_input_usd_per_mtok, settings.llm_output_usd_per_mtok))
    return LlmComponents(runtime=runtime, composer=LlmAnswerComposer(runtime, search),
                         listing_text=ListingTextHelper(runtime), service_class=LlmConversationService,
                         wrap_recognizer=lambda offline: LlmRecognizer(offline, runtime))


__all__ = ["LlmComponents", "build_llm"]
