"""Shared fixtures: settings in a temporary data dir, SQLite and PostgreSQL databases,
a real uvicorn server on loopback."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get("TRADEBOT_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_reachable() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means: no PostgreSQL here
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    import psycopg

    reason = _pg_reachable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have PostgreSQL: {reason}")
        pytest.skip(reason)
    name = f"tradebot_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each storage test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tradebot.sqlite3'}"
    else:
        with postgres_database() as url:
            yield url


# One index for the run; TRADEBOT_TEST_INDEX_DIR gives concurrent local runs their own.
SHARED_INDEX_DIR = Path(os.environ.get("TRADEBOT_TEST_INDEX_DIR") or Path(__file__).resolve().parents[1] / "var" / "test-index")


@pytest.fixture(scope="session")
def shared_index_dir() -> Path:
    """One knowledge index for the whole run (incremental: unchanged sources cost nothing)."""
    from knowledge.service import KnowledgeService

    KnowledgeService(SHARED_INDEX_DIR).ensure_index()
    return SHARED_INDEX_DIR


@pytest.fixture
def settings_factory(tmp_path: Path, shared_index_dir: Path):
    from bot.settings import Settings

    def make(**overrides: object) -> Settings:
        values = {"data_dir": tmp_path / "var", "index_dir": shared_index_dir, "_env_file": None, **overrides}
        return Settings(**values)  # type: ignore[arg-type]

    return make


class LiveServer:
    """A uvicorn server running an ASGI app in a background thread on 127.0.0.1."""

    def __init__(self, app, port: int | None = None) -> None:  # noqa: ANN001
        import uvicorn

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None,
                                access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 180
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture
def live_server():
    """Start an app on a free loopback port: ``with live_server(app) as srv: srv.url``."""
    return LiveServer
