"""A local stand-in for the Graph API ``/messages`` endpoint, served on loopback.

It checks what the real endpoint checks that matters to us (bearer token, phone number
id, message shapes and the documented limits of interactive messages) and records every
accepted message, so tests assert on what WhatsApp users would see.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

VERSION = "v21.0"


def _graph_error(status: int, message: str, code: int) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": "OAuthException", "code": code,
                                   "error_data": {"messaging_product": "whatsapp", "details": message},
                                   "fbtrace_id": "AbCdEfGh"}}, status_code=status)


def problems(body: Any) -> list[str]:
    """What the Cloud API would refuse in a ``/messages`` request body."""
    out: list[str] = []
    if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
        return ["messaging_product must be 'whatsapp'"]
    if not str(body.get("to") or "").strip():
        out.append("to is required")
    kind = body.get("type", "text")
    if kind == "text":
        text = (body.get("text") or {}).get("body", "")
        if not 1 <= len(text) <= 4096:
            out.append(f"text.body length {len(text)} not in 1..4096")
    elif kind == "interactive":
        out.extend(_interactive_problems(body.get("interactive") or {}))
    elif kind == "template":
        tpl = body.get("template") or {}
        if not tpl.get("name") or not (tpl.get("language") or {}).get("code"):
            out.append("template needs name and language.code")
    else:
        out.append(f"unsupported type {kind!r}")
    return out


def _interactive_problems(inter: dict) -> list[str]:
    out = []
    body = (inter.get("body") or {}).get("text", "")
    if not 1 <= len(body) <= 1024:
        out.append(f"interactive body length {len(body)} not in 1..1024")
    action = inter.get("action") or {}
    if inter.get("type") == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            out.append(f"{len(buttons)} buttons (1..3 allowed)")
        ids = [b.get("reply", {}).get("id", "") for b in buttons]
        titles = [b.get("reply", {}).get("title", "") for b in buttons]
        if any(b.get("type") != "reply" for b in buttons):
            out.append("button type must be reply")
        if any(not 1 <= len(i) <= 256 for i in ids) or len(set(ids)) != len(ids):
            out.append("button ids must be unique, 1..256 characters")
        if any(not 1 <= len(t) <= 20 for t in titles) or len(set(titles)) != len(titles):
            out.append("button titles must be unique, 1..20 characters")
    elif inter.get("type") == "list":
        if not 1 <= len(action.get("button", "")) <= 20:
            out.append("list button label must have 1..20 characters")
        sections = action.get("sections") or []
        rows = [r for s in sections for r in s.get("rows", [])]
        if not 1 <= len(sections) <= 10 or not 1 <= len(rows) <= 10:
            out.append(f"{len(sections)} sections / {len(rows)} rows (at most 10 rows in all)")
        if len(sections) > 1 and any(not s.get("title") for s in sections):
            out.append("sections need titles when there are several")
        ids = [r.get("id", "") for r in rows]
        if any(not 1 <= len(i) <= 200 for i in ids) or len(set(ids)) != len(ids):
            out.append("row ids must be unique, 1..200 characters")
        if any(not 1 <= len(r.get("title", "")) <= 24 for r in rows):
            out.append("row titles must have 1..24 characters")
        if any(len(r.get("description", "")) > 72 for r in rows):
            out.append("row descriptions must have at most 72 characters")
    else:
        out.append(f"unsupported interactive type {inter.get('type')!r}")
    return out


class FakeGraphApi:
    """The fake endpoint; serve :attr:`app` with the ``live_server`` fixture.

    Attributes:
        sent: accepted request bodies, in order.
        fail_next: HTTP statuses to answer (with a Graph error) before accepting again.
    """

    def __init__(self, phone_number_id: str, access_token: str) -> None:
        self.phone_number_id = phone_number_id
        self.access_token = access_token
        self.sent: list[dict] = []
        self.refused: list[tuple[int, Any]] = []
        self.fail_next: list[int] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.app = FastAPI()
        self.app.add_api_route(f"/{VERSION}/{{phone_number_id}}/messages", self._messages, methods=["POST"])

    async def _messages(self, phone_number_id: str, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {self.access_token}":
            return _graph_error(401, "Invalid OAuth access token.", 190)
        if phone_number_id != self.phone_number_id:
            return _graph_error(400, "Unsupported post request: unknown phone number id", 100)
        try:
            body = await request.json()
        except ValueError:
            return _graph_error(400, "Invalid JSON", 100)
        with self._lock:
            if self.fail_next:
                status = self.fail_next.pop(0)
                self.refused.append((status, body))
                return _graph_error(status, "Service temporarily unavailable", 131000 if status >= 500 else 100)
            found = problems(body)
            if found:
                self.refused.append((400, body))
                return _graph_error(400, "(#131009) Parameter value is not valid: " + "; ".join(found), 131009)
            self.sent.append(body)
            wamid = f"wamid.FAKE{next(self._ids):08d}"
        return JSONResponse({"messaging_product": "whatsapp",
                             "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                             "messages": [{"id": wamid}]})

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        """Wait until at least ``count`` messages were accepted; returns all of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.sent) >= count:
                    return list(self.sent)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} messages, the fake Graph API got {len(self.sent)}: {self.sent}"
                             f"; refused: {self.refused}")

    def settle(self, quiet: float = 0.6) -> list[dict]:
        """Wait until nothing new arrived for ``quiet`` seconds; returns all messages."""
        last, since = -1, time.monotonic()
        while True:
            with self._lock:
                n = len(self.sent)
            if n != last:
                last, since = n, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return list(self.sent)
            time.sleep(0.02)
