"""The Graph API client for outbound WhatsApp messages, with one error family.

``POST {api_url}/{phone_number_id}/messages`` with a bearer access token. Errors are
wrapped once here: :class:`WhatsAppUnavailable` (network, 5xx, throttling: retry later),
:class:`WhatsAppRejected` (4xx: the request will not succeed as it is), and
:class:`OutsideServiceWindow` (the 24-hour customer-service window is closed).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)
# Graph API error codes: re-engagement needed (window closed); throttling.
WINDOW_CLOSED_CODES = {131047}
THROTTLED_CODES = {4, 80007, 130429, 131048, 131056}


class WhatsAppError(Exception):
    """Any failure to send a WhatsApp message."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class WhatsAppUnavailable(WhatsAppError):
    """Temporary: network error, server error or throttling; retry later."""


class WhatsAppRejected(WhatsAppError):
    """Permanent for this request: bad request, bad token, unknown recipient."""


class OutsideServiceWindow(WhatsAppRejected):
    """Free-form messages need the merchant to have written in the last 24 hours."""


class GraphApiClient:
    """Sends message bodies to the Cloud API.

    Args:
        client: the HTTP client (its lifecycle is the caller's).
        api_url: e.g. ``https://graph.facebook.com/v21.0``.
        phone_number_id: the business phone number's id.
        access_token: the bearer token.
    """

    def __init__(self, client: httpx.AsyncClient, api_url: str, phone_number_id: str,
                 access_token: str) -> None:
        self._client = client
        self._url = f"{api_url.rstrip('/')}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"}

    async def send(self, body: dict[str, Any]) -> str | None:
        """Send one message; returns its ``wamid``.

        Raises:
            WhatsAppUnavailable: retry later.
            WhatsAppRejected: do not retry this body (``OutsideServiceWindow`` for code 131047).
        """
        try:
            response = await self._client.post(self._url, json=body, headers=self._headers)
        except httpx.HTTPError as exc:
            raise WhatsAppUnavailable(f"Graph API unreachable: {type(exc).__name__}") from exc
        if response.status_code < 300:
            try:
                return response.json()["messages"][0]["id"]
            except (ValueError, KeyError, IndexError, TypeError):
                log.warning("Graph API answered without a message id", extra={"status": response.status_code})
                return None
        raise _error(response)


def _error(response: httpx.Response) -> WhatsAppError:
    try:
        err = response.json().get("error") or {}
    except (ValueError, AttributeError):
        err = {}
    code = err.get("code") if isinstance(err.get("code"), int) else None
    message = f"Graph API {response.status_code}: {str(err.get('message') or response.reason_phrase)[:200]}"
    if code in WINDOW_CLOSED_CODES:
        return OutsideServiceWindow(message, status=response.status_code, code=code)
    if response.status_code == 429 or response.status_code >= 500 or code in THROTTLED_CODES:
        return WhatsAppUnavailable(message, status=response.status_code, code=code)
    return WhatsAppRejected(message, status=response.status_code, code=code)
