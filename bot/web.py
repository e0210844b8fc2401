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
from bot.bootstrap import PLATFORM_PREFIX, Container
from bot.channels.registry import build_web_channels

log = logging.getLogger(__name__)


def create_app(container: Container, *, bind_host: str | None = None) -> FastAPI:
    """Build the HTTP application around a wired :class:`Container`.

    Args:
        container: from :func:`bot.bootstrap.bootstrap`.
        bind_host: the address the server listens on; without a webhook secret the REST
            channel only serves on a loopback address.
    """
    channels = build_web_channels(container, bind_host)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        started = []
        warm = getattr(container.service.recognizer, "warm", None)
        if warm is not None:  # load models before the first merchant waits for them
            await asyncio.to_thread(warm)
        if await asyncio.to_thread(container.knowledge.index.is_built):
            await asyncio.to_thread(container.knowledge.warm_up)
        try:
            for channel in channels:
                await channel.start()
                started.append(channel)
            yield
        finally:
            for channel in reversed(started):
                try:
                    await channel.stop()
                except Exception:  # one failing channel must not block the others' shutdown
                    log.exception("channel failed to stop", extra={"channel": channel.name})

    app = FastAPI(title="tradebot", version=__version__, lifespan=lifespan,
                  description="Conversational trade assistant: channels, staff console, sandbox platform.")
    app.state.container = container
    app.state.channels = channels
    for channel in channels:
        router = channel.router()
        if router is not None:
            app.include_router(router)

    if container.platform_app is not None:
        app.mount(PLATFORM_PREFIX, container.platform_app)

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
