"""``TRADEBOT_LLM`` parsing and the chat model factory (no network)."""

from __future__ import annotations

import pytest

from bot.llm.models import PLACEHOLDER_KEY, LlmConfigError, make_chat_model, parse_model_spec
from bot.settings import Settings


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


@pytest.mark.parametrize("value", ["gpt-4o-mini", "openai:", ":gpt", "anthropic:claude-x", "bogus:model"])
def test_bad_specs_name_the_valid_options(value):
    with pytest.raises(LlmConfigError) as info:
        parse_model_spec(value)
    assert "TRADEBOT_LLM" in str(info.value)


def test_openai_compatible_model_gets_base_url_key_timeout():
    from langchain_openai import ChatOpenAI

    model = make_chat_model(settings(llm="openai:gpt-4o-mini", llm_base_url="http://127.0.0.1:9/v1",
                                     llm_api_key="sk-abc", llm_timeout_s=3))
    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "gpt-4o-mini" and model.openai_api_base == "http://127.0.0.1:9/v1"
    assert model.openai_api_key.get_secret_value() == "sk-abc" and model.request_timeout == 3
    assert model.max_retries == 0 and model.stream_usage is True and model.temperature == 0
    keyless = make_chat_model(settings(llm="openai:local", llm_base_url="http://127.0.0.1:9/v1"))
    assert keyless.openai_api_key.get_secret_value() == PLACEHOLDER_KEY


def test_ollama_model_gets_host_timeout_and_optional_bearer():
    pytest.importorskip("langchain_ollama")
    from langchain_ollama import ChatOllama

    model = make_chat_model(settings(llm="ollama:qwen2.5", llm_base_url="http://127.0.0.1:11434",
                                     llm_api_key="tok", llm_timeout_s=5))
    assert isinstance(model, ChatOllama) and model.model == "qwen2.5"
    assert model.base_url == "http://127.0.0.1:11434"
    assert model.client_kwargs == {"timeout": 5, "headers": {"Authorization": "Bearer tok"}}


def test_settings_hide_the_key_and_blank_means_unset(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRADEBOT_LLM_API_KEY", "sk-very-secret")
    monkeypatch.setenv("TRADEBOT_LLM_BASE_URL", " ")
    monkeypatch.setenv("TRADEBOT_LLM", "")
    s = Settings()
    assert s.llm is None and s.llm_base_url is None and "sk-very-secret" not in repr(s)
    assert s.llm_timeout_s == 8.0


def test_models_endpoint_of_the_fake_speaks_the_protocol(fake_llm):
    import openai

    from tests.llm.fake_openai import API_KEY, MODEL

    client = openai.OpenAI(base_url=f"{fake_llm.url}/v1", api_key=API_KEY)
    assert [m.id for m in client.models.list()] == [MODEL]
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=f"{fake_llm.url}/v1", api_key="sk-wrong").models.list()


def test_a_malformed_setting_is_a_readable_configuration_error(monkeypatch, tmp_path):
    from bot.settings import SettingsError, load_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRADEBOT_LLM", "gpt-4o-mini")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "TRADEBOT_LLM" in str(info.value) and "provider:model" in str(info.value)


def test_bootstrap_fails_fast_on_an_unknown_provider(settings_factory):
    from bot.bootstrap import bootstrap
    from bot.understanding import CommandRecognizer
    from knowledge.service import KnowledgeService

    settings = settings_factory(llm="acme:big-model")
    with pytest.raises(LlmConfigError, match="ollama, openai"):
        bootstrap(settings, recognizer=CommandRecognizer(), knowledge=KnowledgeService(settings.resolved_index_dir))
