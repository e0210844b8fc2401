"""Prometheus metrics, one registry per application instance."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


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

    def render(self) -> bytes:
        return generate_latest(self.registry)
