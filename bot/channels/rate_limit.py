"""Per-sender rate limiting for webhook channels: one token bucket per (channel, sender).

The buckets live in process memory: with several workers each enforces its own share,
which is enough to stop one sender from flooding the assistant. A bucket holds up to
``per_minute`` tokens (a burst of one minute's allowance) and refills continuously.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

Key = tuple[str, str]


@dataclass(frozen=True)
class Decision:
    """The outcome of :meth:`RateLimiter.check`.

    Attributes:
        allowed: whether the request may proceed.
        retry_after: seconds until the next token is available (0 when allowed).
    """

    allowed: bool
    retry_after: int = 0


class RateLimiter:
    """Token buckets keyed by ``(channel, sender)``; thread-safe, bounded in memory.

    Args:
        per_minute: sustained requests per minute and per sender; ``0`` disables limiting.
        burst: bucket size (default: ``per_minute``).
        max_keys: how many senders to track; the least recently seen are forgotten first.
        clock: monotonic time source (tests pass a fake one).
    """

    def __init__(self, per_minute: int, *, burst: int | None = None, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 0:
            raise ValueError("per_minute must be >= 0")
        self.per_minute = per_minute
        self._rate = per_minute / 60.0
        self._capacity = float(burst if burst is not None else per_minute)
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[Key, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def check(self, channel: str, sender: str) -> Decision:
        """Take one token for ``(channel, sender)`` if there is one."""
        if not self.enabled:
            return Decision(True)
        key = (channel, sender)
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self._capacity, now))
            tokens = min(self._capacity, tokens + (now - last) * self._rate)
            if tokens >= 1.0:
                self._store(key, tokens - 1.0, now)
                return Decision(True)
            self._store(key, tokens, now)
            return Decision(False, retry_after=max(1, math.ceil((1.0 - tokens) / self._rate)))

    def allow(self, channel: str, sender: str) -> bool:
        """Shorthand for ``check(...).allowed``."""
        return self.check(channel, sender).allowed

    def _store(self, key: Key, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
