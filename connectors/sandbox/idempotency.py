"""Idempotent writes: the same ``Idempotency-Key`` and body replay the first response.

A key is scoped to the merchant (or to "public" for registration). The stored response is
written in the same transaction as the resource it describes, under the app's write
lock, so a retry that races the original still sees exactly one record. Reusing a key
with a different body, method or path is a 422 ``idempotency_key_reused``. Errors are
not stored: a failed write may be retried with the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from connectors.sandbox.errors import ApiError
from connectors.sandbox.state import PlatformState
from connectors.sandbox.tables import IdempotencyRecord

Action = Callable[[Session], tuple[int, dict]]


def fingerprint(method: str, route: str, body: object) -> str:
    """A digest of what the request asks for: method, route and canonical JSON body."""
    canonical = json.dumps([method.upper(), route, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def keyed_write(state: PlatformState, *, scope: str, key: str | None, request_fingerprint: str,
                action: Action) -> JSONResponse:
    """Run a write once per key.

    Args:
        state: The sandbox state (database, clock, write lock).
        scope: Namespace of the key: the merchant id, or "public".
        key: The ``Idempotency-Key`` header, or None for an unkeyed write.
        request_fingerprint: :func:`fingerprint` of the request.
        action: Does the write in the given session (without committing) and returns the
            status code and JSON body of the response.

    Returns:
        The response, replayed (with ``Idempotent-Replayed: true``) for a known key.

    Raises:
        ApiError: 422 when the key was used for a different request, or whatever the
            action raises.
    """
    with state.write_lock, state.session() as session:
        if key is not None:
            record = session.get(IdempotencyRecord, (scope, key))
            if record is not None:
                if record.fingerprint != request_fingerprint:
                    raise ApiError(422, "idempotency_key_reused",
                                   "this Idempotency-Key was already used with a different request")
                return JSONResponse(record.body, status_code=record.status_code,
                                    headers={"Idempotent-Replayed": "true"})
        try:
            status_code, body = action(session)
            if key is not None:
                session.add(IdempotencyRecord(scope=scope, key=key, fingerprint=request_fingerprint,
                                              status_code=status_code, body=body, created_at=state.now()))
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return JSONResponse(body, status_code=status_code)
