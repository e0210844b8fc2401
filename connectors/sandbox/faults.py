"""Fault injection for tests: latency, 503 errors, 429 rate limits and timeouts.

The :class:`FaultMiddleware` is plain ASGI middleware around the sandbox app. Injected
errors happen *before* the request is handled (nothing is written); injected timeouts
happen *after* it was handled (the write is committed, the response is held back longer
than any sane client timeout), which is the case idempotency keys exist for. Admin
routes, ``/health`` and the OpenAPI documents are never faulted.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from dataclasses import asdict, dataclass, replace

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNFAULTED_PREFIXES = ("/admin", "/health", "/openapi.json", "/docs", "/redoc")


@dataclass(frozen=True)
class FaultConfig:
    """What to inject into each request; rates are probabilities in [0, 1].

    Attributes:
        latency_s: Delay added before every request is handled.
        error_rate: Share of requests answered 503 without being handled.
        rate_limit_rate: Share of requests answered 429 (``Retry-After: 1``) without being handled.
        timeout_rate: Share of requests handled, then held for ``hang_s`` before answering.
        hang_s: How long a "timed out" response is held back.
        seed: Seed of the random draws, so a test run is repeatable.
    """

    latency_s: float = 0.0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    timeout_rate: float = 0.0
    hang_s: float = 30.0
    seed: int = 0

    def as_dict(self) -> dict:
        """The configuration as JSON-ready data."""
        return asdict(self)


class FaultSwitch:
    """The :class:`FaultConfig` in force and its random draws, switchable at run time.

    Args:
        config: The initial configuration (no faults when None).
    """

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(config or FaultConfig())

    @property
    def config(self) -> FaultConfig:
        """The configuration in force."""
        return self._config

    def configure(self, config: FaultConfig) -> None:
        """Replace the configuration and restart the random draws from its seed."""
        with self._lock:
            self._config = replace(config)
            self._random = random.Random(config.seed)

    def draw(self) -> tuple[FaultConfig, str | None]:
        """Draw this request's fault: ``"error"``, ``"rate_limit"``, ``"timeout"`` or None."""
        with self._lock:
            config, roll = self._config, self._random.random()
        for fault, rate in (("error", config.error_rate), ("rate_limit", config.rate_limit_rate),
                            ("timeout", config.timeout_rate)):
            if roll < rate:
                return config, fault
            roll -= rate
        return config, None


class FaultMiddleware:
    """ASGI middleware that applies the switch's configuration to each request.

    Args:
        app: The wrapped ASGI app.
        switch: Where the configuration in force is read from.
    """

    def __init__(self, app: ASGIApp, switch: FaultSwitch) -> None:
        self.app = app
        self.switch = switch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        root = scope.get("root_path", "")
        relative = path[len(root):] if root and path.startswith(root) else path
        if relative.startswith(UNFAULTED_PREFIXES):
            await self.app(scope, receive, send)
            return
        config, fault = self.switch.draw()
        if config.latency_s > 0:
            await asyncio.sleep(config.latency_s)
        if fault == "error":
            await _send_json(send, 503, {"detail": "injected fault: service unavailable", "code": "unavailable"})
        elif fault == "rate_limit":
            await _send_json(send, 429, {"detail": "injected fault: slow down", "code": "rate_limited"},
                             [(b"retry-after", b"1")])
        elif fault == "timeout":
            held: list[Message] = []

            async def hold(message: Message) -> None:
                held.append(message)

            await self.app(scope, receive, hold)
            await asyncio.sleep(config.hang_s)
            for message in held:
                await send(message)
        else:
            await self.app(scope, receive, send)


async def _send_json(send: Send, status: int, body: dict, headers: list[tuple[bytes, bytes]] = ()) -> None:
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode()), *headers]})
    await send({"type": "http.response.body", "body": payload})
