"""FastAPI dependencies of the sandbox: state, merchant authentication, admin token, keys."""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from connectors.sandbox.errors import ApiError
from connectors.sandbox.state import PlatformState
from connectors.sandbox.tables import MerchantRow

_bearer = HTTPBearer(auto_error=False, description="the merchant's API token from POST /merchants")
_admin_header = APIKeyHeader(name="X-Admin-Token", auto_error=False, description="operator token")


def get_state(request: Request) -> PlatformState:
    """The app's :class:`PlatformState`, ready for use (tables created, seed loaded)."""
    state: PlatformState = request.app.state.platform
    state.ensure_ready()
    return state


State = Annotated[PlatformState, Depends(get_state)]


def token_digest(token: str) -> str:
    """How API tokens are stored: their SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def current_merchant(
    state: State, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> MerchantRow:
    """The merchant whose ``Authorization: Bearer`` token came with the request."""
    unauthorized = ApiError(401, "unauthorized", "missing or invalid API token",
                            headers={"WWW-Authenticate": "Bearer"})
    if credentials is None or credentials.scheme.lower() != "bearer" or len(credentials.credentials) > 200:
        raise unauthorized
    with state.session() as session:
        merchant = session.query(MerchantRow).filter_by(token_sha256=token_digest(credentials.credentials)).first()
    if merchant is None:
        raise unauthorized
    return merchant


CurrentMerchant = Annotated[MerchantRow, Depends(current_merchant)]


def _admin_ok(state: PlatformState, supplied: str | None) -> bool:
    return (state.admin_token is not None and supplied is not None
            and hmac.compare_digest(supplied.encode(), state.admin_token.encode()))


def require_admin(state: State, supplied: Annotated[str | None, Depends(_admin_header)]) -> None:
    """Admin routes: the ``X-Admin-Token`` must match; without an admin token they are off."""
    if state.admin_token is None:
        raise ApiError(403, "admin_disabled", "the admin API is disabled (no admin token configured)")
    if not _admin_ok(state, supplied):
        raise ApiError(401, "unauthorized", "missing or invalid X-Admin-Token")


def registration_allowed(state: State, supplied: Annotated[str | None, Depends(_admin_header)]) -> None:
    """Merchant registration is open unless an admin token is configured."""
    if state.admin_token is not None and not _admin_ok(state, supplied):
        raise ApiError(401, "unauthorized", "merchant registration needs the X-Admin-Token")


IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
           description="repeat a write safely: the same key and body replay the first response"),
]
