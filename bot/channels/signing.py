"""HMAC-SHA256 request signatures (``sha256=<hex>``), compared in constant time."""

from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, payload: bytes) -> str:
    """The header value for ``payload``: ``sha256=`` and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def verify(secret: str, payload: bytes, header: str | None) -> bool:
    """Whether ``header`` is the valid signature of ``payload`` under ``secret``."""
    if not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(sign(secret, payload), header.strip())
