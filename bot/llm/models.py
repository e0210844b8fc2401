"""``TRADEBOT_LLM=provider:model`` → a LangChain chat model, through ``init_chat_model``.

The provider packages are optional extras (``pip install 'tradebot[llm]'``) and are
imported only here, only when an LLM is configured: the offline engine never loads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from bot.settings import Settings

PLACEHOLDER_KEY = "not-needed"  # OpenAI-compatible local servers (vLLM, llama.cpp) ignore the key


class LlmConfigError(ValueError):
    """``TRADEBOT_LLM`` or its companions are invalid, or the provider package is missing."""


@dataclass(frozen=True)
class ModelSpec:
    """A parsed ``provider:model`` string."""

    provider: str
    model: str

    @property
    def label(self) -> str:
        return f"{self.provider}:{self.model}"


def _openai_kwargs(settings: Settings) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"stream_usage": True, "max_retries": 0, "timeout": settings.llm_timeout_s}
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    if settings.llm_api_key is not None:
        kwargs["api_key"] = settings.llm_api_key
    elif settings.llm_base_url:
        kwargs["api_key"] = PLACEHOLDER_KEY
    return kwargs


def _ollama_kwargs(settings: Settings) -> dict[str, Any]:
    client: dict[str, Any] = {"timeout": settings.llm_timeout_s}
    if settings.llm_api_key is not None:  # Ollama behind an authenticating proxy, or Ollama's cloud
        client["headers"] = {"Authorization": f"Bearer {settings.llm_api_key.get_secret_value()}"}
    kwargs: dict[str, Any] = {"client_kwargs": client, "validate_model_on_init": False}
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    return kwargs


PROVIDERS: dict[str, tuple[str, Callable[[Settings], dict[str, Any]]]] = {
    "openai": ("langchain-openai", _openai_kwargs),
    "ollama": ("langchain-ollama", _ollama_kwargs),
}


def parse_model_spec(value: str) -> ModelSpec:
    """``"openai:gpt-4o-mini"`` → ``ModelSpec("openai", "gpt-4o-mini")``.

    Raises:
        LlmConfigError: not ``provider:model``, or a provider we do not support.
    """
    provider, sep, model = value.strip().partition(":")
    provider = provider.strip().lower()
    if not sep or not model.strip() or not provider:
        raise LlmConfigError(f"TRADEBOT_LLM must be provider:model (e.g. openai:gpt-4o-mini), got {value!r}")
    if provider not in PROVIDERS:
        raise LlmConfigError(f"TRADEBOT_LLM provider must be one of {', '.join(sorted(PROVIDERS))}, "
                             f"got {provider!r}")
    return ModelSpec(provider, model.strip())


def make_chat_model(settings: Settings) -> Any:
    """The LangChain chat model for ``settings.llm`` (a ``BaseChatModel``).

    Raises:
        LlmConfigError: the setting is invalid or the provider's package is not installed.
    """
    if not settings.llm:
        raise LlmConfigError("TRADEBOT_LLM is not set")
    spec = parse_model_spec(settings.llm)
    package, build_kwargs = PROVIDERS[spec.provider]
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as exc:
        raise LlmConfigError("TRADEBOT_LLM needs the llm extra: pip install 'tradebot[llm]'") from exc
    try:
        return init_chat_model(spec.model, model_provider=spec.provider, temperature=0,
                               **build_kwargs(settings))
    except ImportError as exc:
        raise LlmConfigError(f"TRADEBOT_LLM={spec.label} needs {package}: pip install 'tradebot[llm]'") from exc
