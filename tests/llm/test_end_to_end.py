"""LLM mode through the composition root: real NLU, real index, the fake model over HTTP."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from bot.bootstrap import bootstrap
from bot.messages import InboundMessage
from tests.llm.conftest import metric, passage_ids
from tests.llm.fake_openai import Step, call

QUESTION = "What does the Incoterm FOB mean for the seller?"


def ask(container, sender: str, text: str, **kw):
    import asyncio

    return asyncio.run(container.service.handle(InboundMessage("rest", sender, text, **kw)))


@pytest.fixture
def containers(llm_settings, settings_factory, llm_knowledge):
    made = []

    def make(llm: bool = True, **extra):
        settings = llm_settings(**extra) if llm else settings_factory(**extra)
        container = bootstrap(settings, knowledge=llm_knowledge)
        made.append(container)
        return container

    yield make
    for c in made:
        c.close()


def cite_first(body: dict) -> Step:
    ids = passage_ids(body)
    return call("cite_answer", supported=True, citations=[ids[0]],
                answer="Under FOB the seller delivers the goods on board the vessel at the port of shipment.")


def test_knowledge_answer_cites_only_retrieved_passages(containers, fake_llm):
    # a success path: a generous timeout, so that a loaded CI machine does not turn the first
    # model call of a fresh container into a fallback (the timeout path has its own tests)
    container = containers(llm_timeout_s=10.0)
    fake_llm.on("cite_answer", cite_first)
    turn = ask(container, "e2e-1", QUESTION)
    assert turn.intent == "knowledge"
    shown = passage_ids(fake_llm.calls_for("cite_answer")[0])
    cited_article = shown[0].split(":", 1)[1].split("#")[0]
    assert turn.replies[0].text.startswith("Under FOB the seller delivers the goods on board")
    assert [s.id for s in turn.sources] == [cited_article]
    assert "Sources: " in turn.replies[0].text
    m = container.metrics
    assert metric(m, "tradebot_llm_turn_tokens_count") == 1
    assert metric(m, "tradebot_llm_turn_tokens_sum") > 0
    assert b"tradebot_llm_turn_cost_usd" in m.render()


def test_unsupported_question_declines_and_offers_a_person(containers, fake_llm):
    container = containers()
    fake_llm.on("cite_answer", call("cite_answer", supported=False, answer="", citations=[]))
    turn = ask(container, "e2e-2", QUESTION)
    offline = ask(containers(llm=False), "e2e-2", QUESTION)
    assert turn.sources == () and offline.sources  # the offline engine would have quoted something
    assert "won't guess" in turn.replies[0].text and any(b.payload == "/human" for b in turn.replies[0].buttons)


@pytest.mark.parametrize("step", [Step(status=500), Step(status=503), Step(tool="cite_answer", delay=3)])
def test_provider_down_or_slow_gives_exactly_the_offline_answer(containers, fake_llm, step):
    container = containers(llm_timeout_s=0.75)
    fake_llm.default = step
    started = time.perf_counter()
    turn = ask(container, "e2e-3", QUESTION)
    elapsed = time.perf_counter() - started
    offline = ask(containers(llm=False), "e2e-3", QUESTION)
    assert turn.replies == offline.replies and turn.sources == offline.sources and turn.intent == offline.intent
    assert elapsed < 2.5
    assert metric(container.metrics, "tradebot_llm_fallbacks_total", {"purpose": "answer", "reason":
                  "timeout" if step.delay else "unavailable"}) == 1


def test_offline_mode_never_imports_the_llm_stack(tmp_path, shared_index_dir):
    script = textwrap.dedent(f"""
        import asyncio, sys
        from bot.bootstrap import bootstrap
        from bot.messages import InboundMessage
        from bot.settings import Settings
        from bot.understanding import CommandRecognizer
        from knowledge.service import KnowledgeService
        s = Settings(_env_file=None, data_dir={str(tmp_path)!r})
        c = bootstrap(s, recognizer=CommandRecognizer(), knowledge=KnowledgeService({str(shared_index_dir)!r}))
        turn = asyncio.run(c.service.handle(InboundMessage("rest", "u", "/start")))
        loaded = [m for m in sys.modules if m.startswith(("bot.llm", "langchain_openai", "langchain_ollama",
                                                          "openai", "langchain.chat_models"))]
        assert type(c.service).__name__ == "ConversationService" and not c.extras, c.extras
        print("LOADED", loaded, turn.intent)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "TRADEBOT_LLM": ""})
    assert out.returncode == 0, out.stderr[-2000:]
    assert "LOADED [] greeting" in out.stdout
