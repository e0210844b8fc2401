"""A local OpenAI-compatible server on loopback, speaking the real Chat Completions protocol.

(It also answers Ollama's ``POST /api/chat``, so that ``ollama:`` models run against it too.)

``POST /v1/chat/completions`` (JSON, or Server-Sent Events when ``stream`` is true, with
tool-call argument fragments and the final usage chunk of ``stream_options``) and
``GET /v1/models``. Responses are scripted per test: a :class:`Step` (or a function of
the request body returning one) per offered tool name, consumed in order, with a
default for anything unscripted. Every request is recorded, so tests assert on what the
model was shown and offered. Serve :attr:`FakeOpenAI.app` with the ``live_server`` fixture.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

API_KEY = "sk-test-fake-0123456789"
MODEL = "fake-gpt"


@dataclass
class Step:
    """One scripted model response.

    Attributes:
        tool: name of the tool to call (with ``args``), or None for a text answer.
        args: the tool call's arguments (a dict, or a raw string to send malformed JSON).
        text: assistant text content.
        status: an HTTP error status to answer with instead (e.g. 500, 429).
        delay: seconds to wait before answering (a slow provider).
        extra_calls: more ``(name, args)`` tool calls in the same message.
    """

    tool: str | None = None
    args: Any = field(default_factory=dict)
    text: str | None = None
    status: int | None = None
    delay: float = 0.0
    extra_calls: list[tuple[str, Any]] = field(default_factory=list)


def call(tool: str, **args: Any) -> Step:
    return Step(tool=tool, args=args)


Responder = Step | Callable[[dict[str, Any]], Step]


def offered_tools(body: dict[str, Any]) -> list[str]:
    return [t.get("function", {}).get("name", "") for t in body.get("tools") or []]


class FakeOpenAI:
    """The scripted server (thread-safe: the app runs in uvicorn's thread)."""

    def __init__(self, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self._scripts: dict[str, list[Responder]] = {}
        self.default: Responder = Step(status=500, text="unscripted request")
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.app = self._build()

    # -- scripting ---------------------------------------------------------------------------
    def on(self, tool: str, *responses: Responder) -> None:
        """Answer the next requests that offer ``tool`` with ``responses``, in order."""
        with self._lock:
            self._scripts.setdefault(tool, []).extend(responses)

    def reset(self) -> None:
        with self._lock:
            self._scripts.clear()
            self.requests.clear()
            self.default = Step(status=500, text="unscripted request")

    def calls_for(self, tool: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if tool in offered_tools(r)]

    def _next(self, body: dict[str, Any]) -> Step:
        with self._lock:
            self.requests.append(body)
            responder: Responder = self.default
            for name in offered_tools(body):
                queue = self._scripts.get(name)
                if queue:
                    responder = queue.pop(0)
                    break
        return responder(body) if callable(responder) else responder

    # -- protocol ----------------------------------------------------------------------------
    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/models")
        async def models(request: Request) -> JSONResponse:
            if (denied := self._denied(request)) is not None:
                return denied
            return JSONResponse({"object": "list", "data": [
                {"id": MODEL, "object": "model", "created": 1700000000, "owned_by": "fake"}]})

        @app.post("/v1/chat/completions")
        async def completions(request: Request):  # noqa: ANN202
            if (denied := self._denied(request)) is not None:
                return denied
            body = await request.json()
            if not isinstance(body.get("messages"), list) or not body.get("model"):
                return _error(400, "messages and model are required", "invalid_request_error")
            step = self._next(body)
            if step.delay:
                await asyncio.sleep(step.delay)
            if step.status:
                return _error(step.status, step.text or "scripted failure", "server_error")
            if body.get("stream"):
                include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
                return StreamingResponse(self._sse(body, step, include_usage), media_type="text/event-stream")
            return JSONResponse(self._completion(body, step))

        @app.post("/api/chat")
        async def ollama_chat(request: Request):  # noqa: ANN202
            """Ollama's native chat API (NDJSON stream), for ``ollama:`` models."""
            if (denied := self._denied(request)) is not None:
                return denied
            body = await request.json()
            step = self._next(body)
            if step.delay:
                await asyncio.sleep(step.delay)
            if step.status:
                return JSONResponse({"error": step.text or "scripted failure"}, status_code=step.status)
            return StreamingResponse(self._ndjson(body, step), media_type="application/x-ndjson")

        return app

    def _ndjson(self, body: dict[str, Any], step: Step):  # noqa: ANN202
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        calls = [{"function": {"name": c["function"]["name"], "arguments": json.loads(c["function"]["arguments"])}}
                 for c in self._calls(step)]
        usage = self._usage(body, step)
        message = {"role": "assistant", "content": step.text or "", **({"tool_calls": calls} if calls else {})}
        first = {"model": body.get("model"), "created_at": now, "done": False, "message": message}
        last = {"model": body.get("model"), "created_at": now, "done": True, "done_reason": "stop",
                "message": {"role": "assistant", "content": ""}, "total_duration": 1000, "load_duration": 10,
                "prompt_eval_count": usage["prompt_tokens"], "eval_count": usage["completion_tokens"]}
        yield json.dumps(first) + "\n"
        yield json.dumps(last) + "\n"

    def _denied(self, request: Request) -> JSONResponse | None:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key")
        return None

    def _calls(self, step: Step) -> list[dict[str, Any]]:
        pairs = ([(step.tool, step.args)] if step.tool else []) + list(step.extra_calls)
        return [{"id": f"call_{next(self._ids)}", "type": "function",
                 "function": {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)}}
                for name, args in pairs]

    @staticmethod
    def _usage(body: dict[str, Any], step: Step) -> dict[str, int]:
        prompt = max(1, len(json.dumps(body.get("messages"))) // 4)
        completion = max(1, len(json.dumps(step.args)) // 4 + len(step.text or "") // 4)
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    def _completion(self, body: dict[str, Any], step: Step) -> dict[str, Any]:
        calls = self._calls(step)
        message: dict[str, Any] = {"role": "assistant", "content": step.text, "refusal": None}
        if calls:
            message["tool_calls"] = calls
        return {"id": f"chatcmpl-{next(self._ids)}", "object": "chat.completion", "created": int(time.time()),
                "model": body["model"], "system_fingerprint": "fp_fake",
                "choices": [{"index": 0, "message": message, "logprobs": None,
                             "finish_reason": "tool_calls" if calls else "stop"}],
                "usage": self._usage(body, step)}

    async def _sse(self, body: dict[str, Any], step: Step, include_usage: bool):  # noqa: ANN205
        cid, created, model = f"chatcmpl-{next(self._ids)}", int(time.time()), body["model"]

        def chunk(delta: dict[str, Any] | None, finish: str | None = None, usage: dict | None = None) -> str:
            choices = [] if delta is None else [{"index": 0, "delta": delta, "logprobs": None,
                                                 "finish_reason": finish}]
            data: dict[str, Any] = {"id": cid, "object": "chat.completion.chunk", "created": created,
                                    "model": model, "system_fingerprint": "fp_fake", "choices": choices}
            if include_usage:
                data["usage"] = usage
            return f"data: {json.dumps(data)}\n\n"

        yield chunk({"role": "assistant", "content": "" if step.text is None else None, "refusal": None})
        text = step.text or ""
        for i in range(0, len(text), 12):
            yield chunk({"content": text[i:i + 12]})
        calls = self._calls(step)
        for n, c in enumerate(calls):
            args = c["function"]["arguments"]
            yield chunk({"tool_calls": [{"index": n, "id": c["id"], "type": "function",
                                         "function": {"name": c["function"]["name"], "arguments": ""}}]})
            for i in range(0, len(args), 16):  # arguments arrive in fragments, as from the real API
                yield chunk({"tool_calls": [{"index": n, "function": {"arguments": args[i:i + 16]}}]})
                await asyncio.sleep(0)
        yield chunk({}, "tool_calls" if calls else "stop")
        if include_usage:
            yield chunk(None, usage=self._usage(body, step))
        yield "data: [DONE]\n\n"


def _error(status: int, message: str, kind: str, code: str | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind, "param": None, "code": code}},
                        status_code=status)
