"""The FastAPI application factory: channels, health, metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from bot import __version__
from bot.bootstrap import Container
from bot.channels.rest import RestChannel
from bot.channels.rest_push import RestCallbackPusher

log = logging.getLogger(__name__)


def create_app(container: Container, *, bind_host: str | None = None) -> FastAPI:
    """Build the HTTP application around a wired :class:`Container`.

    Args:
        container: from :func:`bot.bootstrap.bootstrap`.
        bind_host: the address the server listens on; without a webhook secret the REST
            channel only serves on a loopback address.
    """
    settings = container.settings
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    rest_enabled = secret is not None or settings.binds_loopback(bind_host)
    if not rest_enabled:
        log.warning("REST channel disabled: set TRADEBOT_WEBHOOK_SECRET to serve it on a public address")

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        tasks = []
        if settings.rest_callback_url:
            pusher = RestCallbackPusher(container.outbox, settings.rest_callback_url, secret)
            tasks.append(asyncio.create_task(pusher.run(), name="rest-callback-pusher"))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(title="tradebot", version=__version__, lifespan=lifespan,
                  description="Conversational trade assistant: channels, staff console, sandbox platform.")
    app.state.container = container
    rest = RestChannel(container.service, container.metrics, secret=secret, enabled=rest_enabled,
                       max_body_bytes=settings.max_body_bytes, max_message_chars=settings.max_message_chars)
    app.include_router(rest.router())

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/metrics", tags=["ops"])
    async def metrics() -> Response:
        return Response(container.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()]
        return JSONResponse({"error": "invalid_request", "message": "invalid request", "problems": problems},
                            status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse({"error": "internal", "message": "internal error"}, status_code=500)

    return app
