"""Serve an ASGI app with uvicorn in a background thread on a free loopback port.

For tests and tools that need the sandbox (or any app) over real HTTP without a
subprocess: ``with ThreadedServer(app) as server: httpx.get(server.base_url + "/health")``.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any


class ThreadedServer:
    """A uvicorn server in a daemon thread, bound to ``127.0.0.1`` on a free port.

    Args:
        app: The ASGI app to serve.
        path: Path appended to ``base_url`` (e.g. ``/platform/v1`` for a mounted app).
        graceful_shutdown_s: How long stopping waits for in-flight requests.
    """

    def __init__(self, app: Any, *, path: str = "", graceful_shutdown_s: float = 1.0) -> None:
        self.app = app
        self.path = path
        self.graceful_shutdown_s = graceful_shutdown_s
        self.base_url = ""
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self, timeout_s: float = 20.0) -> ThreadedServer:
        """Bind, start serving, and wait until the server accepts requests (blocking)."""
        import uvicorn  # only needed by whoever serves

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, lifespan="on", log_level="warning",
                                timeout_graceful_shutdown=self.graceful_shutdown_s)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        self.base_url = f"http://127.0.0.1:{port}{self.path}"
        return self

    def stop(self) -> None:
        """Ask the server to exit and wait for its thread (blocking)."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=self.graceful_shutdown_s + 10)

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
