"""Prometheus metrics, one registry per application instance."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LLM_SECONDS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)
TOKEN_BUCKETS = (50, 100, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000)
COST_BUCKETS = (0.00001, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5)


class Metrics:
    """Counters and histograms the core and channels update."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.turn_seconds = Histogram("tradebot_turn_seconds", "Time to process one inbound message",
                                      ["channel"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.turns = Counter("tradebot_turns", "Processed turns", ["channel", "intent"],
                             registry=self.registry)
        self.duplicates = Counter("tradebot_duplicate_messages", "Re-delivered messages answered from the store",
                                  ["channel"], registry=self.registry)
        self.rejected = Counter("tradebot_webhook_rejections", "Webhook requests refused",
                                ["channel", "reason"], registry=self.registry)
        self.retries = Counter("tradebot_turn_retries", "Turns redone after a concurrent write",
                               registry=self.registry)
        # LLM mode (TRADEBOT_LLM): per call, and per turn
        self.llm_calls = Counter("tradebot_llm_calls", "LLM calls by purpose and outcome", ["purpose", "outcome"],
                                 registry=self.registry)
        self.llm_seconds = Histogram("tradebot_llm_call_seconds", "Latency of one LLM call", ["purpose"],
                                     buckets=LLM_SECONDS_BUCKETS, registry=self.registry)
        self.llm_tokens = Counter("tradebot_llm_tokens", "LLM tokens by purpose and kind (input/output)",
                                  ["purpose", "kind"], registry=self.registry)
        self.llm_cost = Counter("tradebot_llm_cost_usd", "Estimated LLM cost in USD", ["purpose"],
                                registry=self.registry)
        self.llm_fallbacks = Counter("tradebot_llm_fallbacks", "LLM outputs not used: the offline engine answered",
                                     ["purpose", "reason"], registry=self.registry)
        self.llm_turn_tokens = Histogram("tradebot_llm_turn_tokens", "LLM tokens used by one turn",
                                         buckets=TOKEN_BUCKETS, registry=self.registry)
        self.llm_turn_seconds = Histogram("tradebot_llm_turn_seconds", "LLM time spent in one turn",
                                          buckets=LLM_SECONDS_BUCKETS, registry=self.registry)
        self.llm_turn_cost = Histogram("tradebot_llm_turn_cost_usd", "Estimated LLM cost of one turn in USD",
                                       buckets=COST_BUCKETS, registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)
