"""Runs every LLM call: a private event loop, timeouts, a circuit breaker, metrics, usage.

All calls go through the async LangChain API on one background event loop owned by
this module, so the provider's cached async HTTP client always lives on the same loop:
async callers await the call without blocking their loop, and the (synchronous)
recognizer, which the core runs in a worker thread, waits on it from that thread. Every
failure becomes an :class:`LlmError`; the callers then use the offline engine.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

log = logging.getLogger(__name__)


class LlmError(Exception):
    """The model could not give a usable answer this time (the caller falls back)."""

    reason = "error"


class LlmTimeout(LlmError):
    reason = "timeout"


class LlmUnavailable(LlmError):
    reason = "unavailable"


class LlmCircuitOpen(LlmUnavailable):
    reason = "circuit_open"


@dataclass
class LlmReply:
    """What one call returned: text, tool calls (``{"name", "args", "id"}``), token usage."""

    text: str
    tool_calls: list[dict[str, Any]]
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    invalid_tool_calls: int = 0  # calls whose arguments were not a JSON object


@dataclass
class TurnUsage:
    """LLM use accumulated over one conversation turn (see :data:`TURN_USAGE`)."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    cost_usd: float = 0.0
    purposes: list[str] = field(default_factory=list)


TURN_USAGE: contextvars.ContextVar[TurnUsage | None] = contextvars.ContextVar("tradebot_llm_turn_usage",
                                                                              default=None)


class _BackgroundLoop:
    """One daemon thread running an event loop, shared by every runtime of the process."""

    _lock = threading.Lock()
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    @classmethod
    def submit(cls, coro: Any) -> concurrent.futures.Future:
        with cls._lock:
            if cls._loop is None or cls._thread is None or not cls._thread.is_alive():
                cls._loop = asyncio.new_event_loop()
                cls._thread = threading.Thread(target=cls._loop.run_forever, name="tradebot-llm", daemon=True)
                cls._thread.start()
            loop = cls._loop
        return asyncio.run_coroutine_threadsafe(coro, loop)

    @classmethod
    def is_current_thread(cls) -> bool:
        return cls._thread is threading.current_thread()


