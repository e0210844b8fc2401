"""The HTTP edge of the platform client: timeouts, safe retries, one error family.

Every ``httpx`` failure is turned into a :mod:`connectors.errors` exception here, once.
Retries use exponential backoff with jitter and happen only where repeating the request
cannot do harm: reads (GET) and writes that carry an ``Idempotency-Key``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import httpx

from connectors.errors import ConnectorError, RateLimited, Rejected, Unavailable

logger = logging.getLogger("connectors.client")
RETRYABLE_STATUS = {502, 503, 504}
MAX_RETRY_AFTER_S = 30.0


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: we do not honour those, the backoff applies


def _detail(response: httpx.Response) -> tuple[str, str | None]:
    """Readable detail and machine code from an error body (ours, FastAPI's or plain text)."""
    try:
        body = response.json()
    except ValueError:
        return (response.text.strip()[:500] or response.reason_phrase), None
    if not isinstance(body, dict):
        return str(body)[:500], None
    detail = body.get("detail", body)
    if isinstance(detail, list):  # FastAPI validation errors
        parts = []
        for item in detail:
            if isinstance(item, dict):
                where = ".".join(str(p) for p in item.get("loc", [])[1:]) or "request"
                parts.append(f"{where}: {item.get('msg', 'invalid')}")
        return "; ".join(parts) or "invalid request", body.get("code") or "validation_error"
    return str(detail), body.get("code")


class RetryingTransport:
    """Sends requests with timeouts and retries, raising only :class:`ConnectorError`.

    Args:
        http: The underlying ``httpx.AsyncClient`` (its base URL and timeout are used).
        retries: Extra attempts after the first, for requests that are safe to repeat.
        backoff: First backoff delay in seconds; doubled per attempt, with jitter.
        max_backoff: Upper bound of one backoff delay.
    """

    def __init__(self, http: httpx.AsyncClient, *, retries: int, backoff: float, max_backoff: float) -> None:
        self.http = http
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._jitter = random.Random()

    def _delay(self, attempt: int, failure: ConnectorError) -> float:
        delay = min(self.max_backoff, self.backoff * 2**attempt) * (0.5 + self._jitter.random() / 2)
        if isinstance(failure, RateLimited) and failure.retry_after is not None:
            delay = max(delay, failure.retry_after)
        return delay

    async def send(self, method: str, path: str, *, headers: dict[str, str], params: dict[str, Any] | None = None,
                   json: Any = None, idempotency_key: str | None = None) -> httpx.Response:
        """Send one logical request, retrying where safe.

        Raises:
            Rejected: 4xx other than 429 (never retried).
            RateLimited: 429 after the retries (or at once when the wait asked for is too long).
            Unavailable: network errors, timeouts and 5xx after the retries.
        """
        safe = method.upper() in ("GET", "HEAD", "OPTIONS") or idempotency_key is not None
        if idempotency_key is not None:
            headers = {**headers, "Idempotency-Key": idempotency_key}
        if params:
            params = {k: v for k, v in params.items() if v is not None}
        attempt = 0
        while True:
            cause: Exception | None = None
            try:
                response = await self.http.request(method, path, headers=headers, params=params, json=json)
            except httpx.TimeoutException as exc:
                failure, cause = Unavailable(f"{method} {path}: the platform timed out"), exc
            except httpx.TransportError as exc:
                failure, cause = Unavailable(f"{method} {path}: cannot reach the platform ({exc!r})"), exc
            else:
                status = response.status_code
                if status < 400:
                    return response
                if status == 429:
                    failure = RateLimited(_retry_after(response))
                elif status >= 500:
                    failure = Unavailable(f"{method} {path}: the platform answered HTTP {status}")
                    if status not in RETRYABLE_STATUS:
                        safe = False  # a 500 is a bug, not a blip: repeating it will not help
                else:
                    detail, code = _detail(response)
                    raise Rejected(status, detail, code)
            too_long = isinstance(failure, RateLimited) and (failure.retry_after or 0) > MAX_RETRY_AFTER_S
            if not safe or attempt >= self.retries or too_long:
                raise failure from cause
            delay = self._delay(attempt, failure)
            logger.warning("platform %s %s failed (%s); retry %d/%d in %.2fs",
                           method, path, failure, attempt + 1, self.retries, delay)
            await asyncio.sleep(delay)
            attempt += 1
