"""One exception family for everything that can go wrong talking to the platform.

The HTTP client wraps transport and HTTP failures exactly once, at the edge
(``raise Unavailable(...) from exc``); callers catch :class:`ConnectorError` or one of
its three subclasses and never see an ``httpx`` exception.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base class of every platform connector error."""


class Unavailable(ConnectorError):
    """The platform could not be reached or failed (network error, timeout, 5xx).

    Raised only after the client's retries, where retrying was safe, were used up.
    """


class RateLimited(ConnectorError):
    """The platform asked us to slow down (HTTP 429).

    Attributes:
        retry_after: Seconds the platform asked us to wait, or None if it did not say.
    """

    def __init__(self, retry_after: float | None, message: str = "rate limited") -> None:
        super().__init__(message if retry_after is None else f"{message}; retry after {retry_after:g}s")
        self.retry_after = retry_after


class Rejected(ConnectorError):
    """The platform refused the request (a 4xx other than 429): fix the request, do not retry.

    Attributes:
        status: The HTTP status code, e.g. 404 or 422.
        detail: The platform's explanation, as readable text.
        code: The platform's machine-readable error code when it gave one
            (e.g. ``"not_found"``, ``"idempotency_key_reused"``), else None.
    """

    def __init__(self, status: int, detail: str, code: str | None = None) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail
        self.code = code