class LlmRuntime:
    """Calls a LangChain chat model with a timeout, a circuit breaker and metrics.

    Args:
        model: a LangChain ``BaseChatModel``.
        timeout_s: the time one call may take before the caller falls back.
        metrics: ``bot.metrics.Metrics`` to update (optional).
        prices: USD per million input and output tokens, for the cost metric.
        breaker_failures: consecutive failures that open the circuit.
        breaker_cooldown_s: how long an open circuit skips the model.
    """

    def __init__(self, model: Any, *, timeout_s: float, metrics: Any = None,
                 prices: tuple[float, float] = (0.0, 0.0), breaker_failures: int = 3,
                 breaker_cooldown_s: float = 30.0) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self._metrics = metrics
        self._prices = prices
        self._breaker_failures = breaker_failures
        self._cooldown = breaker_cooldown_s
        self._failures = 0
        self._open_until = 0.0
        self._state_lock = threading.Lock()

    # -- calling ---------------------------------------------------------------------------
    async def acall(self, purpose: str, messages: Sequence[Any], *, tools: Sequence[dict] = (),
                    tool_choice: str | None = None, stream: bool = False) -> LlmReply:
        """Call the model from async code (the call runs on the LLM loop).

        Raises:
            LlmError: timeout, provider error, or an open circuit.
        """
        self._check_circuit(purpose)
        future = _BackgroundLoop.submit(self._timed(messages, tools, tool_choice, stream))
        return self._account(purpose, *await asyncio.wrap_future(future))

    def call(self, purpose: str, messages: Sequence[Any], *, tools: Sequence[dict] = (),
             tool_choice: str | None = None, stream: bool = False) -> LlmReply:
        """Call the model from a worker thread (never from a running event loop).

        Raises:
            LlmError: timeout, provider error, or an open circuit.
        """
        if _BackgroundLoop.is_current_thread():
            raise RuntimeError("LlmRuntime.call would deadlock on the LLM loop; use acall")
        self._check_circuit(purpose)
        future = _BackgroundLoop.submit(self._timed(messages, tools, tool_choice, stream))
        try:
            outcome = future.result(timeout=self.timeout_s + 2.0)
        except concurrent.futures.TimeoutError:
            future.cancel()
            outcome = (None, LlmTimeout("no answer in time"), self.timeout_s)
        return self._account(purpose, *outcome)

    async def _timed(self, messages: Sequence[Any], tools: Sequence[dict], tool_choice: str | None,
                     stream: bool) -> tuple[Any, LlmError | None, float]:
        started = time.perf_counter()
        try:
            message = await asyncio.wait_for(self._invoke(messages, tools, tool_choice, stream), self.timeout_s)
            return message, None, time.perf_counter() - started
        except asyncio.TimeoutError:
            return None, LlmTimeout(f"no answer within {self.timeout_s}s"), time.perf_counter() - started
        except Exception as exc:  # the provider boundary: every failure means "use the offline engine"
            error = LlmUnavailable(f"{type(exc).__name__}: {str(exc)[:300]}")
            return None, error, time.perf_counter() - started

    async def _invoke(self, messages: Sequence[Any], tools: Sequence[dict], tool_choice: str | None,
                      stream: bool) -> Any:
        runnable = self.model.bind_tools(list(tools), tool_choice=tool_choice) if tools else self.model
        if not stream:
            return await runnable.ainvoke(list(messages))
        merged = None
        async for chunk in runnable.astream(list(messages)):
            merged = chunk if merged is None else merged + chunk
        if merged is None:
            raise LlmUnavailable("empty stream")
        return merged

    # -- bookkeeping -----------------------------------------------------------------------
    def _account(self, purpose: str, message: Any, error: LlmError | None, seconds: float) -> LlmReply:
        usage = getattr(message, "usage_metadata", None) or {}
        reply = None
        if error is None:
            calls, invalid = _tool_calls_of(message)
            reply = LlmReply(text=_text_of(message), tool_calls=calls, invalid_tool_calls=invalid,
                             input_tokens=int(usage.get("input_tokens") or 0),
                             output_tokens=int(usage.get("output_tokens") or 0), seconds=seconds)
        cost = 0.0
        if reply is not None:
            cost = (reply.input_tokens * self._prices[0] + reply.output_tokens * self._prices[1]) / 1e6
        self._record_breaker(error is None)
        m = self._metrics
        if m is not None:
            m.llm_calls.labels(purpose, "ok" if error is None else error.reason).inc()
            m.llm_seconds.labels(purpose).observe(seconds)
            if reply is not None:
                m.llm_tokens.labels(purpose, "input").inc(reply.input_tokens)
                m.llm_tokens.labels(purpose, "output").inc(reply.output_tokens)
                m.llm_cost.labels(purpose).inc(cost)
        turn = TURN_USAGE.get()
        if turn is not None:
            turn.calls += 1
            turn.seconds += seconds
            turn.purposes.append(purpose)
            if reply is not None:
                turn.input_tokens += reply.input_tokens
                turn.output_tokens += reply.output_tokens
                turn.cost_usd += cost
        if error is not None:
            log.warning("llm call failed", extra={"purpose": purpose, "reason": error.reason, "error": str(error)})
            raise error
        return reply  # type: ignore[return-value]

    def fallback(self, purpose: str, reason: str) -> None:
        """Count a turn where the offline engine answered instead of the model, and why."""
        if self._metrics is not None:
            self._metrics.llm_fallbacks.labels(purpose, reason).inc()
        log.info("llm fallback to offline", extra={"purpose": purpose, "reason": reason})

    def _check_circuit(self, purpose: str) -> None:
        with self._state_lock:
            if self._open_until and time.monotonic() < self._open_until:
                if self._metrics is not None:
                    self._metrics.llm_calls.labels(purpose, LlmCircuitOpen.reason).inc()
                raise LlmCircuitOpen("provider failed repeatedly; skipping it for a while")

    def _record_breaker(self, ok: bool) -> None:
        with self._state_lock:
            if ok:
                self._failures, self._open_until = 0, 0.0
                return
            self._failures += 1
            if self._failures >= self._breaker_failures:
                self._open_until = time.monotonic() + self._cooldown
                self._failures = 0


def _tool_calls_of(message: Any) -> tuple[list[dict[str, Any]], int]:
    """Tool calls, strictly parsed (a streamed message's partial-JSON leniency is not wanted)."""
    invalid = len(getattr(message, "invalid_tool_calls", None) or [])
    chunks = getattr(message, "tool_call_chunks", None)
    if not chunks:
        return list(getattr(message, "tool_calls", None) or []), invalid
    calls = []
    for chunk in chunks:
        try:
            args = json.loads(chunk.get("args") or "{}")
        except ValueError:
            args = None
        if isinstance(args, dict):
            calls.append({"name": chunk.get("name"), "args": args, "id": chunk.get("id")})
        else:
            invalid += 1
    return calls, invalid


def _text_of(message: Any) -> str:
    content = getattr(message, "content", "")
    if isinstance(content, str):
        return content
    parts = [p.get("text", "") if isinstance(p, dict) else str(p) for p in content or []]
    return "".join(parts)
