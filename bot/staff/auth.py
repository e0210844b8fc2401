"""Who is calling the staff API: a Bearer token, or a console session cookie + CSRF token."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from bot.staff.accounts import Staff, StaffAccounts

SESSION_COOKIE = "tradebot_staff"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Caller:
    staff: Staff
    csrf_token: str | None  # set for cookie sessions


def same_origin(request: Request) -> bool:
    """Refuse cross-site requests: an ``Origin`` (or ``Referer``) must name this host."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True  # non-browser clients send neither
    return urlsplit(origin).netloc == request.headers.get("host")


async def authenticate(request: Request, accounts: StaffAccounts) -> Caller:
    """Resolve the caller or raise 401/403 (cookie sessions need the CSRF header on writes)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        staff = await asyncio.to_thread(accounts.by_token, header[7:].strip())
        if staff is None:
            raise HTTPException(401, "invalid staff token")
        return Caller(staff, None)
    session = await asyncio.to_thread(accounts.by_session, request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise HTTPException(401, "log in at /staff or send Authorization: Bearer <token>")
    staff, csrf = session
    if request.method not in SAFE_METHODS:
        if not same_origin(request):
            raise HTTPException(403, "cross-site request refused")
        if request.headers.get(CSRF_HEADER) != csrf:
            raise HTTPException(403, f"missing or wrong {CSRF_HEADER}")
    return Caller(staff, csrf)
