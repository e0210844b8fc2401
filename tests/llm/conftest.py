"""LLM-mode fixtures: the fake OpenAI-compatible server on loopback, settings pointing at it,
and a runtime driving it through the real client library (langchain-openai)."""

from __future__ import annotations

import os

import pytest

from tests.conftest import LiveServer
from tests.llm.fake_openai import API_KEY, MODEL, FakeOpenAI

try:  # LLM mode is an optional extra; CI installs it (the test extra), so there it must be present
    import langchain_openai  # noqa: F401
except ImportError:
    if os.environ.get("CI"):
        raise
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def fake_llm_server():
    fake = FakeOpenAI()
    with LiveServer(fake.app) as server:
        fake.url = server.url
        yield fake


@pytest.fixture
def fake_llm(fake_llm_server):
    """The fake model, with no script and no recorded request."""
    fake_llm_server.reset()
    yield fake_llm_server
    fake_llm_server.reset()


def llm_overrides(fake: FakeOpenAI, **extra: object) -> dict:
    return {"llm": f"openai:{MODEL}", "llm_base_url": f"{fake.url}/v1", "llm_api_key": API_KEY,
            "llm_timeout_s": 2.0, **extra}


@pytest.fixture
def llm_settings(settings_factory, fake_llm):
    def make(**extra: object):
        return settings_factory(**llm_overrides(fake_llm, **extra))

    return make


@pytest.fixture
def runtime_factory(llm_settings):
    """``make(**settings) → (runtime, metrics)`` against the fake server, through ChatOpenAI."""
    from bot.llm.models import make_chat_model
    from bot.llm.runtime import LlmRuntime
    from bot.metrics import Metrics

    def make(**extra: object):
        settings = llm_settings(**extra)
        metrics = Metrics()
        runtime = LlmRuntime(make_chat_model(settings), timeout_s=settings.llm_timeout_s, metrics=metrics,
                             prices=(settings.llm_input_usd_per_mtok, settings.llm_output_usd_per_mtok))
        return runtime, metrics

    return make


def metric(metrics, name: str, labels: dict | None = None) -> float:
    return metrics.registry.get_sample_value(name, labels or {}) or 0.0


@pytest.fixture(scope="session")
def llm_knowledge(shared_index_dir):
    """The real knowledge service (index, retrieval, HS classifier), loaded once."""
    from bot.bootstrap import shared_embedder
    from knowledge.service import KnowledgeService

    service = KnowledgeService(shared_index_dir, embedder=shared_embedder())
    service.warm_up()
    return service


def passage_ids(body: dict) -> list[str]:
    """The passage ids the model was shown, in order."""
    import re

    text = "\n".join(str(m.get("content")) for m in body["messages"])
    return re.findall(r'<data kind="passage" id="([^"]+)">', text)
