"""The staff console at ``/staff``: login page and the single-page console (plain JS polling)."""

from __future__ import annotations

import asyncio
import html
from importlib import resources
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.staff.accounts import SESSION_LIFETIME, StaffAccounts
from bot.staff.auth import SESSION_COOKIE, same_origin

MAX_FORM_BYTES = 4096


def _page(name: str) -> str:
    return resources.files("bot.staff").joinpath("static", name).read_text("utf-8")


def build_console(accounts: StaffAccounts, *, secure_cookies: bool) -> APIRouter:
    router = APIRouter(tags=["staff console"], include_in_schema=False)

    def login_page(message: str = "", status: int = 200) -> HTMLResponse:
        notice = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
        return HTMLResponse(_page("login.html").replace("{{notice}}", notice), status_code=status,
                            headers=_security_headers())

    @router.get("/staff")
    async def console(request: Request) -> Response:
        session = await asyncio.to_thread(accounts.by_session, request.cookies.get(SESSION_COOKIE))
        if session is None:
            return login_page()
        staff, csrf = session
        body = (_page("console.html").replace("{{csrf}}", html.escape(csrf))
                .replace("{{staff}}", html.escape(staff.name)))
        return HTMLResponse(body, headers=_security_headers())

    @router.post("/staff/login")
    async def login(request: Request) -> Response:
        if not same_origin(request):
            return login_page("Cross-site login refused.", 403)
        raw = await request.body()
        if len(raw) > MAX_FORM_BYTES:
            return login_page("Request too large.", 413)
        form = parse_qs(raw.decode("utf-8", "replace"))
        name, token = form.get("name", [""])[0], form.get("token", [""])[0]
        result = await asyncio.to_thread(accounts.login, name, token)
        if result is None:
            return login_page("Unknown name or token.", 401)
        session_id, _csrf = result
        response = RedirectResponse("/staff", status_code=303)
        response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="strict", secure=secure_cookies,
                            max_age=int(SESSION_LIFETIME.total_seconds()), path="/")
        return response

    @router.post("/staff/logout")
    async def logout(request: Request) -> Response:
        if not same_origin(request):
            return login_page("Cross-site request refused.", 403)
        session_id = request.cookies.get(SESSION_COOKIE)
        if session_id:
            await asyncio.to_thread(accounts.logout, session_id)
        response = RedirectResponse("/staff", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return router


def _security_headers() -> dict[str, str]:
    return {"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                                       "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
            "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}
