"""A local Telegram Bot API server speaking the real protocol, for tests.

``POST|GET /bot<token>/<method>`` with JSON, form-encoded (nested objects as JSON strings,
as PTB sends them) or query parameters; answers ``{"ok": true, "result": …}`` or
``{"ok": false, "error_code": …, "description": …}`` like Telegram. ``getUpdates`` long-polls
and treats ``offset`` as Telegram does: every update below it is confirmed and forgotten.

Tests enqueue updates, read the recorded calls, and may *stall* a method (hold its requests
until released) to freeze the bot at a chosen point, e.g. to kill it mid-update.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

BOT_ID = 7000001
TOKEN = f"{BOT_ID}:AAFakeTokenForTests_0123456789abcdef"
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Tradebot", "username": "tradebot_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
# Fields that stay strings even when they look like JSON numbers or literals.
_STRING_FIELDS = {"text", "callback_query_id", "secret_token", "url", "action", "language_code",
                  "description", "short_description", "inline_message_id", "parse_mode"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


def _decode(params: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key in _STRING_FIELDS:
            out[key] = value
            continue
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


class FakeBotApi:
    """The server's state; thread-safe, so tests (main thread) and the server thread share it."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self._lock = threading.Lock()
        self.calls: list[Call] = []
        self._pending: list[dict[str, Any]] = []  # not yet confirmed by an offset
        self._history: list[dict[str, Any]] = []
        self._next_update_id = 500_000_001
        self._next_message_id: dict[int, int] = {}
        self.confirmed_offset = 0
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self._stalls: dict[str, tuple[Callable[[dict[str, Any]], bool], threading.Event]] = {}
        self._failures: list[tuple[str, int, str, Callable[[dict[str, Any]], bool]]] = []
        self.closing = False  # set before stopping the server: long polls return at once

    # -- test side -------------------------------------------------------------------------
    def enqueue(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for ``getUpdates``; gives it the next ``update_id`` if it has none.

        Like Telegram's, update ids only increase: an explicit ``update_id`` below one already
        enqueued is refused. (Such an update could be confirmed away by an ``offset`` the bot
        sent for a later one before it was ever fetched — Telegram never does that.)
        """
        with self._lock:
            update = dict(update)
            if "update_id" not in update:
                update["update_id"] = self._next_update_id
            elif update["update_id"] < self._next_update_id:
                raise ValueError(f"update_id {update['update_id']} is not above the ids already enqueued "
                                 f"(next is {self._next_update_id}); Telegram's update ids only increase")
            self._next_update_id = update["update_id"] + 1
            self._pending.append(update)
            self._history.append(update)
            return update

    def redeliver_all(self) -> int:
        """Offer every update ever enqueued again, as Telegram does when a confirming
        ``getUpdates`` never reached it (e.g. the bot died right after processing)."""
        with self._lock:
            known = {u["update_id"] for u in self._pending}
            self._pending = sorted([*self._pending, *(u for u in self._history if u["update_id"] not in known)],
                                   key=lambda u: u["update_id"])
            self.confirmed_offset = 0
            return len(self._pending)

    def calls_of(self, method: str, **match: Any) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method
                    and all(c.params.get(k) == v for k, v in match.items())]

    def wait_for(self, method: str, count: int = 1, timeout: float = 20.0, **match: Any) -> list[Call]:
        """Block until ``count`` matching calls were made; fail the test otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls_of(method, **match)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"expected {count} {method} call(s) matching {match}; got "
                             f"{[c.params for c in self.calls_of(method)]}")

    def stall(self, method: str, when: Callable[[dict[str, Any]], bool] = lambda p: True) -> threading.Event:
        """Hold matching requests of ``method`` until the returned event is set."""
        release = threading.Event()
        with self._lock:
            self._stalls[method] = (when, release)
        return release

    def fail(self, method: str, code: int, description: str, *, times: int = 1,
             when: Callable[[dict[str, Any]], bool] = lambda p: True) -> None:
        """Answer the next ``times`` matching calls of ``method`` with an error."""
        with self._lock:
            self._failures += [(method, code, description, when)] * times

    def unstall(self, method: str) -> None:
        with self._lock:
            stall = self._stalls.pop(method, None)
        if stall:
            stall[1].set()

    # -- server side -----------------------------------------------------------------------
    async def handle(self, token: str, method: str, params: dict[str, Any]) -> JSONResponse:
        if token != self.token:
            return _error(401, "Unauthorized")
        with self._lock:
            self.calls.append(Call(method, params))
            stall = self._stalls.get(method)
            failure = next((f for f in self._failures if f[0] == method and f[3](params)), None)
            if failure:
                self._failures.remove(failure)
        if failure:
            return _error(failure[1], failure[2])
        if stall and stall[0](params):
            while not stall[1].is_set():
                await asyncio.sleep(0.02)
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        return await handler(params)

    async def _m_getme(self, _p: dict) -> JSONResponse:
        return _ok(BOT_USER)

    async def _m_getupdates(self, p: dict) -> JSONResponse:
        if self.webhook:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active; "
                               "use deleteWebhook to delete the webhook first")
        offset, limit = int(p.get("offset") or 0), int(p.get("limit") or 100)
        deadline = time.monotonic() + min(float(p.get("timeout") or 0), 5.0)
        while True:
            with self._lock:
                if offset > self.confirmed_offset:
                    self.confirmed_offset = offset
                    self._pending = [u for u in self._pending if u["update_id"] >= offset]
                ready = self._pending[:limit]
            if ready or self.closing or time.monotonic() >= deadline:
                return _ok(ready)
            await asyncio.sleep(0.02)

    async def _m_sendmessage(self, p: dict) -> JSONResponse:
        chat_id = int(p["chat_id"])
        with self._lock:
            message_id = self._next_message_id.get(chat_id, 1)
            self._next_message_id[chat_id] = message_id + 1
        message = {"message_id": message_id, "date": int(time.time()), "from": BOT_USER,
                   "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"}, "text": p["text"]}
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        return _ok(message)

    async def _m_editmessagetext(self, p: dict) -> JSONResponse:
        chat_id = int(p["chat_id"])
        return _ok({"message_id": int(p["message_id"]), "date": int(time.time()), "from": BOT_USER,
                    "chat": {"id": chat_id, "type": "private"}, "text": p["text"],
                    "edit_date": int(time.time())})

    async def _m_editmessagereplymarkup(self, p: dict) -> JSONResponse:
        return _ok(True)

    async def _m_answercallbackquery(self, _p: dict) -> JSONResponse:
        return _ok(True)

    async def _m_sendchataction(self, _p: dict) -> JSONResponse:
        return _ok(True)

    async def _m_setmycommands(self, p: dict) -> JSONResponse:
        with self._lock:
            self.commands[p.get("language_code") or ""] = p["commands"]
        return _ok(True)

    async def _m_getmycommands(self, p: dict) -> JSONResponse:
        return _ok(self.commands.get(p.get("language_code") or "", []))

    async def _m_setwebhook(self, p: dict) -> JSONResponse:
        with self._lock:
            self.webhook = p
        return _ok(True)

    async def _m_deletewebhook(self, p: dict) -> JSONResponse:
        with self._lock:
            self.webhook = None
            if p.get("drop_pending_updates"):
                self._pending.clear()
        return _ok(True)

    async def _m_getwebhookinfo(self, _p: dict) -> JSONResponse:
        hook = self.webhook or {}
        return _ok({"url": hook.get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": len(self._pending)})


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(code: int, description: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error_code": code, "description": description}, status_code=code)


def create_fake_app(api: FakeBotApi) -> FastAPI:
    """The ASGI app serving ``api``; run it with ``tests.conftest.LiveServer``."""
    app = FastAPI()

    @app.api_route("/bot{token}/{method}", methods=["GET", "POST"])
    async def endpoint(token: str, method: str, request: Request) -> JSONResponse:
        params: dict[str, Any] = dict(request.query_params)
        body = await request.body()
        kind = request.headers.get("content-type", "")
        if body and kind.startswith("application/json"):
            params.update(json.loads(body))
        elif body and kind.startswith("application/x-www-form-urlencoded"):
            params.update(_decode(dict(parse_qsl(body.decode(), keep_blank_values=True))))
        elif body:
            return _error(400, f"Bad Request: unsupported content type {kind}")
        else:
            params = _decode(params)
        return await api.handle(token, method, params)

    return app
